"""The record's history as tables: revisions of testimonies, the change log (and the row that
gives out its ids), and the forms already stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .kinds import ChangeKind, check
from .models_base import Base, utcnow


class Revision(Base):
    """One change an archivist (or an import) made to a testimony: who, when, what."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    summary: Mapped[str] = mapped_column(Text)
    # the testimony as it stood after this change, so any two revisions can be compared
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


CHANGE_KINDS = tuple(ChangeKind)


class ChangeLog(Base):
    """One committed change to the record, in order: what the index, other servers and
    harvesters follow. Ids only grow, and a change with a higher id never commits before one
    with a lower id (see `changes.log`), so "everything after id N" never misses a change.
    """

    __tablename__ = "change_log"
    __table_args__ = (check("change_log", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))  # one of CHANGE_KINDS
    testimony_id: Mapped[int | None] = mapped_column(Integer, index=True)
    revision_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str | None] = mapped_column(String(120))
    summary: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ChangeLogHead(Base):
    """The one row holding the last change-log id given out. Taking the next id updates this
    row, which makes concurrent writers queue one behind the other until each commits."""

    __tablename__ = "change_log_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, default=0)


class FormSubmission(Base):
    """A form the archive stored, named by the one-time key the form carried. A second
    submission of the same form (a double click, a retry after a dropped connection) is
    answered with what the first stored, and stores nothing. Kept for `KEPT_FOR` days."""

    __tablename__ = "form_submission"
    __table_args__ = (check("form_submission", "kind"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "added" or "corrected"
    testimony_id: Mapped[int | None] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
