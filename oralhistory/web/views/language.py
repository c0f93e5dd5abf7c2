"""The language switch: a plain link on every page that sets the interface language."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from ..i18n import COOKIE, COOKIE_MAX_AGE, LANGUAGES
from .account import local_path

bp = Blueprint("language", __name__)


@bp.get("/language/<code>")
def choose(code: str):
    """Remember `code` as the reader's language and go back to the page they were reading.

    A GET, so that the switch is a link that works without JavaScript and without a form; it
    changes only the reader's own preference, never the record.
    """
    if code not in LANGUAGES:
        abort(404)
    response = redirect(local_path(request.args.get("next")) or url_for("pages.home"), 303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response
