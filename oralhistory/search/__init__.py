"""The search index: with `postings`, the only modules that talk to Whoosh.

The index is derived from the database and can be rebuilt from it at any time. It lives in
`INDEX_DIR` as numbered generations (`ix-<n>/`) with a `CURRENT` file naming the one in use:
a rebuild writes a new generation and switches `CURRENT` atomically, so readers in other
processes never see a half-built index. Every write, in any process, holds one file lock.
Each generation keeps in `LAST_CHANGE` the id of the last change-log row it reflects (see
`changes.py`, which brings it up to date). Files are read, never memory-mapped: a segment cut
under a mapped reader kills the process (SIGBUS); read, it raises an error, and a damaged
index is reported as `IndexDamaged`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, partial, wraps
from itertools import chain, islice
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import index, scoring
from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import QueryParser, plugins
from whoosh.query import And, AndMaybe, Every, NullQuery, Or, Phrase, Query, Term
from whoosh.searching import Results, Searcher

# the module, not its names: the gazetteer reads names with `analysis`, so it may be the one
# importing this package
from .. import gazetteer
from ..models import ChangeLog, Passage, Testimony
from . import arrays, marks, postings, querylang, ranking, snippets
from .analysis import (
    SpellingFilter,
    name_tokens,
    spelling_table,
    text_analyzer,
    text_tokens,
    vocabulary_analyzer,
)
from .querylang import QueryError
from .snippets import SNIPPET_CHARS  # noqa: F401 (part of the package's face)
from .timeline import TimelineMatch, TimelineMatcher
from .transliteration import NameKeyFilter, name_key_analyzer

WRITE_LOCK_TIMEOUT = 30.0
# A rebuild of this many passages or more is shared among the machine's cores (up to 4).
PARALLEL_BUILD_PASSAGES = 5000
BUILD_MEMORY_MB = 512  # per writing process: postings held in memory before spilling to disk
# Each facet lists this many values at most, those with most passages (and the chosen one).
FACET_VALUES = 25
# The fields a reader's words are looked for in, and how much a match in each counts.
FIELD_WEIGHTS = {"text": 1.0, "note": 0.5, "narrator_name": 2.0, "title": 0.5, "context": 0.3}
# The keys of the names in a passage and in what the archive says of its narrator
# (`transliteration`): a spelling nobody listed finds them, ranked below the exact spelling.
KEY_WEIGHTS = {"name_keys": 0.2, "narrator_keys": 0.2}
FIELD_WEIGHTS.update(KEY_WEIGHTS)
# How much naming a place the query names counts (see `_place_boost`).
PLACE_WEIGHT = 1.0
# BM25F; B is how much a long passage is discounted for its length (0: not at all, 1: fully).
# Measured with `python -m tests.relevance.tune`: the relevance set scores the same for every
# B from 0 to 0.75 and every weight tried, but from B=0.3 up (Whoosh's default is 0.75) a
# bare line "Jarablus." outranks a passage that says something of the place; 0.2 is the
# largest B that keeps that passage first with the weights above.
BM25_B = 0.2
BM25_K1 = 1.2


# --- the index on disk ----------------------------------------------------------------------


def build_schema(table: dict[str, str], names: Iterable[str] = ()) -> Schema:
    """The index's fields; `table` is the gazetteer's spelling table, `names` the words of
    every name it lists (read as names wherever they stand, for their keys)."""
    analyzer = text_analyzer(table)
    vocabulary = vocabulary_analyzer()
    keys = name_key_analyzer(frozenset(names).union(*(name.split() for name in table)))
    return Schema(
        passage_id=ID(stored=True, unique=True),
        testimony_id=ID(stored=True),
        position=NUMERIC(stored=True, sortable=True),
        narrator=ID(stored=True),
        # How much a match in each field counts is set at query time (FIELD_WEIGHTS).
        narrator_name=_RepeatedText(slot="narrator_name", stored=True, analyzer=analyzer),
        title=_RepeatedText(slot="title", analyzer=analyzer),
        # who the narrator is (biography, roles): finds a narrator's passages by what the
        # archive says of them, weighted below the narrator's own words
        context=_RepeatedText(slot="context", analyzer=analyzer),
        text=TEXT(stored=True, analyzer=analyzer, phrase=True),
        # the editor's note printed with the passage ("[Ed.: ...]"), apart from its words
        note=TEXT(stored=True, analyzer=analyzer, phrase=True),
        # the keys of the names in the passage's words and note, and in the narrator's names,
        # the title and what the archive says of the narrator
        name_keys=TEXT(analyzer=keys, phrase=True),
        narrator_keys=_RepeatedText(slot="narrator_keys", analyzer=keys),
        place=KEYWORD(stored=True, commas=True, scorable=True),
        event=KEYWORD(stored=True, commas=True),
        year=ID(stored=True),
        access=ID(stored=True),
        # Words for "did you mean", kept apart so that no suggestion to a reader who may not
        # see restricted passages comes from them; archivists get both.
        public_words=_vocabulary_field(vocabulary),
        restricted_words=_vocabulary_field(vocabulary),
        # and the words of what the archive says of the narrator (names, title, biography,
        # roles), the same on each of their passages
        public_about=_vocabulary_field(vocabulary, slot="public_about"),
        restricted_about=_vocabulary_field(vocabulary, slot="restricted_about"),
        sort_key=STORED,
        # what the passage was indexed with, hashed: `flask check` compares it with the record
        version=STORED,
        # the passage's words, normalised and hashed: passages with the same words share it
        fingerprint=ID(sortable=True),
    )


# the "did you mean" vocabularies: of public passages, and of restricted ones
VOCABULARY = ("public_words", "public_about", "restricted_words", "restricted_about")
PUBLIC_VOCABULARY = VOCABULARY[:2]


def _vocabulary_field(analyzer, slot: str | None = None) -> TEXT:
    # words looked up, never scored nor searched as phrases: no lengths, no positions
    options = {"analyzer": analyzer, "phrase": False}
    field = _RepeatedText(slot=slot, **options) if slot else TEXT(**options)
    field.scorable = False
    return field


class _RepeatedText(TEXT):
    """A text field whose value is often the one it had in the document before: a narrator's
    biography, name and testimony title are the same on each of their passages. The last
    value's analysis is kept and reused (per `slot`: one per field).
    """

    # per process, never stored with the index: slot -> (analyzer, value, analysis)
    _last: ClassVar[dict[str, tuple[Any, str, list]]] = {}

    def __init__(self, *, slot: str, **options):
        super().__init__(**options)
        self.slot = slot

    def index(self, value, **options):
        if options:
            return super().index(value, **options)
        last = self._last.get(self.slot)
        if last is None or last[0] is not self.analyzer or last[1] != value:
            last = self._last[self.slot] = (self.analyzer, value, list(super().index(value)))
        return iter(last[2])


class ArchiveIndex:
    """One archive's index directory, shared by every process that serves the archive."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._local = threading.local()
        self._lock_depth = threading.local()

    # reading ----------------------------------------------------------------------------

    def _current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def exists(self) -> bool:
        return self._current() is not None

    def _open(self, name: str) -> index.Index:
        return FileStorage(str(self.root / name), supports_mmap=False).open_index()

    def last_change(self) -> int:
        """The id of the last change-log row the current generation reflects (0: none)."""
        name = self._current()
        try:
            return int((self.root / str(name) / "LAST_CHANGE").read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _mark(self, name: str, last_change: int | None) -> None:
        if last_change is None:
            return
        marker = self.root / name / "LAST_CHANGE.tmp"
        marker.write_text(str(last_change))
        os.replace(marker, marker.with_suffix(""))

    def searcher(self) -> Searcher:
        """A searcher on the latest committed index: cached per thread, refreshed on change.

        Raises `IndexMissing` when there is no index, `IndexDamaged` when it cannot be read.
        """
        name = self._current()
        if name is None:
            raise IndexMissing(
                f"there is no search index in {self.root}: run `flask --app oralhistory reindex`"
            )
        local = self._local
        try:
            if getattr(local, "name", None) != name:
                if getattr(local, "searcher", None) is not None:
                    local.searcher.close()
                    local.searcher = None
                local.name = None
                local.index = self._open(name)
                local.searcher = local.index.searcher(weighting=_weighting())
                local.name = name
            elif local.index.latest_generation() != local.searcher.reader().generation():
                # A new searcher, not Searcher.refresh(): refresh reuses the old segment
                # readers, which keep passages deleted since (a re-imported testimony's old text).
                local.searcher.close()
                local.searcher = local.index.searcher(weighting=_weighting())
        except Exception as error:
            local.name = None
            if self._current() != name:  # a rebuild switched generations meanwhile
                return self.searcher()
            problem = self.damage()
            if problem is None:
                raise
            raise IndexDamaged(problem) from error
        return local.searcher

    def damage(self) -> str | None:
        """What is wrong with the current generation's files, or None when they read whole.

        Opens the table of contents and every segment afresh and checks that each part a
        segment lists lies within its file: a missing, cut or garbled file is found without
        reading the postings.
        """
        name = self._current()
        if name is None:
            return None
        try:
            storage = FileStorage(str(self.root / name), supports_mmap=False)
            ix = storage.open_index()
            for segment in ix._segments():
                if segment.is_compound():
                    compound = segment.open_compound_file(storage)
                    size = storage.file_length(segment.make_filename(segment.COMPOUND_EXT))
                    try:
                        for part in compound.list():
                            offset, length = compound.range(part)
                            if offset + length > size:
                                return f"segment {segment.segment_id()} is cut short"
                    finally:
                        compound.close()
                elif not segment.list_files(storage):
                    return f"segment {segment.segment_id()} has no files"
            with ix.reader() as reader:
                reader.doc_count()
        except Exception as error:  # noqa: BLE001 (whatever Whoosh raises on a bad file)
            return f"the index in {self.root / name} cannot be read ({type(error).__name__})"
        return None

    # writing ----------------------------------------------------------------------------

    @contextmanager
    def writing(self, timeout: float = WRITE_LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the index's one write lock (across processes; again within one thread).

        Raises `IndexBusy` when another writer holds it for longer than `timeout` seconds
        (0: do not wait).
        """
        depth = getattr(self._lock_depth, "value", 0)
        if depth:
            self._lock_depth.value = depth + 1
            try:
                yield
            finally:
                self._lock_depth.value = depth
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a") as lock_file:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy("the search index is busy; try again") from None
                    time.sleep(0.05)
            self._lock_depth.value = 1
            try:
                yield
            finally:
                self._lock_depth.value = 0
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def rebuild(
        self,
        schema: Schema,
        documents: Iterable[dict[str, Any]],
        procs: int = 1,
        last_change: int | None = None,
    ) -> int:
        """Write a new generation with `documents`, switch to it, and drop the old ones.

        With `procs` > 1, that many processes analyse and write the documents side by side,
        each into a segment of its own (searches read the segments together). The new
        generation reflects the change log up to `last_change`.
        """
        with self.writing():
            name = f"ix-{time.time_ns()}"
            path = self.root / name
            path.mkdir(parents=True)
            ix = FileStorage(str(path), supports_mmap=False).create_index(schema)
            count = 0
            options = {"procs": procs, "multisegment": True} if procs > 1 else {}
            with ix.writer(limitmb=BUILD_MEMORY_MB, **options) as writer:
                for document in documents:
                    writer.add_document(**document)
                    count += 1
            self._mark(name, last_change)
            arrays.prepare_segments(ix)
            pointer = self.root / "CURRENT.tmp"
            pointer.write_text(name)
            os.replace(pointer, self.root / "CURRENT")
            for old in self.root.glob("ix-*"):
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            return count

    def replace(
        self,
        testimony_ids: Iterable[int],
        documents: Iterable[dict[str, Any]],
        last_change: int | None = None,
    ) -> None:
        """Remove every passage of `testimony_ids`, then add `documents`, in one commit; the
        generation then reflects the change log up to `last_change`."""
        with self.writing():
            name = self._current()
            if name is None:
                raise IndexMissing("there is no search index yet: run `init` or `reindex`")
            ix = self._open(name)
            with ix.writer(timeout=WRITE_LOCK_TIMEOUT) as writer:
                for testimony_id in testimony_ids:
                    writer.delete_by_term("testimony_id", str(testimony_id))
                for document in documents:
                    writer.add_document(**document)
            # After Whoosh's commit: a crash between the two leaves the mark behind, and the
            # same changes are applied again, which gives the same index.
            self._mark(name, last_change)
            arrays.prepare_segments(ix)

    def indexed_versions(self) -> dict[int, tuple[int, str]]:
        """Every passage the index holds: passage id -> (testimony id, version indexed)."""
        reader = self.searcher().reader()
        return {
            int(fields["passage_id"]): (int(fields["testimony_id"]), fields.get("version", ""))
            for fields in reader.all_stored_fields()
        }


def _weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


class IndexMissing(RuntimeError):
    pass


class IndexDamaged(RuntimeError):
    """The index's files cannot be read (cut, deleted, garbled): it must be rebuilt."""


class IndexBusy(TimeoutError):
    """Another process holds the index's write lock."""


def init_app(app: Flask) -> None:
    app.extensions["oralhistory.index"] = ArchiveIndex(app.config["INDEX_DIR"])


def archive_index() -> ArchiveIndex:
    return current_app.extensions["oralhistory.index"]


# --- from the record to documents ------------------------------------------------------------


def gazetteer_table(session: Session) -> dict[str, str]:
    """The spelling table of the places in the record and the names in `names.yaml`."""
    return spelling_table(_gazetteer_groups(session))


def gazetteer_names(session: Session) -> set[str]:
    """Every word of every name and spelling of the places and of `names.yaml`, normalised."""
    groups = _gazetteer_groups(session)
    return {
        word for name, spellings in groups for n in (name, *spellings) for word in name_tokens(n)
    }


def _gazetteer_groups(session: Session) -> list[tuple[str, list[str]]]:
    groups = [(names[0], names[1:]) for _slug, names in gazetteer.place_names(session)]
    return groups + gazetteer.name_groups(Path(current_app.config["TRANSCRIPTS_DIR"]))


def passage_document(passage: Passage, linked: list | None = None) -> dict[str, Any]:
    """What the index holds of a passage; `linked`: its links an archivist did not reject
    (read from its testimony when not given)."""
    testimony = passage.testimony
    narrator = testimony.narrator
    public = testimony.is_public
    words = " ".join(filter(None, [narrator.name, passage.text, passage.editor_note]))
    about = " ".join(
        filter(
            None,
            [
                testimony.title,
                *narrator.spellings,
                narrator.biography,
                narrator.origin,
                narrator.residence,
                *narrator.roles,
            ],
        )
    )
    # The passage's places and events are its context links, less those an archivist rejected.
    if linked is None:
        linked = _links_by_number(testimony).get(passage.number, [])
    document = {
        "passage_id": str(passage.id),
        "testimony_id": str(testimony.id),
        # the passage's number, that of its anchor `p-N` (`sort_key` keeps the reading order)
        "position": passage.number,
        "narrator": narrator.slug,
        "narrator_name": " ".join([narrator.name, *narrator.spellings, narrator.name_arabic or ""]),
        "title": testimony.title,
        "context": " ".join(
            filter(None, [narrator.biography, narrator.origin, narrator.residence, *narrator.roles])
        ),
        "text": passage.text,
        "note": passage.editor_note or "",
        "name_keys": " ".join(filter(None, [passage.text, passage.editor_note])),
        # The names first, as if inside a sentence: there a capitalised word reads as a name.
        "narrator_keys": ", "
        + ", ".join([narrator.name, *narrator.spellings, narrator.name_arabic or ""])
        + ". "
        + " ".join(
            filter(
                None,
                [testimony.title, narrator.biography, narrator.origin, narrator.residence],
            )
        )
        + " "
        + " ".join(f"({role})" for role in narrator.roles),
        # sorted: the same links give the same document (and `version`), however loaded
        "place": ",".join(sorted(link.target for link in linked if link.kind == "place")),
        "event": ",".join(sorted(link.target for link in linked if link.kind == "event")),
        "year": str(testimony.interview_date.year) if testimony.interview_date else "",
        "access": testimony.access,
        "public_words": words if public else "",
        "restricted_words": "" if public else words,
        "public_about": about if public else "",
        "restricted_about": "" if public else about,
        "sort_key": (testimony.id, passage.position),
        "fingerprint": fingerprint(passage.text),
    }
    document["version"] = document_version(document)
    return document


def _links_by_number(testimony: Testimony) -> dict[int, list]:
    """A testimony's links an archivist did not reject, by passage number."""
    groups: dict[int, list] = {}
    for link in testimony.context_links:
        if link.status != "rejected":
            groups.setdefault(link.position, []).append(link)
    return groups


def _documents(passages: Iterable[Passage]) -> Iterator[dict[str, Any]]:
    """Each passage's document, its testimony's links grouped once for all its passages
    (which come one after the other)."""
    testimony, groups = None, {}
    for passage in passages:
        if passage.testimony is not testimony:
            testimony = passage.testimony
            groups = _links_by_number(testimony)
        yield passage_document(passage, groups.get(passage.number, []))


def document_version(document: dict[str, Any]) -> str:
    """A digest of what a passage's document holds: equal when the passage is indexed alike."""
    held = {key: value for key, value in document.items() if key != "version"}
    encoded = json.dumps(held, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=12).hexdigest()


def fingerprint(text: str) -> str:
    """The same for passages with the same words, whatever their case, accents or punctuation."""
    words = " ".join(text_tokens(text))
    return hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()


# Passages are read this many testimonies at a time: a rebuild never holds the whole record.
PASSAGE_BATCH_TESTIMONIES = 200


def _passages(session: Session, testimony_ids: list[int] | None) -> Iterator[Passage]:
    """The passages of the testimonies not withdrawn (of `testimony_ids`, or of all), in
    order, read a batch of testimonies at a time (the session keeps no object nobody holds)."""
    chosen = select(Testimony.id).where(Testimony.withdrawn_at.is_(None)).order_by(Testimony.id)
    if testimony_ids is not None:
        chosen = chosen.where(Testimony.id.in_(testimony_ids))
    ids = list(session.scalars(chosen))
    for start in range(0, len(ids), PASSAGE_BATCH_TESTIMONIES):
        query = (
            select(Passage)
            .where(Passage.testimony_id.in_(ids[start : start + PASSAGE_BATCH_TESTIMONIES]))
            .options(
                selectinload(Passage.testimony).selectinload(Testimony.narrator),
                selectinload(Passage.testimony).selectinload(Testimony.context_links),
            )
            .order_by(Passage.testimony_id, Passage.position)
        )
        yield from session.scalars(query).unique()


def indexable_passages(session: Session) -> Iterator[Passage]:
    """Every passage the index should hold (those of testimonies not withdrawn), with what
    `passage_document` reads of them loaded."""
    return _passages(session, None)


def rebuild_index(session: Session, last_change: int | None = None) -> int:
    """Rebuild the whole index from the database; return the number of passages indexed.

    `last_change` is the id of the last change-log row the database held when the session's
    reading began (by default, the latest now): the new index reflects it.
    """
    if last_change is None:
        last_change = session.scalar(select(func.max(ChangeLog.id))) or 0
    schema = build_schema(gazetteer_table(session), gazetteer_names(session))
    documents = _documents(_passages(session, None))
    passages = session.scalar(select(func.count(Passage.id))) or 0
    procs = min(os.cpu_count() or 1, 4) if passages >= PARALLEL_BUILD_PASSAGES else 1
    return archive_index().rebuild(schema, documents, procs, last_change)


def _has_current_fields() -> bool:
    # An index built by an older version lacks fields the documents now carry: rebuild it.
    return set(archive_index().searcher().schema.names()) == set(build_schema({}).names())


def index_testimonies(
    session: Session, testimony_ids: Iterable[int], last_change: int | None = None
) -> None:
    """Bring the index in line with the database for these testimonies (call after commit).

    A withdrawn testimony's passages are removed; the others are replaced by their current
    text. When there is no index yet, or it was built with other fields, the whole index is
    built. The index then reflects the change log up to `last_change`.
    """
    ids = sorted(set(testimony_ids))
    if not archive_index().exists() or not _has_current_fields():
        rebuild_index(session, last_change)
        return
    documents = list(_documents(_passages(session, ids)))
    archive_index().replace(ids, documents, last_change)


def _damage_checked(function):
    """Report an error from Whoosh's files as `IndexDamaged` when the files are damaged;
    any other error is raised as it was."""

    @wraps(function)
    def checked(*args, **kwargs):
        generation = archive_index()._current()
        try:
            return function(*args, **kwargs)
        except (QueryError, IndexMissing, IndexDamaged):
            raise
        except Exception as error:
            if archive_index()._current() != generation:  # switched while it was read
                return function(*args, **kwargs)
            problem = archive_index().damage()
            if problem is None:
                raise
            raise IndexDamaged(problem) from error

    return checked


# --- searching ------------------------------------------------------------------------------


@dataclass
class SearchRequest:
    q: str = ""
    narrator: str | None = None
    place: str | None = None
    event: str | None = None
    page: int = 1
    per_page: int = 10
    include_restricted: bool = False


@dataclass(frozen=True)
class Gazetteer:
    """What a search needs to know of the record, as plain values: the places' names (for
    `place:` by name and for ranking passages about a place the query names) and the events'
    slugs and titles (for `event:` by words of the title). Without one, places and events
    are found by slug alone."""

    places: list[tuple[str, list[str]]] = field(default_factory=list)  # slug, names
    place_matchers: list[tuple[str, list[list[str]]]] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # slug, title; by date
    # slug, and the words the timeline in the results reads an event by: its title, summary
    # and its places' names; by date
    event_words: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SearchHit:
    passage_id: int
    testimony_id: int
    position: int
    narrator_slug: str
    snippet: str
    score: float
    matched_in: list[str] = field(default_factory=list)
    # the name a spelling nobody wrote here was read as (matched by its key alone), else None
    read_as: str | None = None

    @property
    def anchor(self) -> str:
        return f"p-{self.position}"


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[SearchHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    facets_more: dict[str, int] = field(default_factory=dict)  # values left out of `facets`
    suggestion: str | None = None
    # the timeline's events and places that the query names, matched or not by passages
    events: list[TimelineMatch] = field(default_factory=list)
    places: list[TimelineMatch] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class _Plan:
    """What a request asks for, in Whoosh's terms."""

    q: str  # the query as read
    tokens: list[querylang.Token]
    query: Query
    access: Query | None  # None for archivists, who may see everything
    chosen: dict[str, Query]  # the request's narrator, place and event filters
    typed: list[Query]  # filters typed in the query that every hit must meet

    def filter(self, *, without: str | None = None) -> Query | None:
        """Everything a hit must meet (less the request's filter `without`, for its facet)."""
        parts = [self.access] if self.access else []
        parts += [f for name, f in self.chosen.items() if name != without]
        parts += self.typed
        return parts[0] if len(parts) == 1 else And(parts) if parts else None


def plan_search(
    searcher: Searcher, request: SearchRequest, places: Gazetteer | None = None
) -> _Plan:
    """Read the request into a query and filters; raise `QueryError` if it cannot be searched.

    Filters typed in the query (`narrator:halabi`) are resolved like the request's own
    filters. When every hit must meet them they filter and do not count towards the score;
    otherwise (`narrator:halabi OR orphans`) they take part in the query.
    """
    q, tokens = querylang.read_query(request.q)
    access = None if request.include_restricted else Term("access", "public")
    chosen = {
        name: _filter_query(searcher, places, access, name, getattr(request, name))
        for name in ("narrator", "place", "event")
        if getattr(request, name)
    }
    if not tokens:
        return _Plan(q, tokens, Every(), access, chosen, [])
    typed = [
        _filter_query(searcher, places, access, name, value)
        for name, value in querylang.filters_of(tokens)
    ]
    spelling = _spelling_filter(searcher.schema)
    names = set(spelling.phrases) if spelling else set()
    query = _parser(searcher.schema).parse(querylang.whoosh_syntax(tokens, names, name_tokens))
    if query is NullQuery:
        raise QueryError(
            "the query has no word that can be searched for: very common words such as "
            "'the' or 'of' are not searched on their own; put them in a phrase between "
            'quotation marks with other words, as in "the hope of returning"'
        )
    query = _put_filters(query, typed)
    parts = query.subqueries if isinstance(query, And) else [query]
    apart = [part for part in parts if isinstance(part, _FilterQuery)]
    kept = [part for part in parts if not isinstance(part, _FilterQuery)]
    query = kept[0] if len(kept) == 1 else And(kept) if kept else Every()
    if places is not None and kept:
        query = _place_boost(query, tokens, places)
    return _Plan(q, tokens, query, access, chosen, apart)


def _place_boost(query: Query, tokens: list[querylang.Token], places: Gazetteer) -> Query:
    # A passage about a place the reader names (its `place` field) ranks above one that only
    # shares the word, by a biography for instance; it is not required to be about it.
    words = " ".join(word for _, word in querylang.plain_words(tokens))
    named = gazetteer.places_in(words, places.place_matchers)
    if not named:
        return query
    return AndMaybe(query, Or([Term("place", slug) for slug in named], boost=PLACE_WEIGHT))


def _parser(schema: Schema) -> QueryParser:
    # Only the syntax the search page documents: words, phrases, brackets, AND OR NOT and
    # filters. Wildcards, ranges, boosts and single quotes are plain text here, so that
    # "lawyer?" or "[Aleppo]" mean what a reader meant. A field is named only by the mark
    # `querylang.whoosh_syntax` puts before each filter it read, never by a reader's text.
    weights = {name: weight for name, weight in FIELD_WEIGHTS.items() if name in schema}
    filter_names = "|".join(querylang.FILTERS)
    return QueryParser(
        None,
        schema,
        plugins=[
            plugins.FieldsPlugin(rf"{querylang.FILTER_MARK}(?P<text>{filter_names}):"),
            plugins.PhrasePlugin(),
            plugins.GroupPlugin(),
            plugins.OperatorsPlugin(AndNot=None, AndMaybe=None, Require=None),
            plugins.MultifieldPlugin(list(weights), fieldboosts=weights),
        ],
        phraseclass=_phrase,
    )


def _phrase(fieldname: str, words: list[str], **options) -> Query:
    # A phrase is not looked for among name keys: its key keeps only the names ("western
    # Aleppo" would be "Aleppo"), which would widen the phrase to text that does not hold it.
    if fieldname in KEY_WEIGHTS:
        return NullQuery
    return Phrase(fieldname, words, **options)


def _put_filters(query: Query, typed_filters: list[Query]) -> Query:
    if isinstance(query, Term) and query.fieldname in querylang.FILTERS:
        if not (query.text.isdecimal() and int(query.text) < len(typed_filters)):
            raise QueryError(f"'{query.fieldname}:' can only be used as a filter")
        return typed_filters[int(query.text)]
    return query.apply(lambda child: _put_filters(child, typed_filters))


class _FilterQuery(Or):
    """The resolved form of one filter (narrator, place, event or year)."""


def _filter_query(
    searcher: Searcher, places: Gazetteer | None, access: Query | None, name: str, value: str
) -> Query:
    """The passages that `name:value` selects: by slug, or else by name in any spelling."""
    if name == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"year: takes a year of four digits, as in year:2017, not '{value}'")
        return _FilterQuery([Term("year", value)])
    slug = value.strip().lower()
    if name == "narrator":
        slugs = _narrators_named(searcher, access, value)
    elif places is None:
        slugs = [slug]
    elif name == "place":
        slugs = gazetteer.places_named(value, places.places, partial(_words, searcher.schema))
    else:
        slugs = _events_named(places, value, partial(_words, searcher.schema))
    return _FilterQuery([Term(name, s) for s in slugs or [slug]])


def _words(schema: Schema, text: str) -> list[str]:
    return [token.text for token in schema["text"].analyzer(text)]


def _narrators_named(searcher: Searcher, access: Query | None, value: str) -> list[str]:
    # Only narrators the asker may see are looked at, so that a restricted narrator's slug
    # or name changes nothing for a reader who may not see them.
    allowed = postings.allowed_mask(searcher, access)

    def visible(docs):
        return docs if allowed is None else docs & allowed

    slug = value.strip().lower()
    if visible(postings.matching_mask(searcher, Term("narrator", slug))).any():
        return [slug]
    words = _words(searcher.schema, value)
    if not words:
        return []
    docs = visible(
        postings.matching_mask(searcher, And([Term("narrator_name", word) for word in words]))
    )
    names, pair_docs, numbers = postings.search_arrays(searcher).values("narrator")
    return sorted({names[n] for n in set(numbers[docs[pair_docs]].tolist())})


def _events_named(places: Gazetteer, value: str, analyse) -> list[str]:
    events = places.events
    slug = value.strip().lower()
    if any(event_slug == slug for event_slug, _ in events):
        return [slug]
    words = set(analyse(value))
    return [s for s, title in events if words and words <= set(analyse(f"{title} {s}"))]


def _wanted(schema: Schema, query: Query) -> marks.Wanted:
    return marks.wanted(query, ["text", "note"], KEY_WEIGHTS)


def suggest(
    searcher: Searcher, plan: _Plan, request: SearchRequest, places: Gazetteer | None
) -> str | None:
    """A corrected query when some of its words find nothing the asker may see, else None.

    A word counts as known when, searched alone, it finds a passage the asker may see (in any
    of its forms and spellings). A correction is a word of the passages the asker may see, or
    a spelling from the gazetteer, that finds one; the nearest is chosen, preferring one with
    which the whole query finds something. Restricted text therefore neither supplies a
    correction nor decides whether one is offered, for a reader who may not see it.
    """
    fieldnames = PUBLIC_VOCABULARY if plan.access else VOCABULARY
    parser = _parser(searcher.schema)
    spelling = _spelling_filter(searcher.schema)
    # Names the reader may see on the site: the gazetteer's places and names in every
    # spelling, and the words of the timeline's event titles.
    titles = tuple(title for _slug, title in places.events) if places is not None else ()
    known = _names_to_suggest(searcher.schema, titles)

    def finds(query: Query, restriction: Query | None) -> bool:
        if query is NullQuery:
            return True
        allowed = postings.allowed_docs(searcher, restriction)
        return any(allowed is None or d in allowed for d in searcher.docs_for_query(query))

    def word_finds(word: str) -> bool:
        syntax = querylang.whoosh_syntax([querylang.Token("word", word, 0)], set())
        return finds(parser.parse(syntax), plan.access)

    @cache
    def query_finds(q: str) -> bool:
        other = plan_search(searcher, replace(request, q=q), places)
        return finds(other.query, other.filter())

    def unknown(form: str) -> bool:
        # A spelling the gazetteer knows is right even when no passage uses it.
        return len(form) >= 4 and not form.isdigit() and form not in gazetteer_words

    gazetteer_words = set(known).union(*(spelling.phrases if spelling else []))
    q = plan.q
    for offset, word in reversed(list(querylang.plain_words(plan.tokens))):
        forms = name_tokens(word)
        if len(forms) != 1 or not unknown(forms[0]):
            continue
        # A word of the passages the asker may see is known: no search needed to tell.
        if _visible_word(searcher, fieldnames, forms[0]) or word_finds(word):
            continue
        found = (
            _in_case_of(word, forms[0], candidate)
            for candidate in _candidates(searcher, fieldnames, forms[0], known)
            # a word of the passages the asker may see finds them; a spelling is searched for
            if _visible_word(searcher, fieldnames, candidate) or word_finds(candidate)
        )
        nearest = list(islice(found, 12))
        fits = (r for r in nearest if query_finds(q[:offset] + r + q[offset + len(word) :]))
        replacement = next(fits, nearest[0] if nearest else None)
        if replacement:
            q = q[:offset] + replacement + q[offset + len(word) :]
    # Offer only a query that finds something: a correction that leads nowhere is noise.
    return q if q != plan.q and query_finds(q) else None


_NAMES: dict[tuple[int, tuple[str, ...]], tuple[Schema, list[str]]] = {}


def _names_to_suggest(schema: Schema, titles: tuple[str, ...]) -> list[str]:
    """The gazetteer's words in every spelling and the words of `titles`, sorted; made once
    for an index and a timeline."""
    key = (id(schema), titles)
    if key not in _NAMES:
        _NAMES.clear()
        spelling = _spelling_filter(schema)
        names = set(spelling.known) if spelling else set()
        names |= _name_key_filter(schema).known
        names.update(token.text for token in vocabulary_analyzer()(" ".join(titles)))
        _NAMES[key] = (schema, sorted(names))
    return _NAMES[key][1]


def _visible_word(searcher: Searcher, fieldnames: tuple[str, ...], word: str) -> bool:
    """Whether a passage the index holds (not one deleted since) has `word` in one of
    `fieldnames`."""
    term = word.encode("utf-8")
    for leaf, _ in searcher.leaf_searchers():
        reader = leaf.reader()
        for fieldname in fieldnames:
            if (fieldname, term) in reader and reader.postings(fieldname, term).is_active():
                return True
    return False


def _candidates(
    searcher: Searcher, fieldnames: tuple[str, ...], word: str, gazetteer: list[str]
) -> Iterator[str]:
    """Words near `word`: the nearest first; among equally near ones, those that hold all its
    letters in order (the commonest slip leaves a letter out), then the commonest.

    Words two slips away are looked for among those with the same first letter only: the
    search for them would take several times longer otherwise.
    """
    reader = searcher.reader()
    word_lists = [*chain.from_iterable(_word_lists(searcher, f) for f in fieldnames), gazetteer]

    def frequency(candidate: str) -> int:
        return sum(reader.doc_frequency(fieldname, candidate) for fieldname in fieldnames)

    seen = {word}
    for distance in (1, 2) if len(word) > 4 else (1,):
        automaton = levenshtein_automaton(word, distance, prefix=distance - 1).to_dfa()
        near = {w for words in word_lists for w in find_all_matches(automaton, _after(words))}
        near -= seen
        seen |= near
        yield from sorted(
            near,
            key=lambda w: (not _holds(w, word), -frequency(w), w),
        )


def _word_lists(searcher: Searcher, fieldname: str) -> list[list[str]]:
    """The words of `fieldname`, segment by segment, sorted, in memory: an automaton walks a
    list in memory many times faster than the word list on disk."""

    if fieldname not in searcher.schema:  # an index built before this vocabulary
        return []

    def words(leaf: Searcher) -> list[str]:
        return [term.decode("utf-8") for term in leaf.reader().lexicon(fieldname)]

    return [words for words, _, _ in postings.per_segment(searcher, ("words", fieldname), words)]


def _after(words: list[str]):
    """For `find_all_matches`: the first of the sorted `words` at or after a key, or None."""

    def first_at_or_after(key: str) -> str | None:
        position = bisect_left(words, key)
        return words[position] if position < len(words) else None

    return first_at_or_after


def _holds(longer: str, word: str) -> bool:
    letters = iter(longer)
    return all(letter in letters for letter in word)


def _in_case_of(word: str, form: str, candidate: str) -> str:
    """`candidate` written as the reader wrote `word` (capitals, a leading article)."""
    prefix = word[: len(word) - len(form)] if word.lower().endswith(form) else ""
    rest = word[len(prefix) :]
    if rest.isupper() and len(rest) > 1:
        candidate = candidate.upper()
    elif rest[:1].isupper():
        candidate = candidate[:1].upper() + candidate[1:]
    return prefix + candidate


def _ranked(searcher: Searcher, matches: postings.Matches, found, start: int, stop: int):
    """Whoosh's results for the query among `found` (a mask), and the ranks of hits `start`
    to `stop`.

    Hits are ranked by score, the lower document number first among equals, with each repeat
    of an earlier hit's words after all the others (`_repeats_last`). Only the best are
    ranked: as many as the page needs, more when repeats push hits down.
    """
    best = _best(searcher, matches, found)
    count = int(found.sum())
    limit = max(stop, 10)
    while True:
        results = Results(searcher, matches.query, best(limit))
        order, firsts = _repeats_last(searcher, results)
        # Whether a hit is a repeat depends only on the hits above it, so the first `firsts`
        # places are final; the repeats are too once every hit is ranked.
        if stop <= firsts or limit >= count:
            return results, order[start:stop]
        limit *= 4


def _best(searcher: Searcher, matches: postings.Matches, found):
    """A function giving the `limit` best (score, document) of `found`, best first."""
    scores = ranking.bm25f_scores(searcher, matches, found)
    if scores is not None:
        return partial(ranking.top, scores, found)
    # A query only Whoosh can score (a filter in an OR): its matchers give the best scores.
    return partial(ranking.whoosh_top, searcher, matches, found)


def _repeats_last(searcher: Searcher, results) -> tuple[list[int], int]:
    """Ranks of `results` with each repeat of an earlier hit's words moved after the others,
    and the number of hits that are not repeats.

    Short passages score high, and a transcript may hold the same short line many times
    ("Aleppo."): the first stays where it ranks, its repeats follow every other hit, so they
    do not crowd out the rest. Nothing is dropped.
    """
    reader = searcher.reader()
    if "fingerprint" not in searcher.schema:  # an index built before fingerprints
        return list(range(len(results.top_n))), len(results.top_n)
    column = reader.column_reader("fingerprint")
    seen, first, repeats = set(), [], []
    for rank, (_score, docnum) in enumerate(results.top_n):
        key = column[docnum]
        (repeats if key in seen else first).append(rank)
        seen.add(key)
    return first + repeats, len(first)


def _name_key_filter(schema: Schema) -> NameKeyFilter:
    """The index's filter of name-like words (an index built before name keys: an empty one)."""
    if "name_keys" in schema:
        for item in schema["name_keys"].analyzer.items:
            if isinstance(item, NameKeyFilter):
                return item
    return NameKeyFilter()


def _spelling_filter(schema: Schema) -> SpellingFilter | None:
    for item in schema["text"].analyzer.items:
        if isinstance(item, SpellingFilter):
            return item
    return None


@_damage_checked
def search(request: SearchRequest, places: Gazetteer | None = None) -> SearchResult:
    """Search passages. Raises `QueryError` for a query that cannot be searched.

    Anonymous requests (`include_restricted` false) see public passages only, in hits,
    totals, facets and suggestions alike, scores and order included (`ranking`). With a
    `Gazetteer`, places and events in filters may be given by name as well as by slug, and
    passages about a place the query names rank higher. Takes and returns plain values: no
    database session, no Flask request.
    """
    if not request.q.strip() and not (request.narrator or request.place or request.event):
        raise QueryError("the query is empty: type a word, a name or a place")
    if request.page < 1:
        raise QueryError("the page number must be 1 or more")
    if not 1 <= request.per_page <= 100:
        raise QueryError("per_page must be between 1 and 100")
    searcher = archive_index().searcher()
    plan = plan_search(searcher, request, places)
    # The query's documents are found once, unscored: they give the total and every facet
    # (`postings.Matches`); only as many as the page needs are scored and ranked.
    matches = postings.Matches(searcher, plan.query, plan.access)
    found = matches.found(plan.filter())
    result = SearchResult(plan.q, int(found.sum()), request.page, request.per_page)
    if result.total and request.page > result.pages:
        raise QueryError(f"page {request.page} is past the last page of results ({result.pages})")
    start = (request.page - 1) * request.per_page
    results, ranks = _ranked(searcher, matches, found, start, start + request.per_page)
    want = _wanted(searcher.schema, plan.query)
    results.formatter = snippets.MarkFormatter(phrase=want.phrase)
    for rank in ranks:
        hit = results[rank]
        matched_in = [name for name in matches.fields_of(hit.docnum) if name in FIELD_WEIGHTS]
        by_key_only = bool(matched_in) and set(matched_in) <= set(KEY_WEIGHTS)
        result.hits.append(
            SearchHit(
                passage_id=int(hit["passage_id"]),
                testimony_id=int(hit["testimony_id"]),
                position=hit["position"],
                narrator_slug=hit["narrator"],
                snippet=snippets.snippet(results, hit, want if by_key_only else None),
                score=round(hit.score or 0.0, 4),
                matched_in=matched_in,
                read_as=snippets.read_as(searcher.schema, hit, want) if by_key_only else None,
            )
        )
    for facet in ("narrator", "place", "event"):
        # Each facet counts as if its own choice were not made, to show the alternatives.
        counts = matches.facet_counts(facet, plan.filter(without=facet))
        counts.pop("", None)
        shown = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_VALUES]
        chosen = getattr(request, facet)
        if chosen in counts and all(key != chosen for key, _ in shown):
            shown.append((chosen, counts[chosen]))
        result.facets[facet] = shown
        result.facets_more[facet] = len(counts) - len(shown)
    if plan.tokens:
        result.suggestion = suggest(searcher, plan, request, places)
        if places is not None:
            events, named = _timeline(searcher.schema, plan.tokens, places)
            if result.suggestion:
                # A word taken for a misspelling ("oposition") is not also read as a name
                # that happens to share its key (Bustan): only what it names as written.
                events = [match for match in events if match.read_as is None]
                named = [match for match in named if match.read_as is None]
            result.events, result.places = events, named
    return result


_MATCHERS: dict[int, tuple[Schema, TimelineMatcher]] = {}


def _timeline(
    schema: Schema, tokens: list[querylang.Token], places: Gazetteer
) -> tuple[list[TimelineMatch], list[TimelineMatch]]:
    """The events and places the query names, read with the index's analyzers."""
    if "name_keys" not in schema:  # an index built before name keys
        return [], []
    if id(schema) not in _MATCHERS:
        _MATCHERS.clear()  # one index in use at a time: its analysers, and what they read
        _MATCHERS[id(schema)] = (
            schema,
            TimelineMatcher(schema["text"].analyzer, schema["name_keys"].analyzer),
        )
    matcher = _MATCHERS[id(schema)][1]
    return matcher.match(tokens, places.event_words, places.places)


def mark_matches(q: str, texts: list[str], places: Gazetteer | None = None) -> list[str | None]:
    """Each of `texts` (a testimony's passages, in order) with what the query `q` matches in
    it marked, as escaped HTML, the marks numbered `match-1`, `match-2` ... through all the
    texts; None for a text in which nothing matches. Raises `QueryError` as `search` does.

    The query is read as the search reads it (spellings, name keys, phrases, exclusions);
    filters in it select nothing here: the reader is already on one testimony.
    """
    searcher = archive_index().searcher()
    plan = plan_search(searcher, SearchRequest(q=q, include_restricted=True), places)
    schema = searcher.schema
    want = _wanted(schema, plan.query)
    # An index built before name keys has none to mark.
    keys = schema["name_keys"].analyzer if "name_keys" in schema else lambda *_, **__: ()
    analyzers = (schema["text"].analyzer, keys)
    numbers = (f"match-{n}" for n in range(1, 1_000_000))
    found = []
    for text in texts:
        spans = marks.matched_spans(text, want, *analyzers) if want else []
        found.append(marks.marked(text, spans, numbers) if spans else None)
    return found
