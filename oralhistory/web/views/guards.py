"""The web layer's guards, written once: whether a client wants JSON, and the archivists-only
guard (`login_required`, or `refuse_unless_archivist` as a blueprint's `before_request`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import jsonify, redirect, request, url_for

from ..auth import current_viewer

# A JSON client is told in English, as every JSON error is; a browser is sent to sign in.
SIGN_IN_FIRST = "Sign in as an archivist to use the archive."


def wants_json() -> bool:
    """Whether the answer should be JSON: an address under /api/ or ending in .json, or a
    client whose Accept header prefers JSON to HTML (a browser's never does)."""
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    asked = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return asked == "application/json"


def refuse_unless_archivist():
    """None for a signed-in archivist; for anyone else, a 401 in JSON, or a redirect to the
    sign-in page that comes back to this address afterwards."""
    if current_viewer().is_archivist:
        return None
    if wants_json():
        return jsonify(error=SIGN_IN_FIRST), 401
    return redirect(url_for("account.login", next=request.full_path.rstrip("?")))


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only signed-in archivists reach `view` (see `refuse_unless_archivist`)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        refusal = refuse_unless_archivist()
        return refusal if refusal is not None else view(*args, **kwargs)

    return guarded
