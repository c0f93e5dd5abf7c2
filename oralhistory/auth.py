"""Archivist accounts and who is asking: passwords are stored as argon2 hashes only."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, g, session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from sqlalchemy.orm import Session

from .access import ANONYMOUS, Viewer
from .models import Archivist

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,60}$")
MIN_PASSWORD_LENGTH = 10

csrf = CSRFProtect()
_hasher = PasswordHasher()


class AccountError(ValueError):
    pass


def init_app(app: Flask) -> None:
    csrf.init_app(app)


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


def current_viewer() -> Viewer:
    """The viewer of the current request: the signed-in archivist, or an anonymous reader."""
    if "viewer" not in g:
        username = session.get("archivist")
        g.viewer = Viewer(archivist=username) if username else ANONYMOUS
    return g.viewer
