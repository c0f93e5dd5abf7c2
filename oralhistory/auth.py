"""Archivist accounts and who is asking: passwords are stored as argon2 hashes only.

Signing in is slowed down after repeated wrong passwords, per account name and per client
address. The failures are counted in the database, so that every worker process of a server
counts the same ones.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db
from .access import ANONYMOUS, Viewer
from .messages import _
from .models import Archivist, LoginAttempt, utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,60}$")
MIN_PASSWORD_LENGTH = 10

csrf = CSRFProtect()
_hasher = PasswordHasher()


class AccountError(ValueError):
    pass


class SignInRefused(Exception):
    """A sign-in that did not succeed, with a message that never says whether the name exists."""

    def __init__(self, message: str, throttled: bool = False):
        super().__init__(message)
        self.throttled = throttled


WRONG_CREDENTIALS = _("The username or the password is not right.")


def init_app(app: Flask) -> None:
    """CSRF protection on every POST, the sign-in limits, and cookies marked Secure over HTTPS."""
    # A form's token lasts as long as the session (PERMANENT_SESSION_LIFETIME), not one
    # hour: correcting a long transcript can take longer, and the work must not be lost.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    app.config.setdefault("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    app.config.setdefault("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
    # Behind N reverse proxies (ORALHISTORY_TRUSTED_PROXIES=N), the client's address and
    # whether it used HTTPS come from the X-Forwarded-For and X-Forwarded-Proto headers.
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = _SessionInterface()
    app.context_processor(lambda: {"viewer": _viewer_for_templates()})


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, marked Secure when configured so or when the request came
    over HTTPS, so that a session made over HTTPS is never sent back over plain HTTP."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def create_archivist(db_session: Session, username: str, password: str) -> Archivist:
    """Create an account; refuse a taken or malformed username and a short password."""
    if not USERNAME_RE.match(username):
        raise AccountError(
            "the username must be 2 to 60 letters, digits, dots, hyphens or underscores"
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if db_session.scalar(select(Archivist).where(Archivist.username == username)):
        raise AccountError(f"there is already an archivist called '{username}'")
    archivist = Archivist(username=username, password_hash=_hasher.hash(password))
    db_session.add(archivist)
    db_session.commit()
    return archivist


def check_password(db_session: Session, username: str, password: str) -> Archivist | None:
    """The archivist when the password is right, else None (same work either way)."""
    archivist = db_session.scalar(select(Archivist).where(Archivist.username == username))
    stored = archivist.password_hash if archivist else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return archivist


_DUMMY_HASH = _hasher.hash("not a real password: keeps timing equal for unknown names")


def sign_in(db_session: Session, username: str, password: str, address: str | None) -> Archivist:
    """The archivist whose name and password these are; else raise `SignInRefused`.

    After too many failures within the window, for this name or from this address, the
    password is not even checked until the oldest failure has aged out. Names that do not
    exist are counted and refused exactly like names that do.
    """
    config = current_app.config
    window = dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    now = utcnow()
    name, address = username[:120], (address or "unknown")[:64]
    db_session.execute(delete(LoginAttempt).where(LoginAttempt.failed_at < now - window))
    for column, value, limit in (
        (LoginAttempt.username, name, config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (LoginAttempt.address, address, config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ):
        failures = list(
            db_session.scalars(
                select(LoginAttempt.failed_at)
                .where(column == value, LoginAttempt.failed_at >= now - window)
                .order_by(LoginAttempt.failed_at)
            )
        )
        if len(failures) >= limit:
            db_session.commit()
            free_at = failures[len(failures) - limit] + window
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            raise SignInRefused(
                "Too many failed sign-ins for this account or from this address. "
                f"Try again in {minutes} minute{'' if minutes == 1 else 's'}.",
                throttled=True,
            )
    archivist = check_password(db_session, username, password)
    if archivist is None:
        db_session.add(LoginAttempt(username=name, address=address, failed_at=now))
        db_session.commit()
        raise SignInRefused(WRONG_CREDENTIALS)
    db_session.execute(delete(LoginAttempt).where(LoginAttempt.username == name))
    db_session.commit()
    return archivist


def start_session(username: str) -> None:
    """Begin a signed-in session: whatever the browser held before is dropped (a new CSRF
    token included), and the session expires after PERMANENT_SESSION_LIFETIME unused."""
    session.clear()
    session["archivist"] = username
    session.permanent = True
    g.pop("viewer", None)


def end_session() -> None:
    session.clear()
    g.pop("viewer", None)


def current_viewer() -> Viewer:
    """The viewer of the current request: the signed-in archivist, or an anonymous reader.

    A session whose account no longer exists is ended at once.
    """
    if "viewer" not in g:
        username = session.get("archivist")
        if username and not db.session().scalar(
            select(Archivist.id).where(Archivist.username == username)
        ):
            session.clear()
            username = None
        g.viewer = Viewer(archivist=username) if username else ANONYMOUS
    return g.viewer


def _viewer_for_templates() -> Viewer:
    # An error page must render even when the database is what failed.
    try:
        return current_viewer()
    except Exception:  # noqa: BLE001
        return ANONYMOUS
