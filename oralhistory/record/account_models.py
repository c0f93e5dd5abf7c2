"""The archivists' accounts as tables: accounts, signed-in sessions, failed sign-ins (the
accounts' own bookkeeping, no part of the record and never in the change log)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models_base import Base, utcnow


class Archivist(Base):
    __tablename__ = "archivist"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ArchivistSession(Base):
    """A signed-in browser. The session cookie holds a random token; only its SHA-256 is
    kept here, so that the server can end a session for good (signing out, signing out
    everywhere, a new password) and a copy of this table opens no session."""

    __tablename__ = "archivist_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    archivist_id: Mapped[int] = mapped_column(
        ForeignKey("archivist.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # when the session was last used, to the minute: an idle session expires
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    archivist: Mapped[Archivist] = relationship()


class LoginAttempt(Base):
    """A failed sign-in, kept for a while in the database so that every worker process
    counts the same failures when it slows down repeated guessing."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the name as typed, whether or not such an account exists
    username: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
