"""One rule for the text every request brings, checked before any view or database sees it.

A control character has no place in an address, a query parameter, a form field, an uploaded
file's name or a user name: PostgreSQL cannot store a NUL at all (it answered 500 where SQLite
answered 404), and the others are invisible marks that only garble what they reach. So they are
refused here, in one place, the same on every database: an address holding one is not found
(404); a parameter or a field holding one is refused (400) with a message naming it. Tab, line
feed and carriage return stay allowed in parameters and fields, as a browser sends a text box's
lines; whether a field may hold several lines is the field's own rule (`validation`).
"""

from __future__ import annotations

import re

from flask import Flask, abort, jsonify, request

from ...messages import Message, _
from ...services import curation_form
from .answers import error_response
from .guards import wants_json

# C0 but tab, line feed and carriage return; DEL; C1; and lone surrogates (no UTF-8 text holds
# one, so no database can store it).
_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_IN_ADDRESS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# What the forms that are not the testimony's call their fields, for the refusal's message.
_LABELS = {
    **curation_form.LABELS,
    "username": _("User name"),
    "password": _("Password"),
}


def refused_character(text: str) -> str | None:
    """The first character of `text` that no request may bring (as `U+XXXX`), else None."""
    found = _REFUSED.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def _refusal(name: str, code: str, *, in_form: bool) -> Message:
    # A JSON client reads the parameter's own name; a page names the form's field by its label.
    labelled = in_form and not wants_json() and name in _LABELS
    field = _LABELS[name] if labelled else f"'{name}'"
    if in_form:
        return _(
            "%(field)s holds a control character (%(code)s), which text may not hold; "
            "nothing was stored: remove it and send the form again.",
            field=field,
            code=code,
        )
    return _(
        "%(field)s in the address holds a control character (%(code)s), which text may not "
        "hold: remove it and try again.",
        field=field,
        code=code,
    )


def refuse_control_characters():
    """Before every request: 404 for an address, 400 for a parameter or field, holding a
    character no text of the archive may hold; None (go on) otherwise."""
    if _REFUSED_IN_ADDRESS.search(request.path):
        abort(404)
    sources = [(request.args, False)]
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sources.append((request.form, True))
    for values, in_form in sources:
        for name, value in values.items(multi=True):
            code = refused_character(name) or refused_character(value)
            if code:
                return _answer(_refusal(name, code, in_form=in_form))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        for name, upload in request.files.items(multi=True):
            code = refused_character(name) or refused_character(upload.filename or "")
            if code:
                return _answer(_refusal(name, code, in_form=True))
    return None


def _answer(message: Message):
    if wants_json():
        return jsonify(error=str(message)), 400
    return error_response(400, message)


def init_app(app: Flask) -> None:
    """Check every request's text before the views (and their database) see it."""
    app.before_request(refuse_control_characters)
