"""Reading the collection's files: validate first, then store; a bad file stores nothing.

Every problem is reported with the file's name and the line it is on, so that the person who
wrote the file can mend it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from . import problems, revisions
from . import validation as valid
from .anchors import match_passages
from .errors import InvalidFile
from .gazetteer import names_in
from .linking import link_testimony
from .messages import _
from .models import (
    ACCESS_LEVELS,
    DATE_PRECISIONS,
    Event,
    Figure,
    Narrator,
    Passage,
    Place,
    RemovedPassage,
    Source,
    Testimony,
    TestimonyEvent,
)
from .unit_of_work import UnitOfWork

EDITOR_NOTE_RE = re.compile(r"\s*\[Ed\.:\s*(?P<note>.+?)\]\s*$", re.DOTALL)


# --- YAML with line numbers ---------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so that a bad date is reported with its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class _Document:
    data: Any
    lines: dict[tuple, int]
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    # the field each problem is about, for the archivist's form
    paths: list[tuple] = field(default_factory=list)

    def line(self, path: tuple) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append((self.line(path), message))
        self.paths.append(path)


def _parse_yaml(
    text: str, first_line: int = 1, max_bytes: int = valid.FRONT_MATTER_BYTES
) -> _Document:
    """Parse YAML, recording the line of every key and list item; raise on bad YAML, and on
    YAML that `validation.check_yaml_structure` refuses (before anything is built)."""
    valid.check_yaml_structure(text, max_bytes)
    lines: dict[tuple, int] = {}
    problems: list[tuple[int | None, str]] = []

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + first_line
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append((line, "a key must be a name, not a list or a mapping"))
                    continue
                key = key_node.value
                if key in seen:
                    problems.append((line, f"'{key}' is given twice"))
                seen.add(key)
                lines[path + (key,)] = line
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + first_line
                walk(item, path + (index,))

    node = yaml.compose(text, Loader=_Loader)
    if node is not None:
        walk(node, ())
    data = yaml.load(text, Loader=_Loader)
    return _Document(data, lines, problems)


def _yaml_error(name: str, error: yaml.YAMLError, first_line: int) -> InvalidFile:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + first_line if mark else first_line
    problem = getattr(error, "problem", None) or str(error)
    if isinstance(error, valid.UnsafeYaml):
        return InvalidFile(name, [(line, f"this YAML cannot be accepted: {problem}")])
    return InvalidFile(name, [(line, f"this is not valid YAML: {problem}")])


# --- field rules ----------------------------------------------------------------------------


def _slug_list(value: Any) -> str | None:
    if isinstance(value, list) and all(_slug(item) is None for item in value):
        return None
    return _("must be a list of slugs")


def _one_of(choices: tuple[str, ...]):
    def check(value: Any) -> str | None:
        return (
            None
            if value in choices
            else _("must be one of: %(choices)s", choices=", ".join(choices))
        )

    return check


# The rules (from `validation`, shared with the form); lengths are those of the columns.
_text = valid.text()
_slug = valid.slug(160)
_date = valid.date()
_text_list = valid.text_list()
_url = valid.url


NARRATOR_FIELDS = {
    "slug": (valid.slug(120), True),
    "name": (valid.name(200), True),
    "name_arabic": (valid.name(200), False),
    "name_arabic_note": (_text, False),
    "spellings": (_text_list, False),
    "age_at_interview": (valid.whole_number(150), False),
    "origin": (_text, False),
    "residence": (_text, False),
    "roles": (_text_list, False),
    "biography": (_text, False),
}
CITATION_FIELDS = {
    "publisher": (valid.line(300), True),
    # the title it was published under; when missing, the testimony's own title
    "title": (valid.name(300), False),
    "date": (valid.date(valid.EARLIEST_INTERVIEW, up_to_today=True), False),
    "url": (_url, False),
    "editing_note": (_text, False),
    "partnership_note": (_text, False),
}
TESTIMONY_FIELDS = {
    "slug": (_slug, True),
    "title": (valid.name(300), True),
    "narrator": (NARRATOR_FIELDS, True),
    "interview_date": (valid.interview_date, True),
    "interview_date_precision": (_one_of(DATE_PRECISIONS), False),
    "interview_date_note": (_text, False),
    "language": (valid.language_tag(10), False),
    "original_language": (valid.language_tag(10), False),
    "interviewers": (_text_list, True),
    "citation": (CITATION_FIELDS, True),
    "rights": (_text, True),
    "access": (_one_of(ACCESS_LEVELS), True),
    "events": (_slug_list, False),
    # the recording and its times, paths relative to the testimony file (`recording_files`)
    "recording": ({"file": (valid.line(300), True), "timecodes": (valid.line(300), False)}, False),
}
# a title of the timeline may run over lines, as its sources' titles do
_title = valid.name(valid.LONG_TEXT, lines_allowed=True)
SOURCE_FIELDS = {
    "slug": (_slug, True),
    "title": (_title, True),
    "publisher": (valid.line(300), False),
    "date": (valid.line(10), False),
    "url": (_url, False),
    "note": (_text, False),
}
PLACE_FIELDS = {
    "slug": (_slug, True),
    "name": (valid.name(200), True),
    "name_arabic": (valid.name(200), False),
    "variants": (_text_list, False),
    "parent": (_slug, False),
    "kind": (valid.line(40), False),
}
CITED_SOURCE_FIELDS = {"source": (_slug, True), "locator": (_text, False), "note": (_text, False)}
EVENT_FIELDS = {
    "slug": (_slug, True),
    "date": (_date, True),
    "end_date": (_date, False),
    "date_precision": (_one_of(DATE_PRECISIONS), False),
    "title": (_title, True),
    "summary": (_text, True),
    "places": (_slug_list, False),
    "sources": ([CITED_SOURCE_FIELDS], True),
    "cues": (_text_list, False),
    "organisations": (_text_list, False),
}
FIGURE_VALUE_FIELDS = {
    "value": (_text, True),
    "source": (_slug, True),
    "locator": (_text, False),
    "note": (_text, False),
}
FIGURE_FIELDS = {
    "slug": (_slug, True),
    "title": (_title, True),
    "event": (_slug, False),
    "values": ([FIGURE_VALUE_FIELDS], True),
}
TIMELINE_FIELDS = {
    "sources": ([SOURCE_FIELDS], True),
    "places": ([PLACE_FIELDS], True),
    "events": ([EVENT_FIELDS], True),
    "figures": ([FIGURE_FIELDS], False),
}


def _check(doc: _Document, value: Any, rules: Any, path: tuple) -> None:
    """Check `value` against `rules` (a check function, a field dict or a one-item list)."""
    where = ".".join(str(part) for part in path) or "the file"
    if isinstance(rules, dict):
        if not isinstance(value, dict):
            doc.problem(path, problems.at(where, _("must be a mapping of fields")))
            return
        for key in value:
            if key not in rules:
                known = ", ".join(rules)
                doc.problem(path + (key,), f"unknown field '{key}' (known fields: {known})")
        for key, (rule, required) in rules.items():
            if key in value and value[key] is not None:
                _check(doc, value[key], rule, path + (key,))
            elif required:
                doc.problem(path + (key,), problems.missing(key, where))
    elif isinstance(rules, list):
        if not isinstance(value, list) or not value:
            doc.problem(path, problems.at(where, _("must be a non-empty list")))
            return
        for index, item in enumerate(value):
            _check(doc, item, rules[0], path + (index,))
    else:
        message = rules(value)
        if message:  # kept as data (a `Message`), for the form to word in its reader's language
            doc.problem(path, problems.at(where, message))


def _check_unique(doc: _Document, items: list[dict], list_name: str) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        slug = item.get("slug") if isinstance(item, dict) else None
        if slug in seen:
            doc.problem((list_name, index, "slug"), f"slug '{slug}' is used twice in {list_name}")
        if isinstance(slug, str):
            seen.add(slug)
    return seen


# --- testimonies ----------------------------------------------------------------------------


@dataclass
class PassageText:
    text: str
    editor_note: str | None = None


@dataclass
class TestimonyFile:
    """A testimony file that passed validation: its front matter and its passages."""

    name: str
    meta: dict[str, Any]
    passages: list[PassageText]
    # False when the testimony comes from the archivist's form rather than a file
    from_file: bool = True
    # the line of each field of the front matter, by its path
    lines: dict[tuple, int] = field(default_factory=dict)


def check_testimony_meta(meta: dict[str, Any]) -> list[tuple[tuple, str]]:
    """The problems of a testimony's front matter given as data, each with the path of the
    field it is about: the same rules as for a file, for the archivist's form."""
    doc = _Document(meta, {})
    _check(doc, meta, TESTIMONY_FIELDS, ())
    return [(path, message) for path, (_line, message) in zip(doc.paths, doc.problems)]


def split_passages(text: str) -> list[PassageText]:
    """Split a transcript into passages: one per paragraph (paragraphs end at a blank line).

    Text is kept as written; only line endings are unified and the space around a paragraph
    trimmed. A closing `[Ed.: ...]` becomes the passage's editorial note.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    passages = []
    for block in re.split(r"\n[ \t]*\n", text):
        block = block.strip()
        if not block:
            continue
        note = None
        match = EDITOR_NOTE_RE.search(block)
        if match and match.start() > 0:
            note = match.group("note").strip()
            block = block[: match.start()].rstrip()
        passages.append(PassageText(block, note))
    return passages


def parse_testimony(text: str, name: str) -> TestimonyFile:
    """Validate a testimony file's text; raise `InvalidFile` naming every problem and line."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise InvalidFile(name, [(1, "the file must begin with '---' and YAML front matter")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InvalidFile(name, [(1, "the front matter is not closed by a '---' line")]) from None
    try:
        doc = _parse_yaml("\n".join(lines[1:end]), first_line=2)
    except yaml.YAMLError as error:
        raise _yaml_error(name, error, 2) from None
    _check(doc, doc.data, TESTIMONY_FIELDS, ())
    body = "\n".join(lines[end + 1 :])
    control = valid.transcript_problem(body.replace("\r", "\n"))
    if control:
        doc.problems.append((end + 2 + control[0], control[1]))
    passages = split_passages(body)
    if not passages:
        doc.problems.append((end + 2, "the testimony has no text after the front matter"))
    too_long = valid.long_passage([passage.text for passage in passages])
    if too_long:
        index, message = too_long
        start = body.find(passages[index].text[:200])
        doc.problems.append((end + 2 + body.count("\n", 0, max(start, 0)), message))
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    return TestimonyFile(name, doc.data, passages, lines=doc.lines)


def read_testimony_file(path: Path, max_bytes: int | None = None) -> TestimonyFile:
    """Read and validate one testimony file from disk; one larger than `max_bytes` (the form's
    limit for a transcript) is refused before it is read."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise InvalidFile(str(path), [(None, valid.too_large("the file", max_bytes))])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(str(path), [(None, f"is not UTF-8 text ({error.reason})")]) from None
    except OSError as error:
        raise InvalidFile(str(path), [(None, f"cannot be read: {error.strerror}")]) from None
    return parse_testimony(text, str(path))


def _apply(obj: Any, values: dict[str, Any]) -> None:
    # Setting an attribute to the value it already has leaves the row unchanged on flush.
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def upsert_narrator(session: Session, meta: dict[str, Any]) -> Narrator:
    """Find the narrator by slug, creating it, and bring its fields up to `meta`."""
    narrator = session.scalar(select(Narrator).where(Narrator.slug == meta["slug"]))
    if narrator is None:
        narrator = Narrator(slug=meta["slug"])
        session.add(narrator)
    fill_narrator(narrator, meta)
    return narrator


def fill_narrator(narrator: Narrator, meta: dict[str, Any]) -> None:
    """Bring the narrator's fields up to `meta` (a testimony's `narrator` front matter)."""
    _apply(
        narrator,
        {
            "name": meta["name"],
            "name_arabic": meta.get("name_arabic"),
            "name_arabic_note": meta.get("name_arabic_note"),
            "spellings": list(meta.get("spellings") or []),
            "age_at_interview": meta.get("age_at_interview"),
            "origin": meta.get("origin"),
            "residence": meta.get("residence"),
            "roles": list(meta.get("roles") or []),
            "biography": (meta.get("biography") or "").strip() or None,
        },
    )


def store_testimony(session: Session, parsed: TestimonyFile) -> Testimony:
    """Store a validated testimony file (creating or replacing by slug) in `session`.

    The caller's unit of work commits; on any error nothing of the file is kept. The links
    the rules propose are not made here: the caller asks for them (`linking.link_testimony`).
    """
    meta = parsed.meta
    events = []
    for index, slug in enumerate(meta.get("events") or []):
        event = session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise InvalidFile(
                parsed.name, [(None, f"'events.{index}' names an unknown event '{slug}'")]
            )
        events.append(event)
    narrator = upsert_narrator(session, meta["narrator"])
    testimony = session.scalar(select(Testimony).where(Testimony.slug == meta["slug"]))
    if testimony is None:
        testimony = Testimony(slug=meta["slug"])
        session.add(testimony)
    fill_testimony(session, testimony, parsed, narrator, events)
    return testimony


def fill_testimony(
    session: Session,
    testimony: Testimony,
    parsed: TestimonyFile,
    narrator: Narrator,
    events: list[Event],
) -> None:
    """Make `testimony` hold what `parsed` says, told by `narrator` of `events` (the events
    its front matter names): its fields, its passages and its event links. Nothing is looked
    up: this is `store_testimony` once the narrator, the testimony and the events are found.
    The context links the rules propose are the writer's to ask for (`linking.link_testimony`).
    """
    meta = parsed.meta
    citation = {key: value for key, value in meta["citation"].items() if value}
    _apply(
        testimony,
        {
            "narrator": narrator,
            "title": meta["title"],
            "interview_date": dt.date.fromisoformat(meta["interview_date"]),
            "interview_date_precision": meta.get("interview_date_precision") or "day",
            "interview_date_note": meta.get("interview_date_note"),
            "language": meta.get("language") or "en",
            "original_language": meta.get("original_language"),
            "interviewers": list(meta["interviewers"]),
            "citation": citation,
            "rights": meta["rights"],
            "access": meta["access"],
            "source_file": Path(parsed.name).name if parsed.from_file else testimony.source_file,
        },
    )
    replace_passages(testimony, parsed.passages)
    wanted = {event.id for event in events}
    testimony.event_links = [link for link in testimony.event_links if link.event_id in wanted]
    have = {link.event_id for link in testimony.event_links}
    testimony.event_links += [TestimonyEvent(event=e) for e in events if e.id not in have]


def replace_passages(testimony: Testimony, passages: list[PassageText]) -> bool:
    """Make the testimony's passages read as `passages`; return whether anything changed.

    Passages keep their anchors through the change (`anchors.match_passages`), and their
    times in the recording; a timed passage whose words changed is marked `timing_stale`. A
    new one gets the next number never given, and a removed one's number is kept as removed.
    """
    current = list(testimony.passages)
    if [(p.text, p.editor_note) for p in current] == [(p.text, p.editor_note) for p in passages]:
        return False
    matches = match_passages([p.text for p in current], [p.text for p in passages])
    kept = {index for index in matches if index is not None}
    last = max([testimony.last_passage_number or 0, *(p.number for p in current)])
    for index, passage in enumerate(current):
        if index not in kept:
            testimony.removed_passages.append(RemovedPassage(number=passage.number))
    # Out of the way first, so that no two rows hold one position while they move.
    testimony.passages = [current[index] for index in sorted(kept)]
    for passage in testimony.passages:
        passage.position = -passage.position
    session = object_session(testimony)
    if session is not None and current:
        session.flush()
    ordered = []
    for position, (new, index) in enumerate(zip(passages, matches), start=1):
        if index is None:
            last += 1
            passage = Passage(number=last)
        else:
            passage = current[index]
            if passage.timing and passage.text != new.text:
                passage.timing_stale = True  # its times stay, to be checked against its words
        passage.position = position
        _apply(passage, {"text": new.text, "editor_note": new.editor_note})
        ordered.append(passage)
    testimony.passages = ordered
    testimony.last_passage_number = last
    return True


# --- timeline -------------------------------------------------------------------------------


def parse_timeline(text: str, name: str) -> dict[str, Any]:
    """Validate the timeline file; raise `InvalidFile` naming every problem and line."""
    try:
        doc = _parse_yaml(text, max_bytes=valid.TIMELINE_BYTES)
    except yaml.YAMLError as error:
        raise _yaml_error(name, error, 1) from None
    _check(doc, doc.data, TIMELINE_FIELDS, ())
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    data = doc.data
    sources = _check_unique(doc, data["sources"], "sources")
    places = _check_unique(doc, data["places"], "places")
    events = _check_unique(doc, data["events"], "events")
    _check_unique(doc, data.get("figures") or [], "figures")
    listed: set[str] = set()
    for index, place in enumerate(data["places"]):
        if place.get("parent") and place["parent"] not in listed:
            doc.problem(
                ("places", index, "parent"),
                f"parent place '{place['parent']}' must be listed before '{place['slug']}'",
            )
        listed.add(place["slug"])
    for index, event in enumerate(data["events"]):
        for p_index, slug in enumerate(event.get("places") or []):
            if slug not in places:
                doc.problem(("events", index, "places", p_index), f"unknown place '{slug}'")
        for s_index, cited in enumerate(event["sources"]):
            if cited["source"] not in sources:
                where = ("events", index, "sources", s_index, "source")
                doc.problem(where, f"unknown source '{cited['source']}'")
        if event.get("end_date") and event["end_date"] < event["date"]:
            doc.problem(("events", index, "end_date"), "'end_date' is before 'date'")
        told = f"{event['title']} {event['summary']}"
        for o_index, organisation in enumerate(event.get("organisations") or []):
            if not names_in(told, organisation):
                doc.problem(
                    ("events", index, "organisations", o_index),
                    f"the organisation '{organisation}' is not named in the event's summary",
                )
    for index, figure in enumerate(data.get("figures") or []):
        if figure.get("event") and figure["event"] not in events:
            doc.problem(("figures", index, "event"), f"unknown event '{figure['event']}'")
        for v_index, value in enumerate(figure["values"]):
            if value["source"] not in sources:
                where = ("figures", index, "values", v_index, "source")
                doc.problem(where, f"unknown source '{value['source']}'")
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    return data


def _upsert(session: Session, model: type, slug: str) -> Any:
    obj = session.scalar(select(model).where(model.slug == slug))
    if obj is None:
        obj = model(slug=slug)
        session.add(obj)
    return obj


def store_timeline(session: Session, data: dict[str, Any]) -> None:
    """Create or update sources, places, events and figures by slug. The caller commits."""
    with session.no_autoflush:
        _store_timeline(session, data)


def _store_timeline(session: Session, data: dict[str, Any]) -> None:
    for item in data["sources"]:
        _apply(
            _upsert(session, Source, item["slug"]),
            {key: item.get(key) for key in ("title", "publisher", "date", "url", "note")},
        )
    places: dict[str, Place] = {}
    for item in data["places"]:  # a parent is always listed before its parts
        place = places[item["slug"]] = _upsert(session, Place, item["slug"])
        parent = places[item["parent"]] if item.get("parent") else None
        _apply(
            place,
            {
                "name": item["name"],
                "name_arabic": item.get("name_arabic"),
                "variants": list(item.get("variants") or []),
                "kind": item.get("kind"),
                "parent": parent,
            },
        )
    for item in data["events"]:
        _apply(
            _upsert(session, Event, item["slug"]),
            {
                "date": dt.date.fromisoformat(item["date"]),
                "end_date": dt.date.fromisoformat(item["end_date"])
                if item.get("end_date")
                else None,
                "date_precision": item.get("date_precision") or "day",
                "title": item["title"],
                "summary": item["summary"].strip(),
                "place_slugs": list(item.get("places") or []),
                "sources": [dict(cited) for cited in item["sources"]],
                "cues": list(item.get("cues") or []),
                "organisations": list(item.get("organisations") or []),
            },
        )
    for item in data.get("figures") or []:
        _apply(
            _upsert(session, Figure, item["slug"]),
            {
                "title": item["title"],
                "event_slug": item.get("event"),
                "values": [dict(value) for value in item["values"]],
            },
        )


def read_timeline_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(str(path), [(None, f"is not UTF-8 text ({error.reason})")]) from None
    return parse_timeline(text, str(path))


def testimony_paths(transcripts_dir: Path) -> list[Path]:
    """The collection's testimony files, in a stable order (not the translation files beside
    them, `<slug>.<lang>.md`, which are imported with their testimony)."""
    return sorted(p for p in (transcripts_dir / "testimonies").glob("*.md") if "." not in p.stem)


@dataclass
class ImportReport:
    stored: list[Testimony] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    invalid: list[InvalidFile] = field(default_factory=list)
    # files whose testimony is stored as they have it already: nothing was changed
    unchanged: list[str] = field(default_factory=list)
    # files not imported over an archivist's changes (without `replace`): why, per file
    refused: list[str] = field(default_factory=list)
    # what the archivist should know of a stored file (a recording without times)
    notes: list[str] = field(default_factory=list)


def import_testimonies(
    session: Session,
    paths: Iterable[Path],
    *,
    keep_existing: bool = False,
    replace: bool = False,
    max_bytes: int | None = None,
    store: Any = None,
) -> ImportReport:
    """Validate and store testimony files, each in a unit of work of its own with its
    revision (by `revisions.IMPORT_AUTHOR`), its change-log row and the links the rules
    propose. The caller brings the index up to date once after (`index_follower.follow_commit`).

    With `keep_existing`, a testimony already in the database is left as it is. Otherwise the
    file replaces it, unless an archivist has changed it since it was last imported: then
    the file is refused, unless `replace` is given (and the history says so). A file larger
    than `max_bytes` (the form's limit, `MAX_TRANSCRIPT_BYTES`) is refused unread.

    A file's `recording` (`recording_files`) is kept in `store` (a `MediaStore`), checked
    first; a file naming one is refused when no store is given.
    """
    from . import recording_files, translation_file

    report = ImportReport()
    for path in translation_file.testimony_paths_for(paths):
        new_sha = None
        try:
            # each file in its own unit of work: a bad file leaves the others stored
            with UnitOfWork(session, index=False) as work:
                stored = _import_one(
                    session, work, path, report, max_bytes, keep_existing, replace, store
                )
                if stored is None:
                    work.discard()  # skipped or refused: nothing to commit
                else:
                    testimony, new_sha, planned = stored
        except InvalidFile as invalid:
            recording_files.forget_unused(session, store, new_sha)
            report.invalid.append(invalid)
            continue
        if stored is None or not work.committed:
            continue
        report.stored.append(testimony)
        note = recording_files.untimed_note(testimony) if planned is not None else None
        if note:
            report.notes.append(note)
            _queue_alignment(session, testimony)
    return report


def _queue_alignment(session: Session, testimony: Testimony) -> None:
    """A recording imported without times is queued for automatic alignment."""
    from . import align_jobs

    try:
        align_jobs.queue(session, testimony.id, revisions.IMPORT_AUTHOR)
    except align_jobs.AlignmentRefused:
        pass


def _import_one(
    session: Session,
    work: UnitOfWork,
    path: Path,
    report: ImportReport,
    max_bytes: int | None,
    keep_existing: bool,
    replace: bool,
    store: Any,
) -> tuple[Testimony, str | None, Any] | None:
    """Store one testimony file, and its texts in other languages from the files beside it,
    in `work`; None when it is left as it is (said in `report`); else the testimony, the
    SHA-256 of a recording file new to the store, and the plan of its recording. `work` is
    discarded when the file changes nothing."""
    from . import recording_files, translation_file

    parsed = read_testimony_file(path, max_bytes)
    slug = parsed.meta["slug"]
    existing = session.scalar(select(Testimony).where(Testimony.slug == slug))
    if existing is not None and keep_existing:
        report.skipped.append(slug)
        return None
    planned = recording_files.plan(parsed, store)
    overridden = existing and revisions.changed_since_import(session, existing)
    if overridden and not replace:
        report.refused.append(_refusal(path, slug, overridden))
        return None
    before = revisions.snapshot(existing) if existing is not None else None
    if existing is not None:
        revisions.keep_first_state(session, existing)
    testimony = store_testimony(session, parsed)
    link_testimony(session, testimony)
    session.flush()
    translated = translation_file.store_translations_beside(testimony, path)
    session.flush()
    new_sha = None
    if planned is not None:
        new_sha = recording_files.bring_in(session, testimony, planned, store, str(path))
        session.flush()
    if before == revisions.snapshot(testimony):
        work.discard()
        report.unchanged.append(slug)
        return testimony, new_sha, planned
    summary = f"{'Replaced by' if existing else 'Imported from'} the file {path.name}"
    if overridden:
        summary += f" (with --replace, over revision {overridden.id} by {overridden.author})"
    if planned is not None:
        summary += f", with its recording {planned.path.name}"
    if translated:
        summary += f", with its texts in {', '.join(translated)}"
    work.record(testimony, "imported", revisions.IMPORT_AUTHOR, summary)
    return testimony, new_sha, planned


def _refusal(path: Path, slug: str, revision: Any) -> str:
    when = revision.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{path}: not imported: the testimony '{slug}' was changed in the archive by "
        f"{revision.author} on {when} ({revision.summary}) since it was last imported, and "
        "the file would undo that. Give --replace to replace it all the same (its history "
        "keeps both)."
    )
