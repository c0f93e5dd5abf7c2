"""The search index: the only module that talks to Whoosh.

The index is derived from the database and can be rebuilt from it at any time. It lives in
`INDEX_DIR` as numbered generations (`ix-<n>/`) with a `CURRENT` file naming the one in use:
a rebuild writes a new generation and switches `CURRENT` atomically, so readers in other
processes never see a half-built index. Every write, in any process, holds one file lock.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from whoosh import highlight, index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.qparser import MultifieldParser
from whoosh.query import And, Every, Query, Term
from whoosh.searching import Searcher
from whoosh.spelling import Corrector

from .analysis import (
    SpellingFilter,
    name_tokens,
    spelling_table,
    text_analyzer,
    vocabulary_analyzer,
)
from .gazetteer import name_groups, place_matchers, places_in
from .models import Narrator, Passage, Place, Testimony

WRITE_LOCK_TIMEOUT = 30.0
# A rebuild of this many passages or more is shared among the machine's cores (up to 4).
PARALLEL_BUILD_PASSAGES = 5000
BUILD_MEMORY_MB = 512  # per writing process: postings held in memory before spilling to disk
MAX_QUERY_LENGTH = 500
SNIPPET_CHARS = 360


class QueryError(ValueError):
    """A query a reader typed that cannot be searched, with the reason in plain words."""


# --- the index on disk ----------------------------------------------------------------------


def build_schema(table: dict[str, str]) -> Schema:
    analyzer = text_analyzer(table)
    return Schema(
        passage_id=ID(stored=True, unique=True),
        testimony_id=ID(stored=True),
        position=NUMERIC(stored=True, sortable=True),
        narrator=ID(stored=True),
        narrator_name=TEXT(stored=True, analyzer=analyzer, field_boost=2.0),
        title=TEXT(analyzer=analyzer, field_boost=0.5),
        # who the narrator is (biography, roles): finds a narrator's passages by what the
        # archive says of them, weighted below the narrator's own words
        context=TEXT(analyzer=analyzer, field_boost=0.3),
        text=TEXT(stored=True, analyzer=analyzer, phrase=True),
        place=KEYWORD(stored=True, commas=True, scorable=True, field_boost=1.5),
        event=KEYWORD(stored=True, commas=True),
        year=ID(stored=True),
        access=ID(stored=True),
        # Words for "did you mean": public passages only, so that no suggestion reveals
        # restricted text; `restricted_words` holds the restricted passages' words, which
        # archivists' suggestions also draw on. (Each passage's words are indexed once, not in
        # a field of all words as well: a third fewer postings to write.)
        # Words only: neither positions nor lengths, which no search of these fields needs and
        # which would otherwise be written, and read back, for every posting of the build.
        public_words=KEYWORD(analyzer=vocabulary_analyzer()),
        restricted_words=KEYWORD(analyzer=vocabulary_analyzer()),
        sort_key=STORED,
    )


class ArchiveIndex:
    """One archive's index directory, shared by every process that serves the archive."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._local = threading.local()

    # reading ----------------------------------------------------------------------------

    def _current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def exists(self) -> bool:
        return self._current() is not None

    def searcher(self) -> Searcher:
        """A searcher on the latest committed index: cached per thread, reopened on change.

        Checking for a change costs one look at `CURRENT` and one directory listing. A changed
        index is opened afresh, not with Whoosh's `Searcher.refresh`: that reuses the readers
        of segments it already had, with the deletions they had then, so a passage deleted
        from an older segment (withdrawn, made restricted, replaced) would still be found.
        """
        name = self._current()
        if name is None:
            raise IndexMissing(
                f"there is no search index in {self.root}: run `flask --app oralhistory reindex`"
            )
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None:
            if local.name == name and local.ix.latest_generation() == local.generation:
                return searcher
            searcher.close()
        if getattr(local, "name", None) != name:
            local.ix = index.open_dir(str(self.root / name))
            local.name = name
        local.searcher = local.ix.searcher()
        local.generation = local.searcher.reader().generation()
        return local.searcher

    # writing ----------------------------------------------------------------------------

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a") as lock_file:
            deadline = time.monotonic() + WRITE_LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("the search index is busy; try again") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def rebuild(self, schema: Schema, documents: Iterable[dict[str, Any]], procs: int = 1) -> int:
        """Write a new generation with `documents`, switch to it, and drop the old ones.

        With `procs` > 1, that many processes analyse and write the documents side by side,
        each into a segment of its own (searches read the segments together).
        """
        with self._write_lock():
            name = f"ix-{time.time_ns()}"
            path = self.root / name
            path.mkdir(parents=True)
            ix = index.create_in(str(path), schema)
            count = 0
            options = {"procs": procs, "multisegment": True} if procs > 1 else {}
            with ix.writer(limitmb=BUILD_MEMORY_MB, **options) as writer:
                for document in documents:
                    writer.add_document(**document)
                    count += 1
            pointer = self.root / "CURRENT.tmp"
            pointer.write_text(name)
            os.replace(pointer, self.root / "CURRENT")
            for old in self.root.glob("ix-*"):
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            return count

    def replace(self, testimony_ids: Iterable[int], documents: Iterable[dict[str, Any]]) -> None:
        """Remove every passage of `testimony_ids`, then add `documents`, in one commit."""
        with self._write_lock():
            name = self._current()
            if name is None:
                raise IndexMissing("there is no search index yet: run `init` or `reindex`")
            ix = index.open_dir(str(self.root / name))
            with ix.writer(timeout=WRITE_LOCK_TIMEOUT) as writer:
                for testimony_id in testimony_ids:
                    writer.delete_by_term("testimony_id", str(testimony_id))
                for document in documents:
                    writer.add_document(**document)

    def size_on_disk(self) -> int:
        name = self._current()
        if not name:
            return 0
        return sum(f.stat().st_size for f in (self.root / name).iterdir())


class IndexMissing(RuntimeError):
    pass


def init_app(app: Flask) -> None:
    app.extensions["oralhistory.index"] = ArchiveIndex(app.config["INDEX_DIR"])


def archive_index() -> ArchiveIndex:
    return current_app.extensions["oralhistory.index"]


# --- from the record to documents ------------------------------------------------------------


def gazetteer_table(session: Session) -> dict[str, str]:
    """The spelling table of the places in the record and the names in `names.yaml`."""
    groups = [
        (place.name, [*place.variants, *([place.name_arabic] if place.name_arabic else [])])
        for place in session.scalars(select(Place).order_by(Place.id))
    ]
    groups += name_groups(Path(current_app.config["TRANSCRIPTS_DIR"]))
    return spelling_table(groups)


def passage_document(passage: Passage, matchers: list) -> dict[str, Any]:
    testimony = passage.testimony
    narrator = testimony.narrator
    public = testimony.is_public
    words = f"{narrator.name} {passage.text}"
    return {
        "passage_id": str(passage.id),
        "testimony_id": str(testimony.id),
        "position": passage.position,
        "narrator": narrator.slug,
        "narrator_name": " ".join([narrator.name, *narrator.spellings, narrator.name_arabic or ""]),
        "title": testimony.title,
        "context": " ".join(
            filter(None, [narrator.biography, narrator.origin, narrator.residence, *narrator.roles])
        ),
        "text": passage.text,
        "place": ",".join(places_in(passage.text, matchers)),
        "event": ",".join(link.event.slug for link in testimony.event_links),
        "year": str(testimony.interview_date.year) if testimony.interview_date else "",
        "access": testimony.access,
        "public_words": words if public else "",
        "restricted_words": "" if public else words,
        "sort_key": (testimony.id, passage.position),
    }


def _passages(session: Session, testimony_ids: list[int] | None) -> Iterator[Passage]:
    query = (
        select(Passage)
        .join(Passage.testimony)
        .where(Testimony.withdrawn_at.is_(None))
        .options(
            selectinload(Passage.testimony).selectinload(Testimony.narrator),
            selectinload(Passage.testimony).selectinload(Testimony.event_links),
        )
        .order_by(Passage.testimony_id, Passage.position)
    )
    if testimony_ids is not None:
        query = query.where(Passage.testimony_id.in_(testimony_ids))
    yield from session.scalars(query).unique()


def rebuild_index(session: Session) -> int:
    """Rebuild the whole index from the database; return the number of passages indexed."""
    matchers = place_matchers(session)
    schema = build_schema(gazetteer_table(session))
    documents = (passage_document(p, matchers) for p in _passages(session, None))
    passages = session.scalar(select(func.count(Passage.id))) or 0
    procs = min(os.cpu_count() or 1, 4) if passages >= PARALLEL_BUILD_PASSAGES else 1
    return archive_index().rebuild(schema, documents, procs)


def index_testimonies(session: Session, testimony_ids: Iterable[int]) -> None:
    """Bring the index in line with the database for these testimonies (call after commit).

    A withdrawn testimony's passages are removed; the others are replaced by their current
    text. When there is no index yet, the whole index is built.
    """
    ids = sorted(set(testimony_ids))
    if not archive_index().exists():
        rebuild_index(session)
        return
    matchers = place_matchers(session)
    documents = [passage_document(p, matchers) for p in _passages(session, ids)]
    archive_index().replace(ids, documents)


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


@dataclass
class SearchHit:
    passage_id: int
    testimony_id: int
    position: int
    narrator_slug: str
    snippet: str
    score: float
    matched_in: list[str] = field(default_factory=list)

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
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class _MarkFormatter(highlight.HtmlFormatter):
    """Snippets as escaped text with each matched word in a plain `<mark>`."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


def check_query(q: str) -> str:
    """Return the query trimmed, or raise `QueryError` saying what is wrong with it."""
    q = q.strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_LENGTH}")
    if q.count('"') % 2:
        raise QueryError(
            'the query has an opening quotation mark (") without a closing one; '
            "put the exact phrase between two quotation marks"
        )
    depth = 0
    for char in q:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError("the query closes a bracket ')' that was never opened")
    if depth:
        raise QueryError("the query opens a bracket '(' that is never closed")
    return q


def _prepare(q: str) -> str:
    # "-word" excludes a word; Whoosh writes that "NOT word". A hyphen inside a word
    # (al-Indharat) is left alone.
    return re.sub(r'(^|\s)-(?=[\w"(])', r"\1NOT ", q)


def parse_query(searcher: Searcher, q: str) -> Query:
    # Words are combined with AND, as readers expect of an archive's search box.
    parser = MultifieldParser(["text", "narrator_name", "title", "context"], searcher.schema)
    return parser.parse(_prepare(q))


def _filters(request: SearchRequest, *, without: str | None = None) -> Query | None:
    terms = []
    if not request.include_restricted:
        terms.append(Term("access", "public"))
    for name in ("narrator", "place", "event"):
        value = getattr(request, name)
        if value and name != without:
            terms.append(Term(name, value))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else And(terms)


# What many searches need and the index alone decides: the documents of a filter term (above
# all, every public passage) and each document's facet values. They are worked out once per
# segment, since a segment never changes once written (only deletions are added to it, and
# these are taken off here), and put together once per searcher; so a testimony added to a
# large archive costs the reading of its own small segment, not of the whole index.
_SEARCHER_CACHES: weakref.WeakKeyDictionary[Searcher, dict] = weakref.WeakKeyDictionary()
_SEGMENT_CACHE: dict[tuple[str, Any], Any] = {}
_SEGMENT_CACHE_LOCK = threading.Lock()
_FILTER_CACHE_SIZE = 64


def _searcher_cache(searcher: Searcher) -> dict:
    cache = _SEARCHER_CACHES.get(searcher)
    if cache is None:
        cache = _SEARCHER_CACHES[searcher] = {}
    return cache


def _per_segment(searcher: Searcher, key: Any, compute) -> list[tuple[Any, Any, int]]:
    """(`compute(segment searcher)`, segment reader, its first document number) per segment.

    Results are kept for the segments of this searcher and dropped for segments no longer read.
    """
    parts, segment_ids = [], set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        segment = reader.segment()
        if segment is None:
            parts.append((compute(leaf), reader, offset))
            continue
        segment_ids.add(segment.segment_id())
        with _SEGMENT_CACHE_LOCK:
            value = _SEGMENT_CACHE.get((segment.segment_id(), key))
        if value is None:
            value = compute(leaf)
            with _SEGMENT_CACHE_LOCK:
                _SEGMENT_CACHE[(segment.segment_id(), key)] = value
        parts.append((value, reader, offset))
    with _SEGMENT_CACHE_LOCK:
        for stale in [k for k in _SEGMENT_CACHE if k[1] == key and k[0] not in segment_ids]:
            del _SEGMENT_CACHE[stale]
    return parts


def _filter_docs(searcher: Searcher, term: Query) -> set[int]:
    """The live documents a filter term lets through."""
    cache = _searcher_cache(searcher).setdefault("filters", {})
    if term not in cache:
        if len(cache) >= _FILTER_CACHE_SIZE:
            cache.clear()
        docs: set[int] = set()
        for local, reader, offset in _per_segment(
            searcher, ("filter", term), lambda leaf: frozenset(term.docs(leaf))
        ):
            if reader.has_deletions():  # deleted since the segment was read
                local = local - reader.deleted_docs_set
            docs.update(offset + docnum for docnum in local)
        cache[term] = docs
    return cache[term]


def _segment_facet_values(reader, fieldname: str) -> list[list[str] | None]:
    values: list[list[str] | None] = [None] * reader.doc_count_all()
    for term in reader.lexicon(fieldname):
        value = term.decode("utf-8")
        for docnum in reader.postings(fieldname, term).all_ids():
            if values[docnum] is None:
                values[docnum] = [value]
            else:
                values[docnum].append(value)
    return values


def _facet_values(searcher: Searcher, fieldname: str) -> list[list[str] | None]:
    """Each document's values of a facet field, by document number (deleted ones included)."""
    cache = _searcher_cache(searcher)
    key = ("facet", fieldname)
    if key not in cache:
        values: list[list[str] | None] = []
        for local, _, _ in _per_segment(
            searcher, key, lambda leaf: _segment_facet_values(leaf.reader(), fieldname)
        ):
            values.extend(local)
        cache[key] = values
    return cache[key]


class _Matches:
    """The documents one query matches, under each filter a search asks for.

    The query is run once, unscored, for the total and all facets; only the page of hits is
    scored.
    """

    def __init__(self, searcher: Searcher, query: Query):
        self.searcher = searcher
        self.query = query
        self._matched: set[int] | None = None
        self._found: dict[str, set[int]] = {}

    def allowed(self, restriction: Query | None) -> set[int] | None:
        """The documents a filter (`_filters`) lets through; None lets all through."""
        if restriction is None:
            return None
        parts = restriction.subqueries if isinstance(restriction, And) else [restriction]
        sets = sorted((_filter_docs(self.searcher, part) for part in parts), key=len)
        return sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]

    def found(self, restriction: Query | None) -> set[int]:
        """The documents that match the query and pass the filter."""
        key = repr(restriction)
        if key not in self._found:
            allowed = self.allowed(restriction)
            if isinstance(self.query, Every) and allowed is not None:
                self._found[key] = allowed
            else:
                if self._matched is None:
                    self._matched = set(self.searcher.docs_for_query(self.query))
                self._found[key] = self._matched if allowed is None else self._matched & allowed
        return self._found[key]

    def facet_counts(self, fieldname: str, restriction: Query | None) -> Counter:
        values = _facet_values(self.searcher, fieldname)
        found = self.found(restriction)
        return Counter(chain.from_iterable(filter(None, map(values.__getitem__, found))))


def _query_terms(searcher: Searcher, query: Query) -> list[tuple[str, bytes]]:
    """The (field, term) pairs of the query that the index holds, wildcards expanded."""
    # Not Query.existing_terms: it drops every field after the first one it meets.
    reader = searcher.reader()
    terms = set()
    for leaf in query.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname in searcher.schema:
                term = (fieldname, searcher.schema[fieldname].to_bytes(text))
                if term in reader:
                    terms.add(term)
    return sorted(terms)


def _matched_fields(searcher: Searcher, terms: list[tuple[str, bytes]], docnum: int) -> list[str]:
    """The fields in which the document holds one of the query's terms."""
    reader = searcher.reader()
    fields: set[str] = set()
    for fieldname, text in terms:
        if fieldname in fields:
            continue
        postings = reader.postings(fieldname, text)
        if postings.is_active() and postings.id() < docnum:
            postings.skip_to(docnum)
        if postings.is_active() and postings.id() == docnum:
            fields.add(fieldname)
    return sorted(fields)


def _snippet(results, hit) -> str:
    text = hit["text"]
    # A short passage is shown whole; a long one by its best fragments.
    results.fragmenter = _WHOLE if len(text) <= SNIPPET_CHARS else _CONTEXT
    snippet = hit.highlights("text", text=text, top=2)
    if snippet:
        return snippet
    short = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(short, quote=False)


_WHOLE = highlight.WholeFragmenter()
_CONTEXT = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=90)


def suggest(searcher: Searcher, q: str, include_restricted: bool) -> str | None:
    """A corrected query when some of its words are unknown to the archive, else None.

    Known words are those of the passages the asker may see and every spelling in the
    gazetteer; corrections come from the same words, so restricted text never shows.
    """
    fieldnames = ["public_words", "restricted_words"] if include_restricted else ["public_words"]
    reader = searcher.reader()
    spellings = _spelling_table(searcher.schema)
    corrector = _VocabularyCorrector(searcher, fieldnames)
    changed = False

    def correct(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        tokens = name_tokens(word)
        if len(tokens) != 1 or len(tokens[0]) < 4 or tokens[0] in spellings:
            return word
        if any(reader.doc_frequency(name, tokens[0]) for name in fieldnames):
            return word
        # prefix=1: a misspelling seldom starts with the wrong letter, and taking the first
        # letter as given spares walking the whole vocabulary (Whoosh's own advice)
        suggestions = corrector.suggest(tokens[0], limit=1, maxdist=2, prefix=1)
        if not suggestions:
            return word
        changed = True
        return suggestions[0]

    # Field filters (narrator:slug), operators and quoted phrases keep their form.
    corrected = re.sub(r"(?<![\w:\-])(?!(?:AND|OR|NOT)\b)[^\W\d_][\w’']*(?![\w:])", correct, q)
    return corrected if changed and corrected != q else None


class _VocabularyCorrector(Corrector):
    """Whoosh's `ReaderCorrector` ranking, with words found segment by segment.

    A reader over several segments (after additions, or after a parallel build) would compare
    the word with every word of the field, which takes seconds on a large archive; each
    segment's reader instead walks its word list with a Levenshtein automaton. A word is
    offered only while a live passage holds it: a passage deleted from a segment (withdrawn,
    made restricted, replaced) leaves its words in the segment's list until a merge.
    """

    def __init__(self, searcher: Searcher, fieldnames: list[str]):
        self.searcher = searcher
        self.fieldnames = fieldnames

    def _suggestions(self, text, maxdist, prefix):
        reader = self.searcher.reader()
        frequencies: Counter = Counter()
        for name in self.fieldnames:
            for leaf, _ in self.searcher.leaf_searchers():
                for word in leaf.reader().terms_within(name, text, maxdist, prefix):
                    if reader.postings(name, word).is_active():
                        frequencies[word] += reader.frequency(name, word)
        for word, frequency in frequencies.items():
            yield 0 - (maxdist + (1.0 / (frequency or 1) * 0.5)), word


def _spelling_table(schema: Schema) -> dict[str, str]:
    for item in schema["text"].analyzer.items:
        if isinstance(item, SpellingFilter):
            return item.table
    return {}


def search(request: SearchRequest) -> SearchResult:
    """Search passages. Raises `QueryError` for a query that cannot be searched.

    Anonymous requests (`include_restricted` false) see public passages only, in hits,
    totals, facets and suggestions alike.
    """
    q = check_query(request.q)
    if not q and not (request.narrator or request.place or request.event):
        raise QueryError("the query is empty: type a word, a name or a place")
    if request.page < 1:
        raise QueryError("the page number must be 1 or more")
    if not 1 <= request.per_page <= 100:
        raise QueryError("per_page must be between 1 and 100")
    searcher = archive_index().searcher()
    query = parse_query(searcher, q) if q else Every()
    limit = request.page * request.per_page
    matches = _Matches(searcher, query)
    # Without terms=True: recording the matched terms of every document scored costs more
    # than looking them up for the page of hits (`_matched_fields`).
    results = searcher.search(query, filter=matches.allowed(_filters(request)), limit=limit)
    terms = _query_terms(searcher, query)
    result = SearchResult(q, len(matches.found(_filters(request))), request.page, request.per_page)
    if result.total and request.page > result.pages:
        raise QueryError(f"page {request.page} is past the last page of results ({result.pages})")
    results.formatter = _MarkFormatter()
    for hit in results[(request.page - 1) * request.per_page : limit]:
        result.hits.append(
            SearchHit(
                passage_id=int(hit["passage_id"]),
                testimony_id=int(hit["testimony_id"]),
                position=hit["position"],
                narrator_slug=hit["narrator"],
                snippet=_snippet(results, hit),
                score=round(hit.score or 0.0, 4),
                matched_in=_matched_fields(searcher, terms, hit.docnum),
            )
        )
    for facet in ("narrator", "place", "event"):
        counts = matches.facet_counts(facet, _filters(request, without=facet))
        result.facets[facet] = sorted(
            ((key, count) for key, count in counts.items() if key),
            key=lambda item: (-item[1], item[0]),
        )
    if q:
        result.suggestion = suggest(searcher, q, request.include_restricted)
    return result


def narrator_names(session: Session, slugs: Iterable[str]) -> dict[str, str]:
    slugs = list(slugs)
    rows = session.execute(select(Narrator.slug, Narrator.name).where(Narrator.slug.in_(slugs)))
    return dict(rows.all())
