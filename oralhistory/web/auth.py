"""Who is asking (Flask glue): the signed cookie, signing in and out of it, CSRF, and the
viewer of the current request. The accounts themselves (passwords, sign-in counters, the
sessions' rows) are `accounts`, which needs no Flask.

A signed-in session is a row of `archivist_session` named by a random token in the signed
cookie: the server ends it on sign-out, everywhere at once on "sign out everywhere" or a new
password, and when it has gone unused for PERMANENT_SESSION_LIFETIME.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from ..record import outage
from ..record.access import ANONYMOUS, Viewer
from ..record.models import Archivist, utcnow
from ..services import accounts
from . import db

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """CSRF protection on every POST, the sign-in limits, and cookies marked Secure over HTTPS."""
    # A form's token lasts as long as the session (PERMANENT_SESSION_LIFETIME), not one
    # hour: correcting a long transcript can take longer, and the work must not be lost.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    defaults = accounts.SignInLimits()
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_ACCOUNT", defaults.max_failures_per_account)
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_ADDRESS", defaults.max_failures_per_address)
    app.config.setdefault("LOGIN_FAILURE_WINDOW_SECONDS", defaults.failure_window_seconds)
    app.config.setdefault("LOGIN_SLOWDOWN_SECONDS", defaults.slowdown_seconds)
    # Behind N reverse proxies (ORALHISTORY_TRUSTED_PROXIES=N), the client's address and
    # whether it used HTTPS come from the X-Forwarded-For and X-Forwarded-Proto headers.
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = _SessionInterface()
    app.context_processor(lambda: {"viewer": _viewer_for_templates()})
    app.after_request(_note_session_use)


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, marked Secure when configured so or when the request came
    over HTTPS, so that a session made over HTTPS is never sent back over plain HTTP."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def sign_in_limits() -> accounts.SignInLimits:
    """The current app's sign-in limits (LOGIN_MAX_FAILURES_PER_ACCOUNT and the others)."""
    config = current_app.config
    return accounts.SignInLimits(
        max_failures_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        max_failures_per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        failure_window_seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"],
        slowdown_seconds=config["LOGIN_SLOWDOWN_SECONDS"],
    )


def start_session(archivist: Archivist) -> None:
    """Begin a signed-in session: whatever the browser held before is dropped (a new CSRF
    token included); the session ends when it goes unused for PERMANENT_SESSION_LIFETIME,
    or when the server ends it."""
    session.clear()
    session["archivist"] = archivist.username
    session["sid"] = accounts.open_session(db.session(), archivist)
    session.permanent = True
    g.pop("viewer", None)


def end_session() -> None:
    """Sign out: the session is ended on the server, so its cookie never opens it again."""
    token = session.get("sid")
    if isinstance(token, str):
        accounts.close_session(db.session(), token)
    session.clear()
    g.pop("viewer", None)


def _session_archivist() -> Archivist | None:
    """The archivist of the cookie's session while the server keeps it, else None."""
    token, username = session.get("sid"), session.get("archivist")
    if not isinstance(token, str) or not isinstance(username, str):
        return None
    record = accounts.session_named(db.session(), token)
    if record is None or record.archivist.username != username:
        return None
    now = utcnow()
    idle = dt.timedelta(seconds=_seconds(current_app.config["PERMANENT_SESSION_LIFETIME"]))
    archivist = record.archivist
    # Written after the request (`_note_session_use`): reading who the viewer is writes nothing.
    if record.last_seen_at < now - idle:
        g.session_use = (record.id, None)
        return None
    # Written at most once a minute, not on every request.
    if record.last_seen_at < now - dt.timedelta(minutes=1):
        g.session_use = (record.id, now)
    return archivist


def _note_session_use(response):
    """After the request: note when a signed-in session was last used, or end an expired
    one. A database that accepts no changes (a restore, a full disk) or has gone away leaves
    it unwritten, and the archivist goes on reading signed in."""
    noted = g.pop("session_use", None)
    if noted is None:
        return response
    record_id, seen_at = noted
    db_session = db.session()
    try:
        accounts.note_session_use(db_session, record_id, seen_at)
    except Exception as error:  # noqa: BLE001 (the answer is made: it goes out all the same)
        try:
            db_session.rollback()
        except Exception:  # noqa: BLE001
            pass
        if outage.failure_kind(error):
            current_app.logger.info("a signed-in session's last use was not recorded: %s", error)
        else:
            current_app.logger.exception("a signed-in session's last use was not recorded")
    return response


def _seconds(lifetime: dt.timedelta | int) -> float:
    return lifetime.total_seconds() if isinstance(lifetime, dt.timedelta) else float(lifetime)


def current_viewer() -> Viewer:
    """The viewer of the current request: the signed-in archivist, or an anonymous reader.

    A session the server has ended (signed out, expired, a new password, a deleted
    account) is dropped from the cookie at once.
    """
    if "viewer" not in g:
        archivist = _session_archivist() if session.get("archivist") else None
        if archivist is None and ("archivist" in session or "sid" in session):
            session.pop("archivist", None)
            session.pop("sid", None)
        g.viewer = Viewer(archivist=archivist.username) if archivist else ANONYMOUS
    return g.viewer


def _viewer_for_templates() -> Viewer:
    # An error page must render even when the database is what failed.
    try:
        return current_viewer()
    except Exception:  # noqa: BLE001
        return ANONYMOUS
