"""Storing a generated collection fast, with the same rows as the importer stores.

`importer.store_testimony` takes one file at a time: it reads the YAML, looks up the events,
the narrator and the testimony, reloads the linking rules, and the session flushes a few
rows at a time. For a million passages that is over an hour. Here every value stored is
still decided by the importer's own functions (`fill_narrator`, `fill_testimony`: fields,
passage numbers, event links, proposed context links), on objects that no session holds:
with the front matter taken as data instead of YAML, the rules loaded once, the testimonies
made into rows by worker processes (most of the time goes to proposing links), and the rows
inserted by this process a batch at a time.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import groupby, islice
from typing import Any, Protocol

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.interfaces import MANYTOONE, ONETOMANY

from oralhistory.collection import validation
from oralhistory.record.models import Narrator, Testimony
from oralhistory.services.importer import (
    InvalidFile,
    TestimonyFile,
    check_testimony_meta,
    fill_narrator,
    fill_testimony,
    split_passages,
)
from oralhistory.services.linking import Rules, link_testimony

# The rows a testimony holds (passages, event links, context links...), table by table.
HELD = [r for r in inspect(Testimony).relationships if r.direction is ONETOMANY]
# testimonies a worker makes into rows at a time
CHUNK = 25


class TestimonySource(Protocol):
    """A testimony given as data: what a testimony file's front matter and text hold."""

    slug: str

    def meta(self) -> dict: ...

    def transcript(self) -> str: ...


# (narrator row, testimony row, the rows it holds by table), without the ids the database gives
TestimonyRows = tuple[dict[str, Any], dict[str, Any], list[list[dict[str, Any]]]]


def testimony_file(source: TestimonySource) -> TestimonyFile:
    """The testimony as `importer.parse_testimony` reads it from its file, without the YAML;
    raise `InvalidFile` for what the importer would refuse."""
    name = f"{source.slug}.md"
    meta, transcript = source.meta(), source.transcript()
    problems: list[tuple[int | None, str]] = [
        (None, message) for _path, message in check_testimony_meta(meta)
    ]
    control = validation.transcript_problem(transcript)
    if control:
        problems.append((None, control[1]))
    passages = split_passages(transcript)
    if not passages:
        problems.append((None, "the testimony has no text after the front matter"))
    if problems:
        raise InvalidFile(name, problems)
    return TestimonyFile(name, meta, passages)


def store_testimonies(
    session: Session,
    sources: Iterable[TestimonySource],
    batch: int = 500,
    processes: int | None = None,
) -> None:
    """Store testimonies new to the record with the rows `importer.store_testimony` would
    store for their files, committing every `batch` testimonies; `processes` (by default
    one per core) make the rows, 1 makes them in this process.

    The timeline must be stored first. A testimony or a narrator already in the record is
    refused by the database (the importer would update it instead); the testimonies of one
    narrator must agree on the narrator.
    """
    rules = Rules.load(session)
    processes = processes or os.cpu_count() or 1
    chunks = _chunks(iter(sources), CHUNK)
    narrators: dict[str, tuple[int, dict[str, Any]]] = {}  # slug -> id, row, once stored
    if processes == 1:
        _start_worker(rules)
        _store(session, map(_rows_of, chunks), batch, narrators)
        return
    # spawned, not forked: a worker inherits neither the database connection nor the memory
    # holding the collection
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_start_worker, initargs=(rules,)) as pool:
        _store(session, pool.imap(_rows_of, chunks), batch, narrators)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def _store(
    session: Session,
    chunks: Iterable[list[TestimonyRows]],
    batch: int,
    narrators: dict[str, tuple[int, dict[str, Any]]],
) -> None:
    testimonies: list[TestimonyRows] = []
    for chunk in chunks:
        testimonies += chunk
        if len(testimonies) >= batch:
            _insert(session, testimonies, narrators)
            testimonies = []
    _insert(session, testimonies, narrators)


# --- in a worker process ----------------------------------------------------------------------

_rules: Rules | None = None


def _start_worker(rules: Rules) -> None:
    global _rules
    _rules = rules


def _rows_of(sources: list[TestimonySource]) -> list[TestimonyRows]:
    """The rows of each testimony, as the importer's functions make them."""
    assert _rules is not None
    # `fill_testimony` is given a session that holds nothing and never will: the objects it
    # fills are made into rows, not flushed.
    session = Session()
    made = []
    for source in sources:
        parsed = testimony_file(source)
        meta = parsed.meta
        narrator = Narrator(slug=meta["narrator"]["slug"])
        fill_narrator(narrator, meta["narrator"])
        testimony = Testimony(slug=meta["slug"])
        events = [_rules.events[slug] for slug in meta.get("events") or []]
        fill_testimony(session, testimony, parsed, narrator, events)
        link_testimony(session, testimony, _rules)
        held = [[_row(item) for item in getattr(testimony, r.key)] for r in HELD]
        made.append((_row(narrator), _row(testimony), held))
    return made


def _row(obj: Any) -> dict[str, Any]:
    """The row of an object no session holds, as a session would insert it: the columns set
    (one left unset or None gets its default), and each foreign key whose object has an id."""
    state = inspect(obj)
    values = state.dict
    columns, foreign_keys = _columns(state.mapper)
    row = {key: value for key in columns if (value := values.get(key)) is not None}
    for relationship, ours, theirs in foreign_keys:
        target = values.get(relationship)
        if target is not None and getattr(target, theirs) is not None:
            row[ours] = getattr(target, theirs)
    return row


@cache
def _columns(mapper: Mapper) -> tuple[list[str], list[tuple[str, str, str]]]:
    """A model's columns, and its foreign keys as (relationship, column, column it refers to)."""
    foreign_keys = [
        (relationship.key, ours.key, theirs.key)
        for relationship in mapper.relationships
        if relationship.direction is MANYTOONE
        for ours, theirs in relationship.local_remote_pairs
    ]
    return [attribute.key for attribute in mapper.column_attrs], foreign_keys


# --- in this process ---------------------------------------------------------------------------


def _insert(
    session: Session,
    testimonies: list[TestimonyRows],
    narrators: dict[str, tuple[int, dict[str, Any]]],
) -> None:
    """Insert the testimonies, their new narrators and the rows each testimony holds, in the
    order the importer's session would (the ids follow it), then commit."""
    new: dict[str, dict[str, Any]] = {}
    for narrator, _, _ in testimonies:
        slug = narrator["slug"]
        first = narrators[slug][1] if slug in narrators else new.setdefault(slug, narrator)
        if first != narrator:
            raise ValueError(f"the testimonies of {slug} differ on the narrator")
    rows = list(new.values())
    for narrator_id, row in zip(_insert_rows(session, Narrator, rows), rows):
        narrators[row["slug"]] = (narrator_id, row)
    rows = [
        {**testimony, "narrator_id": narrators[narrator["slug"]][0]}
        for narrator, testimony, _ in testimonies
    ]
    ids = _insert_rows(session, Testimony, rows)
    for index, relationship in enumerate(HELD):
        rows = [
            {**row, "testimony_id": testimony_id}
            for testimony_id, (_, _, held) in zip(ids, testimonies)
            for row in held[index]
        ]
        for run in _runs(rows):
            session.execute(insert(relationship.mapper.local_table), run)
    session.commit()


def _insert_rows(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the rows; return their ids, in the same order."""
    table = inspect(model).local_table
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row_id for run in _runs(rows) for row_id in session.scalars(statement, run)]


def _runs(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    # One insert takes rows of the same columns: the rows in order, cut where they change.
    return [list(run) for _keys, run in groupby(rows, key=dict.keys)]
