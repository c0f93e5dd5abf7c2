"""The rules for what an archivist gives, from a file or from the form: one copy of each.

The importer's field tables (`importer.TESTIMONY_FIELDS` and the timeline's) are built from
these checks, and the form's values are checked through those same tables, so a title too
long for its column, a NUL in a name, a `javascript:` address or an interview in 1899 is
refused the same way wherever it comes from. Each check returns None, or the end of a
sentence that begins with the field's name ("must be at most 300 characters long").

YAML is checked here before it is read: no anchors or aliases (a "billion laughs" file of
2 KB expands to gigabytes), a bounded size and nesting depth (a file nested 5,000 deep
exhausts Python's recursion).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..messages import Message, _

Check = Callable[[Any], str | None]

# Longest text held in a column without a length of its own (a biography, a note, rights).
LONG_TEXT = 20_000
URL_LENGTH = 2_000
EARLIEST_INTERVIEW = dt.date(1900, 1, 1)
FRONT_MATTER_BYTES = 64 * 1024
TIMELINE_BYTES = 4 * 1024 * 1024
YAML_DEPTH = 20
# Longest passage (paragraph) of a transcript, from the form or a file; the first collection's
# longest is under 500.
PASSAGE_CHARACTERS = 20_000

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Control characters (C0, DEL, C1), and those of them a long text may hold: tab and newline.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def control_character(text: str, *, lines_allowed: bool = False) -> re.Match | None:
    """The first control character in `text` (other than tab and newline if allowed)."""
    return (_CONTROL_BUT_LINES if lines_allowed else _CONTROL).search(text)


def _describe(found: re.Match) -> Message:
    return _(
        "holds a control character (%(code)s), which text may not",
        code="U+" + format(ord(found.group()), "04X"),
    )


def _too_long(limit: int, length: int) -> Message:
    return _(
        "must be at most %(limit)s characters long (this is %(length)s)",
        limit=format(limit, ","),
        length=format(length, ","),
    )


def text(max_length: int = LONG_TEXT, *, lines_allowed: bool = True) -> Check:
    """Non-empty text of at most `max_length` characters without control characters (a
    long text may hold tabs and line breaks; a title or a name none)."""

    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return _("must be text")
        if len(value) > max_length:
            return _too_long(max_length, len(value))
        found = control_character(value, lines_allowed=lines_allowed)
        return _describe(found) if found else None

    return check


def line(max_length: int) -> Check:
    """Text of one line: a title, a name, a publisher."""
    return text(max_length, lines_allowed=False)


# Characters that show nothing, or change the direction of what follows: a name or a title
# made only of them reads as empty, and one beginning with one (a right-to-left override)
# shows other text than it holds. Unicode's format characters (Cf: U+200B-U+200F, U+202A-U+202E,
# U+2060-U+2069, U+FEFF, U+061C, U+00AD...) and the fillers that draw as blanks.
_BLANK_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _BLANK_FILLERS


def _describe_char(char: str) -> str:
    name = unicodedata.name(char, "").lower()
    return f"U+{ord(char):04X}" + (f", {name}" if name else "")


def visible_problem(value: str) -> str | None:
    """Why `value` (a name, a title) would not show what it holds: only invisible or
    direction-changing characters, or one of them first; else None."""
    shown = [char for char in value if not char.isspace() and not _invisible(char)]
    if not shown:
        return _("must hold visible letters, not only invisible or direction-changing characters")
    first = value.lstrip()[:1]
    if first and _invisible(first):
        return _(
            "must not begin with an invisible or direction-changing character (%(char)s)",
            char=_describe_char(first),
        )
    return None


def name(max_length: int, *, lines_allowed: bool = False) -> Check:
    """A name or a title: text (of one line, unless `lines_allowed`) that shows what it
    holds (`visible_problem`)."""
    line_check = text(max_length, lines_allowed=lines_allowed)

    def check(value: Any) -> str | None:
        return line_check(value) or visible_problem(value)

    return check


# A well-formed BCP 47 language tag (RFC 5646, section 2.1), as far as the archive uses one:
# a language of two or three letters (with extended subtags; the longer ones the RFC reserves
# are registered for none, and would let "english" pass), script, region, variants, extensions, private use; or a
# private-use tag alone. Case is free, as the RFC says.
_LANGUAGE_TAG = re.compile(
    r"""(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}
         (?:-[a-z]{4})?
         (?:-(?:[a-z]{2}|[0-9]{3}))?
         (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
         (?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*
         (?:-x(?:-[a-z0-9]{1,8})+)?
       |x(?:-[a-z0-9]{1,8})+)""",
    re.IGNORECASE | re.VERBOSE | re.ASCII,
)


def language_tag(max_length: int) -> Check:
    """A BCP 47 language tag (`ar`, `en-GB`, `apc-Arab`) of at most `max_length` characters."""

    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not _LANGUAGE_TAG.fullmatch(value):
            shown = value if isinstance(value, str) else type(value).__name__
            return _(
                "must be a language tag (BCP 47) such as 'ar', 'en' or 'en-GB', not %(value)s",
                value=repr(shown),
            )
        if len(value) > max_length:
            return _too_long(max_length, len(value))
        return None

    return check


def text_list(max_length: int = 300, max_items: int = 100) -> Check:
    """A list of short text items (interviewers, spellings, roles)."""
    item_check = line(max_length)

    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return _("must be a list of text items")
        if len(value) > max_items:
            return _(
                "must be a list of at most %(limit)s items (this has %(count)s)",
                limit=format(max_items, ","),
                count=format(len(value), ","),
            )
        for item in value:
            problem = item_check(item)
            if problem == "must be text":
                return _("has an empty item")
            if problem:
                return _("has an item that %(problem)s", problem=problem)
        return None

    return check


def slug(max_length: int = 160) -> Check:
    """A check that a value is a slug (lower-case letters, digits, single hyphens) of at most
    `max_length` characters."""

    def check(value: Any) -> str | None:
        if isinstance(value, str) and SLUG_RE.match(value) and len(value) <= max_length:
            return None
        return _(
            "must be a slug: lower-case letters, digits and single hyphens (e.g. "
            "'narrator-slug-2017'), at most %(limit)s characters",
            limit=max_length,
        )

    return check


def whole_number(below: int) -> Check:
    """A check that a value is a whole number from 0 to `below` - 1."""

    def check(value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < below:
            return None
        return _("must be a whole number from 0 to %(highest)s", highest=below - 1)

    return check


def url(value: Any) -> str | None:
    """An address a reader may follow: http or https, with a host, on one line."""
    if not isinstance(value, str) or not value.strip():
        return _("must be text")
    if len(value) > URL_LENGTH:
        return _too_long(URL_LENGTH, len(value))
    if control_character(value) or re.search(r"\s", value):
        return _("must be one web address, without spaces or line breaks")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return _("must be a web address beginning with http:// or https://")
    return None


def date(earliest: dt.date | None = None, *, up_to_today: bool = False) -> Check:
    """A date written YYYY-MM-DD (kept as text), within the given bounds."""

    def check(value: Any) -> str | None:
        written = isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
        try:
            day = dt.date.fromisoformat(value) if written else None
        except ValueError:
            day = None
        if day is None and written:
            return _impossible_date(value)
        if day is None:
            return _("must be a date written YYYY-MM-DD, not %(value)s", value=repr(value))
        if earliest and day < earliest or up_to_today and day > dt.date.today():
            first = str(earliest or "0001-01-01")
            if up_to_today:
                return _(
                    "must be a date from %(first)s to today, not %(value)s",
                    first=first,
                    value=value,
                )
            return _(
                "must be a date from %(first)s to 9999, not %(value)s", first=first, value=value
            )
        return None

    return check


interview_date = date(EARLIEST_INTERVIEW, up_to_today=True)

MONTHS = [
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]


def _impossible_date(value: str) -> Message:
    # Written as asked but not on the calendar: say which part does not exist, not that the
    # form of writing is wrong.
    year, month, day = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12:
        return _("is not a date: there is no month %(month)s (months run 01 to 12)", month=month)
    return _(
        "is not a date: there is no %(day)s %(month)s %(year)s",
        day=day,
        month=MONTHS[month - 1],
        year=year,
    )


def megabytes(size: int) -> str:
    """A size in bytes as a reader reads a limit: "5 MB"."""
    return f"{size / (1024 * 1024):g} MB"


def too_large(what: str, limit: int) -> Message:
    """The one sentence for a transcript, or its file, over the size limit (`limit` bytes)."""
    return _("%(what)s is larger than the limit of %(limit)s", what=what, limit=megabytes(limit))


def long_passage(passages: list[str]) -> tuple[int, str] | None:
    """(index, message) of the first passage longer than `PASSAGE_CHARACTERS`, else None.

    A passage is the unit of search and of citation: one of many pages (a transcript that was
    never split into paragraphs) would be cited and searched as one, at a cost in time and
    memory that grows with it (a 10 MB paragraph took 116 s and 1.17 GB to import).
    """
    for index, passage in enumerate(passages):
        if len(passage) > PASSAGE_CHARACTERS:
            return index, _(
                "passage %(number)s is %(length)s characters long; a passage may be at most "
                "%(limit)s: split it into paragraphs at blank lines",
                number=index + 1,
                length=format(len(passage), ","),
                limit=format(PASSAGE_CHARACTERS, ","),
            )
    return None


def transcript_problem(body: str) -> tuple[int, str] | None:
    """(line within `body`, message) for a transcript that holds a control character other
    than tab and newline; else None. Line endings are to be unified first."""
    found = control_character(body, lines_allowed=True)
    if not found:
        return None
    return body.count("\n", 0, found.start()), _(
        "the transcript %(problem)s", problem=_describe(found)
    )


# --- YAML -----------------------------------------------------------------------------------


class UnsafeYaml(yaml.MarkedYAMLError):
    """YAML refused before it is read: an anchor, an alias, too deep or too large."""


def check_yaml_structure(text: str, max_bytes: int) -> None:
    """Raise `UnsafeYaml` (with the line) for YAML that is too large, nested deeper than
    `YAML_DEPTH`, or uses anchors or aliases; read event by event, so nothing is built."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise UnsafeYaml(
            problem=f"it is {size:,} bytes long; the limit is {max_bytes:,}", problem_mark=None
        )
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UnsafeYaml(
                problem="anchors and aliases (&name, *name) are not accepted; write each value out",
                problem_mark=event.start_mark,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > YAML_DEPTH:
                raise UnsafeYaml(
                    problem=f"it is nested more than {YAML_DEPTH} levels deep",
                    problem_mark=event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
