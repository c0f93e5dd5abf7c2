"""A form sent when the session had ended, or with a token older than the session, comes back
with everything as typed and says what to do: nothing typed is lost, nothing is stored.

The page shown to someone no longer signed in holds only what they sent and the public
timeline: no title, narrator or passage of the record (the testimony may be restricted).
"""

from __future__ import annotations

import re

from flask import Flask, request

from ...messages import _
from ...services import curation
from .. import db
from ..auth import current_viewer
from . import archive

SIGNED_OUT = _(
    "You were signed out, so nothing was saved. Everything you typed is kept below: sign in "
    "again in a new tab, then come back to this page and send the form again."
)
STALE = _(
    "This form’s security token was missing or older than your current session, so it was "
    "not saved; nothing was changed. Everything you typed is kept below: check it and send "
    "the form again."
)
# The archive forms that carry typed text, by endpoint.
FORMS = ("archive.new_testimony", "archive.edit_testimony")
_PASSAGE_FIELD = re.compile(r"passage_([0-9]{1,5})")


def is_kept_form() -> bool:
    """Whether this request sends one of the forms whose text is kept when it is refused."""
    return request.method == "POST" and request.endpoint in FORMS


def kept_form(*, token_refused: bool):
    """The form sent, filled in again as typed, with why it was not saved (status 400)."""
    values = archive._typed()
    signed_in = current_viewer().is_archivist
    message = STALE if signed_in and token_refused else SIGNED_OUT
    testimony_id = (request.view_args or {}).get("testimony_id")
    if signed_in:
        testimony = None
        if testimony_id is not None:
            testimony = curation.get_testimony(db.session(), testimony_id)
        return archive._form_page(values, {"": message}, testimony, 400)
    # Someone no longer signed in is shown back only what they sent.
    typed_narrator = values.get("narrator") or ""
    kept = None
    if testimony_id is not None:
        numbers = sorted(
            int(found.group(1)) for name in values if (found := _PASSAGE_FIELD.fullmatch(name))
        )
        kept = {"id": testimony_id, "anchors": ["" for _ in range(max(numbers, default=0))]}
    return archive._form_page(
        values,
        {"": message},
        status=400,
        kept_only=kept,
        narrators=[{"slug": typed_narrator, "name": typed_narrator}] if typed_narrator else [],
    )


def init_app(app: Flask) -> None:
    """Answer a signed-out POST of a kept form with the form itself, not a redirect to sign
    in (which would drop what was typed)."""

    @app.before_request
    def signed_out_form():
        if is_kept_form() and not current_viewer().is_archivist:
            return kept_form(token_refused=False)
        return None
