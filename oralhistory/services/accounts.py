"""Archivist accounts and their bookkeeping, without Flask: passwords (argon2 hashes only),
the sign-in counters, and the signed-in sessions' rows.

Signing in is slowed down after repeated wrong passwords, per account name and client address
together and per address, never locked: see `sign_in`. The failures are counted in the
database, so that every worker process of a server counts the same ones.

A signed-in session is a row of `archivist_session` named by a random token (the browser's
cookie holds it: `auth`); the server ends it on sign-out, everywhere at once on "sign out
everywhere" or a new password, and when it has gone unused too long.

The commits here are the accounts' own bookkeeping: no part of the record, no change-log row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..errors import AccountError, SignInRefused
from ..messages import _
from ..record.account_models import Archivist, ArchivistSession, LoginAttempt
from ..record.models_base import utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,60}$")
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


WRONG_CREDENTIALS = _("The username or the password is not right.")


@dataclass(frozen=True)
class SignInLimits:
    """How many wrong passwords are let through before an address must wait, and how long.

    Past `max_failures_per_account` for a name and address together (or
    `max_failures_per_address` for the address), the address waits `slowdown_seconds`,
    doubling with each further failure, never longer than `failure_window_seconds`, the time
    a failure is remembered.
    """

    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    failure_window_seconds: float = 15 * 60
    slowdown_seconds: float = 30


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


def _wait_needed(
    failures: list[dt.datetime], limit: int, now: dt.datetime, limits: SignInLimits
) -> float:
    """Seconds still to wait before the next try, after `failures` (oldest first): none
    below `limit`, then a pause from the latest failure that doubles with each one more."""
    if len(failures) < limit:
        return 0.0
    pause = min(
        limits.slowdown_seconds * 2 ** min(len(failures) - limit, 20),
        limits.failure_window_seconds,
    )
    return max(0.0, (failures[-1] + dt.timedelta(seconds=pause) - now).total_seconds())


def sign_in(
    db_session: Session,
    username: str,
    password: str,
    address: str | None,
    limits: SignInLimits,
) -> Archivist:
    """The archivist whose name and password these are; else raise `SignInRefused`.

    Failures are counted per name and address together, and per address. Past `limits`,
    that address must wait before its next try; the password is not checked meanwhile.
    Nothing ever locks an account: an address without failures always has its password
    checked. Names that do not exist are counted and refused exactly like names that do.
    """
    window = dt.timedelta(seconds=limits.failure_window_seconds)
    now = utcnow()
    name, address = username[:120], (address or "unknown")[:64]
    db_session.execute(delete(LoginAttempt).where(LoginAttempt.failed_at < now - window))
    recent = LoginAttempt.failed_at >= now - window
    wait = 0.0
    for condition, limit in (
        (
            (LoginAttempt.username == name) & (LoginAttempt.address == address),
            limits.max_failures_per_account,
        ),
        (LoginAttempt.address == address, limits.max_failures_per_address),
    ):
        failures = list(
            db_session.scalars(
                select(LoginAttempt.failed_at)
                .where(condition, recent)
                .order_by(LoginAttempt.failed_at)
            )
        )
        wait = max(wait, _wait_needed(failures, limit, now, limits))
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


def close_session(db_session: Session, token: str) -> None:
    """End the signed-in session named by `token`: its cookie never opens it again."""
    db_session.execute(
        delete(ArchivistSession).where(ArchivistSession.token_hash == _token_hash(token))
    )
    db_session.commit()


def session_named(db_session: Session, token: str) -> ArchivistSession | None:
    """The signed-in session named by `token` while the server keeps it, else None."""
    return db_session.scalar(
        select(ArchivistSession).where(ArchivistSession.token_hash == _token_hash(token))
    )


def note_session_use(db_session: Session, session_id: int, seen_at: dt.datetime | None) -> None:
    """Note when a signed-in session was last used (`seen_at`), or end it (None: expired)."""
    where = ArchivistSession.id == session_id
    if seen_at is None:
        db_session.execute(delete(ArchivistSession).where(where))
    else:
        db_session.execute(update(ArchivistSession).where(where).values(last_seen_at=seen_at))
    db_session.commit()


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
