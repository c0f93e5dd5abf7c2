"""The record's closed vocabularies: statuses, kinds and levels, each a `StrEnum`.

A member is a `str` (`LinkStatus.REJECTED == "rejected"`), so rows, JSON, YAML and templates
read the same words as before; the code names the member instead of repeating the literal, and
the database refuses any other word (`check`, a CHECK constraint per column, added by
migration 0014). A new word is a new member here and a migration that widens the constraint.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint


class AccessLevel(StrEnum):
    """Who may read a testimony: everyone, or signed-in archivists only."""

    PUBLIC = "public"
    RESTRICTED = "restricted"


class DatePrecision(StrEnum):
    """How much of a date is known (an interview's, an event's)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class LinkKind(StrEnum):
    """What a context link points at."""

    EVENT = "event"
    PLACE = "place"


class LinkStatus(StrEnum):
    """Where a context link stands: proposed by the rules, or decided by an archivist."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class LinkOrigin(StrEnum):
    """Who made a context link: the rules, or an archivist by hand."""

    AUTOMATIC = "automatic"
    ARCHIVIST = "archivist"


class Timing(StrEnum):
    """Where a passage's times came from."""

    IMPORTED = "imported"  # a WebVTT file
    ALIGNED = "aligned"  # aligned with the recording
    MANUAL = "manual"  # typed by an archivist


class ChangeKind(StrEnum):
    """What a change-log row says changed. A testimony's kinds name one testimony; a
    timeline or names change touches what every passage is indexed with (the gazetteer); a
    change to the collection's description touches no passage."""

    ADDED = "added"
    CORRECTED = "corrected"
    IMPORTED = "imported"
    WITHDRAWN = "withdrawn"
    REINSTATED = "reinstated"
    LINKS = "links"
    TIMELINE = "timeline"
    NAMES = "names"  # the spelling table of names (`name_spellings`): touches every passage
    COLLECTION = "collection"  # the collection's own description (`collection.yaml`)


class FormKind(StrEnum):
    """What a stored form did: add a testimony or correct one."""

    ADDED = "added"
    CORRECTED = "corrected"


# (table, column, vocabulary): each column holds one of its vocabulary's words (or NULL).
CHECKED = (
    ("testimony", "access", AccessLevel),
    ("testimony", "interview_date_precision", DatePrecision),
    ("event", "date_precision", DatePrecision),
    ("passage", "timing", Timing),
    ("context_link", "kind", LinkKind),
    ("context_link", "status", LinkStatus),
    ("context_link", "origin", LinkOrigin),
    ("change_log", "kind", ChangeKind),
    ("form_submission", "kind", FormKind),
)


def check_name(table: str, column: str) -> str:
    """The name of the CHECK constraint that keeps `table.column` within its vocabulary."""
    return f"ck_{table}_{column}"


def check_condition(column: str, vocabulary: type[StrEnum]) -> str:
    """The SQL condition `column IN ('a', 'b', …)`; the words are this module's own."""
    words = ", ".join(f"'{member.value}'" for member in vocabulary)
    return f"{column} IN ({words})"


def check(table: str, column: str) -> CheckConstraint:
    """The CHECK constraint for `table.column`, as the models declare it."""
    vocabulary = next(v for t, c, v in CHECKED if (t, c) == (table, column))
    return CheckConstraint(check_condition(column, vocabulary), name=check_name(table, column))
