"""Deadlines for reading a request's body, so that a client that stalls its upload does not
hold one of gunicorn's threads for ever.

gunicorn reads a request's headers and hands the body to the app unread; its threads (`gthread`)
then wait on the client for as long as the client likes. Under gunicorn, the body is read here
with a timeout: a client that sends nothing of its body for `REQUEST_BODY_IDLE_SECONDS`, or has
not sent all of it after `REQUEST_BODY_SECONDS`, is answered 408. Behind nginx
(`deploy/nginx.conf`) the body arrives whole and at once, and these deadlines never matter.
Other servers (`flask run`, the test client) give no socket, and are left as they are.
"""

from __future__ import annotations

import socket
import time
from typing import Any

from flask import Flask
from werkzeug.exceptions import RequestTimeout

from ..messages import _


def init_app(app: Flask) -> None:
    """Read request bodies under gunicorn with the app's deadlines."""
    app.config.setdefault("REQUEST_BODY_IDLE_SECONDS", 10)
    app.config.setdefault("REQUEST_BODY_SECONDS", 120)
    app.wsgi_app = BodyDeadlines(app.wsgi_app, app)


class BodyDeadlines:
    """WSGI middleware: `wsgi.input` read with a timeout on gunicorn's socket."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response):
        """Serve the request, its body read under the idle and whole-body deadlines when gunicorn
        hands over the connection's socket."""
        connection = environ.get("gunicorn.socket")
        body = environ.get("wsgi.input")
        if not isinstance(connection, socket.socket) or body is None:
            return self.wsgi_app(environ, start_response)
        idle = float(self.app.config["REQUEST_BODY_IDLE_SECONDS"])
        whole = float(self.app.config["REQUEST_BODY_SECONDS"])
        environ["wsgi.input"] = _TimedBody(body, connection, idle, time.monotonic() + whole)
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            # the answer is written as gunicorn writes it, without these deadlines
            connection.settimeout(None)


class _TimedBody:
    """A request body whose every read waits at most until the next deadline."""

    def __init__(self, body, connection: socket.socket, idle: float, deadline: float):
        self._body, self._connection = body, connection
        self._idle, self._deadline = idle, deadline

    def _read(self, method, *args):
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise _too_slow()
        self._connection.settimeout(min(self._idle, remaining))
        try:
            return method(*args)
        except TimeoutError:
            raise _too_slow() from None

    def read(self, size: int | None = None) -> bytes:
        return self._read(self._body.read, size)

    def readline(self, size: int | None = None) -> bytes:
        return self._read(self._body.readline, size)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        return self._read(self._body.readlines, hint)

    def __iter__(self):
        while line := self.readline():
            yield line


def _too_slow() -> RequestTimeout:
    return RequestTimeout(
        _(
            "The request's body came too slowly: it must arrive within the time allowed. "
            "Nothing was changed; send it again."
        )
    )
