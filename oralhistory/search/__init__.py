"""Searching the archive: the package's one face.

`search(index, request, places)` takes plain values (the `ArchiveIndex` the archive opened, a
`SearchRequest`, the `Gazetteer` of places and events) and gives a `SearchResult`;
`rebuild_index` and `index_testimonies` write into the index the documents of plain
`DocumentGroup`s that the archive reads from its record (`oralhistory.services.index_documents`). The
package imports nothing of the archive but itself: no Flask, no database. Nothing outside it
talks to Whoosh; its patches to Whoosh are installed when an index is opened
(`install_whoosh_patches`), not on import. Inside it: `store` (the index on disk),
`documents` (the fields, and documents from plain values), `planning` and
`querylang` (from a request to a query), `postings`, `arrays` and `ranking` (finding and
scoring), `snippets` and `marks` (what a hit shows), `suggestions` ("did you mean"),
`timeline` (the events and places a query names), `analysis` and `transliteration` (words).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, partial, wraps

from whoosh.fields import Schema
from whoosh.searching import Results, Searcher

from . import marks, postings, querylang, ranking, snippets, translated
from .documents import (
    DocumentGroup,
    NarratorText,
    PassageText,
    RepeatedText,
    TestimonyText,
    build_schema,
    group_documents,
    passage_versions,
    schema_for,
)
from .planning import (
    FIELD_WEIGHTS,
    KEY_WEIGHTS,
    Gazetteer,
    SearchRequest,
    plan_search,
    wanted_marks,
)
from .querylang import QueryError
from .store import (
    WRITE_LOCK_TIMEOUT,
    ArchiveIndex,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    install_whoosh_patches,
)

# An index keeps its fields pickled, by the name their class had when it was written: those
# written before the search package had modules of its own name this one here.
_RepeatedText = RepeatedText
from .suggestions import suggest  # noqa: E402
from .timeline import TimelineMatch, TimelineMatcher  # noqa: E402

__all__ = [  # the face: what the rest of the archive uses
    "WRITE_LOCK_TIMEOUT",
    "ArchiveIndex",
    "DocumentGroup",
    "Gazetteer",
    "IndexBusy",
    "IndexDamaged",
    "IndexMissing",
    "NarratorText",
    "PassageText",
    "QueryError",
    "SearchHit",
    "SearchRequest",
    "SearchResult",
    "TestimonyText",
    "index_is_outdated",
    "index_testimonies",
    "install_whoosh_patches",
    "mark_matches",
    "passage_versions",
    "rebuild_index",
    "search",
]
# A rebuild of this many passages or more is shared among the machine's cores (up to 4).
PARALLEL_BUILD_PASSAGES = 5000
# Each facet lists this many values at most, those with most passages (and the chosen one).
FACET_VALUES = 25


def rebuild_index(
    index: ArchiveIndex,
    groups: Iterable[DocumentGroup],
    *,
    spellings: Iterable[tuple[str, list[str]]],
    passages: int,
    last_change: int,
) -> int:
    """Rebuild the whole index from `groups` (every testimony not withdrawn, each with its
    passages, in order); return the number of passages indexed.

    `spellings` is the spelling table, (name, [its other spellings]); `passages` how many
    passages the groups hold (a large rebuild is shared among processes); the new index
    reflects the change log up to `last_change`.
    """
    schema = schema_for(spellings)
    documents = (group_documents(group) for group in groups)
    procs = min(os.cpu_count() or 1, 4) if passages >= PARALLEL_BUILD_PASSAGES else 1
    return index.rebuild(schema, documents, procs, last_change)


def _layout(schema: Schema) -> frozenset[tuple[str, bool, bool]]:
    """The fields of a schema: each one's name, whether it is searched, whether it has a
    column."""
    return frozenset(
        (name, bool(field.indexed), getattr(field, "column_type", None) is not None)
        for name, field in schema.items()
    )


@cache
def _current_fields() -> frozenset[tuple[str, bool, bool]]:
    return _layout(build_schema({}))


def index_is_outdated(index: ArchiveIndex) -> bool:
    """Whether the index was built by an earlier version, with other fields than this
    version's documents carry: it must be rebuilt. (A missing or damaged index is not said
    to be outdated: searches report it, and it is rebuilt as such.)"""
    try:
        return index.exists() and _layout(index.searcher().schema) != _current_fields()
    except (IndexMissing, IndexDamaged):
        return False


def index_testimonies(
    index: ArchiveIndex,
    testimony_ids: Iterable[int],
    groups: Iterable[DocumentGroup],
    last_change: int | None = None,
) -> None:
    """Replace what the index holds of these testimonies by `groups` (theirs that are not
    withdrawn: a withdrawn one's passages are removed). The index then reflects the change
    log up to `last_change`. The index must exist with this version's fields
    (`index_is_outdated`); else rebuild it."""
    ids = sorted(set(testimony_ids))
    index.replace(ids, [group_documents(group) for group in groups], last_change)


def _damage_checked(function):
    """Report an error from Whoosh's files as `IndexDamaged` when the files are damaged;
    any other error is raised as it was."""

    @wraps(function)
    def checked(index: ArchiveIndex, *args, **kwargs):
        generation = index._current()
        try:
            return function(index, *args, **kwargs)
        except (QueryError, IndexMissing, IndexDamaged):
            raise
        except Exception as error:
            if index._current() != generation:  # switched while it was read
                return function(index, *args, **kwargs)
            problem = index.damage()
            if problem is None:
                raise
            raise IndexDamaged(problem) from error

    return checked


def _guarded_searcher(index: ArchiveIndex) -> Searcher:
    """This thread's searcher, opened afresh when a file its arrays map was changed in place
    since: reading one cut short would kill the process (`integrity`); opened afresh, the
    damage is found and reported (`IndexDamaged`)."""
    searcher = index.searcher()
    held = postings.searcher_cache(searcher).get("arrays")
    if held is not None and held.cut():
        index.drop_searcher()
        searcher = index.searcher()
    return searcher


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
    # the language of the text that matched, when not the main text's (`translated`)
    language: str | None = None

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


@_damage_checked
def search(
    index: ArchiveIndex, request: SearchRequest, places: Gazetteer | None = None
) -> SearchResult:
    """Search passages. Raises `QueryError` for a query that cannot be searched.

    Anonymous requests (`include_restricted` false) see public passages only, in hits,
    totals, facets and suggestions alike, scores and order included (`ranking`). With a
    `Gazetteer`, places and events in filters may be given by name as well as by slug, and
    passages about a place the query names rank higher. Takes and returns plain values: no
    database session, no Flask request; `index` is the one the archive opened.
    """
    if not request.q.strip() and not (request.narrator or request.place or request.event):
        raise QueryError("the query is empty: type a word, a name or a place")
    if request.page < 1:
        raise QueryError("the page number must be 1 or more")
    if not 1 <= request.per_page <= 100:
        raise QueryError("per_page must be between 1 and 100")
    searcher = _guarded_searcher(index)
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
    want = wanted_marks(searcher.schema, plan.query)
    results.formatter = snippets.MarkFormatter(phrase=want.phrase)
    for rank in ranks:
        hit = results[rank]
        matched_in = [name for name in matches.fields_of(hit.docnum) if name in FIELD_WEIGHTS]
        by_key_only = bool(matched_in) and set(matched_in) <= set(KEY_WEIGHTS)
        # where the keys stand in the passage: for its snippet and for what it was read as
        spans = snippets.key_spans(searcher.schema, hit["text"], want) if by_key_only else None
        in_other = translated.matched_language(results, hit, matched_in, want, spans)
        result.hits.append(
            SearchHit(
                passage_id=int(hit["passage_id"]),
                testimony_id=int(hit["testimony_id"]),
                position=hit["position"],
                narrator_slug=hit["narrator"],
                snippet=in_other[1] if in_other else snippets.snippet(results, hit, spans),
                score=round(hit.score or 0.0, 4),
                matched_in=matched_in,
                read_as=snippets.read_as(
                    searcher.schema, hit, _narrator_name(searcher, hit.docnum), want, spans
                )
                if by_key_only and not in_other
                else None,
                language=in_other[0] if in_other else None,
            )
        )
    for facet in ("narrator", "place", "event"):
        # Each facet counts as if its own choice were not made, to show the alternatives.
        shown, more = matches.facet(
            facet, plan.filter(without=facet), FACET_VALUES, getattr(request, facet)
        )
        result.facets[facet], result.facets_more[facet] = shown, more
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


def _narrator_name(searcher: Searcher, docnum: int) -> str:
    """The narrator's names as the passage's testimony document holds them."""
    parent = int(postings.search_arrays(searcher).parents[docnum])
    return searcher.stored_fields(parent).get("narrator_name", "") if parent >= 0 else ""


_MATCHERS: dict[tuple[int, int], tuple[tuple, TimelineMatcher]] = {}


def _timeline(
    schema: Schema, tokens: list[querylang.Token], places: Gazetteer
) -> tuple[list[TimelineMatch], list[TimelineMatch]]:
    """The events and places the query names, read with the index's analyzers."""
    if "name_keys" not in schema:  # an index built before name keys
        return [], []
    # kept while the index's analysers stay the same (`quick.shared_analyzer`): through
    # commits, until the timeline changes
    analyzers = (schema["text"].analyzer, schema["name_keys"].analyzer)
    key = tuple(map(id, analyzers))
    # Read into a name of its own: another thread may clear the dict between two lookups.
    kept = _MATCHERS.get(key)
    if kept is None:
        kept = (analyzers, TimelineMatcher(*analyzers))
        _MATCHERS.clear()  # one index in use at a time: its analysers, and what they read
        _MATCHERS[key] = kept
    matcher = kept[1]
    return matcher.match(tokens, places.event_words, places.places)


@_damage_checked
def mark_matches(
    index: ArchiveIndex, q: str, texts: list[str], places: Gazetteer | None = None
) -> list[str | None]:
    """Each of `texts` (a testimony's passages, in order) with what the query `q` matches in
    it marked, as escaped HTML, the marks numbered `match-1`, `match-2` ... through all the
    texts; None for a text in which nothing matches. Raises `QueryError` as `search` does.

    The query is read as the search reads it (spellings, name keys, phrases, exclusions);
    filters in it select nothing here: the reader is already on one testimony.
    """
    searcher = _guarded_searcher(index)
    plan = plan_search(searcher, SearchRequest(q=q, include_restricted=True), places)
    schema = searcher.schema
    want = wanted_marks(schema, plan.query)
    # An index built before name keys has none to mark.
    keys = schema["name_keys"].analyzer if "name_keys" in schema else lambda *_, **__: ()
    analyzers = (schema["text"].analyzer, keys)
    numbers = (f"match-{n}" for n in range(1, 1_000_000))
    found = []
    for text in texts:
        spans = marks.matched_spans(text, want, *analyzers) if want else []
        found.append(marks.marked(text, spans, numbers) if spans else None)
    return found
