"""Archivist accounts and who is asking: passwords are stored as argon2 hashes only.

Signing in is slowed down after repeated wrong passwords, per account name and client address
together and per address, never locked: see `sign_in`. The failures are counted in the
database, so that every worker process of a server counts the same ones.

A signed-in session is a row of `archivist_session` named by a random token in the signed
cookie: the server ends it on sign-out, everywhere at once on "sign out everywhere" or a new
password, and when it has gone unused for PERMANENT_SESSION_LIFETIME.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, outage
from .access import ANONYMOUS, Viewer
from .errors import AccountError, SignInRefused
from .messages import _
from .models import Archivist, ArchivistSession, LoginAttempt, utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,60}$")
MIN_PASSWORD_LENGTH = 10

csrf = CSRFProtect()
_hasher = PasswordHasher()


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
    app.config.setdefault("LOGIN_SLOWDOWN_SECONDS", 30)
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


def create_archivist(db_session: Session, username: str, password: str) -> Archivist:
    """Create an account; refuse a taken or malformed username and a short password."""
    if not USERNAME_RE.fullmatch(username):
        raise AccountError(
            _("the username must be 2 to 60 letters, digits, dots, hyphens or underscores")
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("the password must be at least %(num)s characters", num=MIN_PASSWORD_LENGTH)
        )
    if db_session.scalar(select(Archivist).where(Archivist.username == username)):
        raise AccountError(f"there is already an archivist called '{username}'")
    archivist = Archivist(username=username, password_hash=_hasher.hash(password))
    db_session.add(archivist)
    db_session.commit()
    return archivist


def archivist_named(db_session: Session, username: str) -> Archivist | None:
    """The archivist called `username`; None for a name no account can have (one holding a
    NUL, which PostgreSQL could not even compare, is never looked up)."""
    if not USERNAME_RE.fullmatch(username):
        return None
    return db_session.scalar(select(Archivist).where(Archivist.username == username))


def check_password(db_session: Session, username: str, password: str) -> Archivist | None:
    """The archivist when the password is right, else None (same work either way)."""
    archivist = archivist_named(db_session, username)
    stored = archivist.password_hash if archivist else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return archivist


_DUMMY_HASH = _hasher.hash("not a real password: keeps timing equal for unknown names")


def _wait_needed(failures: list[dt.datetime], limit: int, now: dt.datetime) -> float:
    """Seconds still to wait before the next try, after `failures` (oldest first): none
    below `limit`, then a pause from the latest failure that doubles with each one more."""
    if len(failures) < limit:
        return 0.0
    config = current_app.config
    pause = min(
        config["LOGIN_SLOWDOWN_SECONDS"] * 2 ** min(len(failures) - limit, 20),
        config["LOGIN_FAILURE_WINDOW_SECONDS"],
    )
    return max(0.0, (failures[-1] + dt.timedelta(seconds=pause) - now).total_seconds())


def sign_in(db_session: Session, username: str, password: str, address: str | None) -> Archivist:
    """The archivist whose name and password these are; else raise `SignInRefused`.

    Failures are counted per name and address together, and per address. Past
    LOGIN_MAX_FAILURES_PER_ACCOUNT for the pair (or ..._PER_ADDRESS for the address), that
    address must wait before its next try (LOGIN_SLOWDOWN_SECONDS, doubling with each
    further failure, never longer than the window); the password is not checked meanwhile.
    Nothing ever locks an account: an address without failures always has its password
    checked. Names that do not exist are counted and refused exactly like names that do.
    """
    config = current_app.config
    window = dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    now = utcnow()
    name, address = username[:120], (address or "unknown")[:64]
    db_session.execute(delete(LoginAttempt).where(LoginAttempt.failed_at < now - window))
    recent = LoginAttempt.failed_at >= now - window
    wait = 0.0
    for condition, limit in (
        (
            (LoginAttempt.username == name) & (LoginAttempt.address == address),
            config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        ),
        (LoginAttempt.address == address, config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ):
        failures = list(
            db_session.scalars(
                select(LoginAttempt.failed_at)
                .where(condition, recent)
                .order_by(LoginAttempt.failed_at)
            )
        )
        wait = max(wait, _wait_needed(failures, limit, now))
    if wait > 0:
        db_session.commit()
        seconds = math.ceil(wait)
        raise SignInRefused(
            "Too many failed sign-ins from this address. Wait "
            + (f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes")
            + " before trying again.",
            throttled=True,
        )
    archivist = check_password(db_session, username, password)
    if archivist is None:
        db_session.add(LoginAttempt(username=name, address=address, failed_at=now))
        db_session.commit()
        raise SignInRefused(WRONG_CREDENTIALS)
    # Only this address's failures are forgiven: a guesser elsewhere keeps their count.
    db_session.execute(
        delete(LoginAttempt).where(LoginAttempt.username == name, LoginAttempt.address == address)
    )
    db_session.commit()
    return archivist


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(db_session: Session, archivist: Archivist) -> str:
    """Record a new signed-in session for `archivist`; return the token its cookie holds."""
    token = secrets.token_urlsafe(32)
    db_session.add(ArchivistSession(token_hash=_token_hash(token), archivist_id=archivist.id))
    db_session.commit()
    return token


def end_all_sessions(db_session: Session, archivist_id: int) -> int:
    """End every session of an archivist, in every browser; return how many there were."""
    ended = db_session.execute(
        delete(ArchivistSession).where(ArchivistSession.archivist_id == archivist_id)
    ).rowcount
    db_session.commit()
    return ended


def set_password(db_session: Session, username: str, password: str) -> Archivist:
    """Give an archivist a new password and end all their sessions (raise `AccountError`)."""
    archivist = archivist_named(db_session, username)
    if archivist is None:
        raise AccountError(f"there is no archivist called {username!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("the password must be at least %(num)s characters", num=MIN_PASSWORD_LENGTH)
        )
    archivist.password_hash = _hasher.hash(password)
    db_session.commit()
    end_all_sessions(db_session, archivist.id)
    return archivist


def start_session(archivist: Archivist) -> None:
    """Begin a signed-in session: whatever the browser held before is dropped (a new CSRF
    token included); the session ends when it goes unused for PERMANENT_SESSION_LIFETIME,
    or when the server ends it."""
    session.clear()
    session["archivist"] = archivist.username
    session["sid"] = open_session(db.session(), archivist)
    session.permanent = True
    g.pop("viewer", None)


def end_session() -> None:
    """Sign out: the session is ended on the server, so its cookie never opens it again."""
    token = session.get("sid")
    if isinstance(token, str):
        db_session = db.session()
        db_session.execute(
            delete(ArchivistSession).where(ArchivistSession.token_hash == _token_hash(token))
        )
        db_session.commit()
    session.clear()
    g.pop("viewer", None)


def _session_archivist() -> Archivist | None:
    """The archivist of the cookie's session while the server keeps it, else None."""
    token, username = session.get("sid"), session.get("archivist")
    if not isinstance(token, str) or not isinstance(username, str):
        return None
    db_session = db.session()
    record = db_session.scalar(
        select(ArchivistSession).where(ArchivistSession.token_hash == _token_hash(token))
    )
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
        where = ArchivistSession.id == record_id
        if seen_at is None:
            db_session.execute(delete(ArchivistSession).where(where))
        else:
            db_session.execute(update(ArchivistSession).where(where).values(last_seen_at=seen_at))
        db_session.commit()  # the accounts' own bookkeeping: no part of the record
    except Exception as error:  # noqa: BLE001 (the answer is made: it goes out all the same)
        try:
            db_session.rollback()
        except Exception:  # noqa: BLE001
            pass
        if isinstance(error, DBAPIError) and outage.failure_kind(error):
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
