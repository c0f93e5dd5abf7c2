"""How the web layer answers a request it refuses: a clear error as JSON or as a page, and the
unread body of a refused upload dropped."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import LimitedStream

from ..i18n import translated
from .guards import wants_json


def as_sentence(text: str) -> str:
    """`text` begun with a capital and ended with a full stop."""
    return text[:1].upper() + text[1:] + "."


def error_response(status: int, message: str, shown: str | None = None):
    """A clear error: JSON under /api/ (in English), a readable page elsewhere (in the
    reader's language, or as `shown`). Never a stack trace."""
    if wants_json():
        return jsonify(error=message), status
    text = shown if shown is not None else translated(message)
    # A message the catalogue does not have is shown in English, and marked as English.
    page = render_template(
        "error.html", status=status, message=text, message_lang="en" if text == message else None
    )
    return page, status


DISCARD_LIMIT = 100 * 1024 * 1024


def discard_request_body() -> None:
    """Read and drop what is left of a refused request's body, up to `DISCARD_LIMIT`.

    A server that answers before the client has finished sending, and then closes the
    connection, makes most clients report a reset connection instead of the answer. Past
    the limit the connection is dropped all the same: no worker is kept busy for ever.
    """
    # The body stream, if reading the request began; else one bounded by Content-Length.
    stream = request.__dict__.get("stream")
    if stream is None and request.content_length is not None:
        stream = LimitedStream(request.environ["wsgi.input"], request.content_length)
    remaining = DISCARD_LIMIT
    try:
        while stream is not None and remaining > 0:
            chunk = stream.read(min(remaining, 1024 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)
    except (HTTPException, OSError):  # the client went away, or the body has no end
        pass
