"""What every response tells the browser, and which requests from other sites are refused.

Every response carries a strict Content-Security-Policy (only this site's own scripts,
styles and images; no inline script or style, which the templates never use; no framing),
`X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, a `Referrer-Policy` that keeps
a reader's search from the sites a testimony cites, and, over HTTPS, HSTS.

A request that changes something (POST and the like) and says it comes from another site
(`Origin`) is refused with a 403 before any view runs; CSRF tokens already stop forged
forms, and this stops them even when a token leaks.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from ..collection.validation import url as url_problem
from ..errors import Forbidden

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Search addresses hold what a reader looked for: never sent to another site.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def init_app(app: Flask) -> None:
    """Security headers on every response, the `Origin` check, and the `web_address` test
    for templates (a link is made only of an http or https address)."""
    app.after_request(add_headers)
    app.before_request(refuse_other_sites)
    app.jinja_env.tests["web_address"] = lambda value: url_problem(value) is None


def add_headers(response: Response) -> Response:
    """Add the security headers (CSP, nosniff, frame and referrer rules; HSTS over HTTPS) to
    `response`."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _origin_of(address: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or ""), port if port != default else None


def refuse_other_sites():
    """Raise `Forbidden` (a 403, rendered by the views) for a state-changing request whose
    `Origin` is another site (or "null")."""
    origin = request.headers.get("Origin")
    if request.method in SAFE_METHODS or origin is None:
        return None
    # the address the request came to, or the archive's public address a proxy forwards
    public = current_app.config.get("PUBLIC_URL")
    own = {_origin_of(request.host_url), *([_origin_of(public)] if public else [])}
    if _origin_of(origin) in own:
        return None
    shown = origin if len(origin) <= 100 else origin[:100] + "…"
    raise Forbidden(
        f"This request came from another site (Origin: {shown}) and was refused; nothing "
        "was changed. Send it from the archive's own pages."
    )
