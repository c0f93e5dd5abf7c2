"""The record: SQLAlchemy models of the archive's content (narrators, testimonies, passages,
recordings, the timeline, context links).

The accounts' tables are `account_models`, the history's (revisions, the change log)
`log_models`, the other languages' `language_models` and the alignment jobs'
`alignment_record`, the collection's description `collection_record` and the spelling table
`name_spellings`; the names of the first two are also importable from here. The whole schema,
every table mapped, is `schema`.

The database is the source of truth. The search index is derived from it (see `search/`),
and nothing in this module knows about the index.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account_models import Archivist, ArchivistSession, LoginAttempt
from .kinds import (
    AccessLevel,
    DatePrecision,
    LinkKind,
    LinkOrigin,
    LinkStatus,
    check,
)
from .log_models import CHANGE_KINDS, ChangeLog, ChangeLogHead, FormSubmission, Revision
from .models_base import MAX_ROW_ID, Base, utcnow

if TYPE_CHECKING:
    from .language_models import LanguageText, TestimonyLanguage

# every table of the record, wherever it is defined, is importable from here
__all__ = [
    "ACCESS_LEVELS",
    "CHANGE_KINDS",
    "DATE_PRECISIONS",
    "LINK_KINDS",
    "LINK_ORIGINS",
    "LINK_STATUSES",
    "MAX_ROW_ID",
    "Archivist",
    "ArchivistSession",
    "Base",
    "ChangeLog",
    "ChangeLogHead",
    "ContextLink",
    "Event",
    "Figure",
    "FormSubmission",
    "LoginAttempt",
    "Narrator",
    "Passage",
    "Place",
    "Recording",
    "RemovedPassage",
    "Revision",
    "Source",
    "Testimony",
    "TestimonyEvent",
    "utcnow",
]

ACCESS_LEVELS = tuple(AccessLevel)
DATE_PRECISIONS = tuple(DatePrecision)
LINK_KINDS = tuple(LinkKind)
LINK_STATUSES = tuple(LinkStatus)
LINK_ORIGINS = tuple(LinkOrigin)


class Narrator(Base):
    __tablename__ = "narrator"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_arabic: Mapped[str | None] = mapped_column(String(200))
    name_arabic_note: Mapped[str | None] = mapped_column(Text)
    spellings: Mapped[list[str]] = mapped_column(default=list)
    age_at_interview: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str | None] = mapped_column(Text)
    residence: Mapped[str | None] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(default=list)
    biography: Mapped[str | None] = mapped_column(Text)

    testimonies: Mapped[list[Testimony]] = relationship(
        back_populates="narrator", order_by="Testimony.id"
    )


class Testimony(Base):
    __tablename__ = "testimony"
    __test__ = False  # not a pytest test class, despite its name
    # which testimonies a reader may see, read without the rows (`access.visible`)
    __table_args__ = (
        Index("ix_testimony_visible", "access", "withdrawn_at"),
        check("testimony", "access"),
        check("testimony", "interview_date_precision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    narrator_id: Mapped[int] = mapped_column(ForeignKey("narrator.id"))
    title: Mapped[str] = mapped_column(String(300))
    interview_date: Mapped[dt.date | None] = mapped_column(Date)
    interview_date_precision: Mapped[str] = mapped_column(String(10), default=DatePrecision.DAY)
    interview_date_note: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="en")
    original_language: Mapped[str | None] = mapped_column(String(10))
    interviewers: Mapped[list[str]] = mapped_column(default=list)
    # publisher, title, date, url, editing_note, partnership_note
    citation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rights: Mapped[str | None] = mapped_column(Text)
    access: Mapped[str] = mapped_column(String(20), default=AccessLevel.PUBLIC)
    source_file: Mapped[str | None] = mapped_column(String(300))
    # Set when consent is revoked: the record keeps the testimony, the public never sees it.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(120))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    corrected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The highest passage number ever given: a new passage takes the next, so that no
    # anchor is ever given twice, not even one whose passage was removed.
    last_passage_number: Mapped[int] = mapped_column(Integer, server_default="0")

    narrator: Mapped[Narrator] = relationship(back_populates="testimonies")
    passages: Mapped[list[Passage]] = relationship(
        back_populates="testimony", order_by="Passage.position", cascade="all, delete-orphan"
    )
    event_links: Mapped[list[TestimonyEvent]] = relationship(
        back_populates="testimony", cascade="all, delete-orphan"
    )
    context_links: Mapped[list[ContextLink]] = relationship(
        back_populates="testimony",
        cascade="all, delete-orphan",
        order_by="[ContextLink.position, ContextLink.kind, ContextLink.target]",
    )
    removed_passages: Mapped[list[RemovedPassage]] = relationship(
        back_populates="testimony", order_by="RemovedPassage.number", cascade="all, delete-orphan"
    )
    recordings: Mapped[list[Recording]] = relationship(
        back_populates="testimony", order_by="Recording.part", cascade="all, delete-orphan"
    )
    # the languages it is held in besides its main text's (`language_models`)
    other_languages: Mapped[list[TestimonyLanguage]] = relationship(
        back_populates="testimony", order_by="TestimonyLanguage.id", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.access == AccessLevel.PUBLIC and self.withdrawn_at is None

    @property
    def recording(self) -> Recording | None:
        """The testimony's recording (its first part), or None."""
        return self.recordings[0] if self.recordings else None


class Passage(Base):
    """One paragraph of a testimony: the unit of search and of citation.

    `position` is its place in the reading order, which corrections change; `number` is
    its identifier, the N of its anchor `p-N`, which never changes once given (a corrected
    passage keeps it, an inserted one gets a new one: see `anchors.py`).

    `start` and `end` are where it is heard in the recording, in seconds (either may be
    unknown), and `timing` where they came from: `imported` (a WebVTT file), `aligned`
    (automatic alignment) or `manual` (typed by an archivist). A correction that changes a
    timed passage's words keeps its times and sets `timing_stale`: they are to be checked
    again (re-aligned), not trusted as they were.
    """

    __tablename__ = "passage"
    __table_args__ = (
        UniqueConstraint("testimony_id", "position"),
        UniqueConstraint("testimony_id", "number", name="uq_passage_testimony_id_number"),
        check("passage", "timing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    position: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    editor_note: Mapped[str | None] = mapped_column(Text)
    start: Mapped[float | None] = mapped_column("start_seconds", Float)
    end: Mapped[float | None] = mapped_column("end_seconds", Float)
    timing: Mapped[str | None] = mapped_column(String(10))
    timing_stale: Mapped[bool] = mapped_column(Boolean, server_default=false())

    testimony: Mapped[Testimony] = relationship(back_populates="passages")
    # its words in its testimony's other languages (`language_models`)
    texts: Mapped[list[LanguageText]] = relationship(
        back_populates="passage", order_by="LanguageText.language", cascade="all, delete-orphan"
    )

    @property
    def anchor(self) -> str:
        return f"p-{self.number}"


class RemovedPassage(Base):
    """The number of a passage a correction removed: its anchor still answers, and is
    never given to another passage."""

    __tablename__ = "removed_passage"
    __table_args__ = (UniqueConstraint("testimony_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    number: Mapped[int] = mapped_column(Integer)
    removed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    testimony: Mapped[Testimony] = relationship(back_populates="removed_passages")

    @property
    def anchor(self) -> str:
        return f"p-{self.number}"


class Recording(Base):
    """A testimony's audio or video, one row per part (one part for now).

    The file lives under the media directory named by its SHA-256 (`media.path_of`); the row
    keeps what identifies and describes it. The type is the one read from the file's content.
    """

    __tablename__ = "recording"
    __table_args__ = (UniqueConstraint("testimony_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    part: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    duration: Mapped[float | None] = mapped_column(Float)  # seconds, None when unreadable
    original_filename: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    testimony: Mapped[Testimony] = relationship(back_populates="recordings")


class Source(Base):
    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(300))
    date: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Place(Base):
    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_arabic: Mapped[str | None] = mapped_column(String(200))
    variants: Mapped[list[str]] = mapped_column(default=list)
    kind: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))

    parent: Mapped[Place | None] = relationship(remote_side=[id])


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (check("event", "date_precision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(10), default=DatePrecision.DAY)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    # [{"source": slug, "locator": str | None}], in the order the file gives them
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    place_slugs: Mapped[list[str]] = mapped_column(default=list)
    # words that name the event or its period ("the evacuation"), and the organisations its
    # summary names: what automatic linking looks for in a passage
    cues: Mapped[list[str]] = mapped_column(default=list)
    organisations: Mapped[list[str]] = mapped_column(default=list)


class Figure(Base):
    """A number the sources give, kept with every differing value and its source."""

    __tablename__ = "figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(Text)
    event_slug: Mapped[str | None] = mapped_column(String(160))
    # [{"value": str, "source": slug, "locator": str | None}]
    values: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class TestimonyEvent(Base):
    """An event a testimony speaks of, as its front matter or an archivist states."""

    __tablename__ = "testimony_event"
    __test__ = False
    __table_args__ = (UniqueConstraint("testimony_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))

    testimony: Mapped[Testimony] = relationship(back_populates="event_links")
    event: Mapped[Event] = relationship()


class ContextLink(Base):
    """A passage tied to a timeline event or a place: proposed by a rule, or set by an archivist.

    A link names its passage by testimony and passage number (`position` holds the N of the
    anchor `p-N`, `Passage.number`, not the passage's place in the reading order) and its
    target by slug, not by row, so that an archivist's decision outlives a re-import that
    rewrites the passages. `passage_digest` is the passage text the link was made on: when passages move,
    the link follows its text. A rejected link is kept, so that the rules never propose it again.
    """

    __tablename__ = "context_link"
    __table_args__ = (
        UniqueConstraint("testimony_id", "position", "kind", "target"),
        # an event's or a place's page reads its links a page at a time, in this order
        Index("ix_context_link_target", "kind", "target", "testimony_id", "position"),
        check("context_link", "kind"),
        check("context_link", "status"),
        check("context_link", "origin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # one of LINK_KINDS
    target: Mapped[str] = mapped_column(String(160))  # the event's or the place's slug
    status: Mapped[str] = mapped_column(String(12), default=LinkStatus.PROPOSED)
    origin: Mapped[str] = mapped_column(String(12), default=LinkOrigin.AUTOMATIC)
    # why: [{"rule": name, "words": the words as the passage writes them, "says": plain words}]
    reason: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    passage_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    testimony: Mapped[Testimony] = relationship(back_populates="context_links")

    @property
    def anchor(self) -> str:
        return f"p-{self.position}"
