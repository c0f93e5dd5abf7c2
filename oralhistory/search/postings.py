"""Reading the Whoosh index directly, for speed: every segment's postings as numpy arrays
(`arrays`), document sets as boolean masks, phrases matched from word positions, facets counted
with `bincount`; `scoring` ranks what it finds. `search` builds on both; results are the same
as Whoosh's own matchers give (tests compare them), only sooner.

"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndMaybe, Every, Not, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from .searcher_arrays import SearchArrays
from .segment_layout import ABOUT_FIELDS, Family, ranges

# What many searches need and the index alone decides (each segment's arrays, the documents
# of a filter term, the statistics for a viewer) is worked out once per searcher; segments
# never change once written, so a testimony added to a large archive costs the reading of its
# own small segment, not of the whole index.
_SEARCHER_CACHES: weakref.WeakKeyDictionary[Searcher, dict] = weakref.WeakKeyDictionary()
_SEGMENT_CACHE: dict[tuple[str, Any], Any] = {}
_SEGMENT_CACHE_LOCK = threading.Lock()
_FILTER_CACHE_SIZE = 64


def searcher_cache(searcher: Searcher) -> dict:
    """What is kept for one searcher (its arrays, filters, statistics, words): dropped with
    it."""
    cache = _SEARCHER_CACHES.get(searcher)
    if cache is None:
        cache = _SEARCHER_CACHES[searcher] = {}
    return cache


def per_segment(searcher: Searcher, key: Any, compute) -> list[tuple[Any, Any, int]]:
    """(`compute(segment searcher)`, segment reader, its first document number) per segment.

    Results are kept for the segments of this searcher and dropped for segments no longer read.
    """
    parts, segment_ids = [], set()
    # A copied index directory holds segments of the same ids: the directory is part of the key.
    folder = getattr(getattr(searcher._ix, "storage", None), "folder", None)
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        segment = reader.segment()
        if segment is None:
            parts.append((compute(leaf), reader, offset))
            continue
        segment_id = (folder, segment.segment_id())
        segment_ids.add(segment_id)
        with _SEGMENT_CACHE_LOCK:
            value = _SEGMENT_CACHE.get((segment_id, key))
        if value is None:
            value = compute(leaf)
            with _SEGMENT_CACHE_LOCK:
                _SEGMENT_CACHE[(segment_id, key)] = value
        parts.append((value, reader, offset))
    with _SEGMENT_CACHE_LOCK:
        for stale in [k for k in _SEGMENT_CACHE if k[1] == key and k[0] not in segment_ids]:
            del _SEGMENT_CACHE[stale]
    return parts


def search_arrays(searcher: Searcher) -> SearchArrays:
    """The postings of every segment the searcher reads, as arrays (kept per searcher)."""
    cache = searcher_cache(searcher)
    if "arrays" not in cache:
        cache["arrays"] = SearchArrays(searcher)
    return cache["arrays"]


def _filter_mask(searcher: Searcher, term: Query) -> np.ndarray:
    """The live documents a filter term lets through."""
    cache = searcher_cache(searcher).setdefault("filters", {})
    key = repr(term)
    if key not in cache:
        if len(cache) >= _FILTER_CACHE_SIZE:
            cache.clear()
        cache[key] = matching_mask(searcher, term)
    return cache[key]


def allowed_mask(searcher: Searcher, restriction: Query | None) -> np.ndarray | None:
    """The documents a filter (`_Plan.filter`) lets through, as a mask; None lets all through."""
    if restriction is None:
        return None
    parts = restriction.subqueries if isinstance(restriction, And) else [restriction]
    masks = [_filter_mask(searcher, part) for part in parts]
    return masks[0] if len(masks) == 1 else np.logical_and.reduce(masks)


def matching_docs(searcher: Searcher, query: Query, memo: dict | None = None) -> set[int]:
    """The live documents `query` matches, unscored."""
    return set(np.flatnonzero(matching_mask(searcher, query, memo)).tolist())


def matching_mask(searcher: Searcher, query: Query, memo: dict | None = None) -> np.ndarray:
    """The live documents `query` matches, unscored, as a mask over document numbers.

    Words and their combinations are worked out from the posting arrays, and phrases from
    their words' positions; anything else is left to Whoosh's matchers. Each word's postings
    are kept in `memo`, keyed by (field, word), for scoring, and each phrase's documents.
    """
    arrays = search_arrays(searcher)
    kind = type(query)
    if kind is Term:
        return arrays.mask(word_postings(searcher, query.fieldname, query.text, memo).docs)
    if isinstance(query, Or) and not query.minmatch:  # filters (an Or) too
        found = np.zeros(arrays.doc_count, dtype=bool)
        for sub in query.subqueries:
            found |= matching_mask(searcher, sub, memo)
        return found
    if kind is And:
        wanted = [sub for sub in query.subqueries if type(sub) is not Not]
        unwanted = [sub.query for sub in query.subqueries if type(sub) is Not]
        found = (
            np.logical_and.reduce([matching_mask(searcher, s, memo) for s in wanted])
            if wanted
            else arrays.live.copy()
        )
        for sub in unwanted:
            found &= ~matching_mask(searcher, sub, memo)
        return found
    if kind is Not:
        return arrays.live & ~matching_mask(searcher, query.query, memo)
    if kind is AndMaybe:
        return matching_mask(searcher, query.a, memo)
    if kind is Every:
        return arrays.live.copy()
    memo = {} if memo is None else memo
    if query not in memo:
        if (
            kind is Phrase
            and query.slop == 1
            and query.fieldname in searcher.schema
            and searcher.schema[query.fieldname].format.supports("positions")
        ):
            memo[query] = _phrase_mask(searcher, query, memo)
        else:
            # one field's words (a wildcard, say): a testimony document found counts as its
            # passages
            docs = np.fromiter(searcher.docs_for_query(query), dtype=np.int64)
            memo[query] = arrays.spread(arrays.mask(docs))
    return memo[query]


def _phrase_mask(searcher: Searcher, phrase: Phrase, memo: dict) -> np.ndarray:
    """The documents in which the phrase's words come one right after the other.

    Only the documents that hold every word are looked at. Each word's positions are
    decoded once per segment (`_segment_positions`) and the phrase found for all those
    documents at once: a word at position p in document d is the key (d, p - its place in
    the phrase), and the documents whose keys every word shares hold the phrase.
    """
    arrays = search_arrays(searcher)
    masks = [
        arrays.mask(word_postings(searcher, phrase.fieldname, w, memo).docs) for w in phrase.words
    ]
    candidates = np.logical_and.reduce(masks)
    if len(phrase.words) < 2 or not candidates.any():
        return candidates
    field = searcher.schema[phrase.fieldname]
    shared: np.ndarray | None = None
    for place, word in enumerate(phrase.words):
        parts = []
        for (leaf, offset), (segment, _) in zip(searcher.leaf_searchers(), arrays.parts):
            docs, counts, positions = _segment_positions(
                leaf.reader(), phrase.fieldname, field.to_bytes(word), segment.family
            )
            docs = docs + offset
            keep = np.repeat(candidates[docs], counts)
            at = np.repeat(docs, counts)[keep]
            parts.append((at << 32) + (positions[keep].astype(np.int64) - place))
        keys = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        shared = keys if shared is None else np.intersect1d(shared, keys, assume_unique=True)
    return arrays.mask(np.unique(shared >> 32))


# Per process: (segment, field, word) -> its positions, for the words phrases were made of
_POSITIONS: OrderedDict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = OrderedDict()
_POSITIONS_SIZE = 512
_POSITIONS_LOCK = threading.Lock()


def _segment_positions(reader, fieldname: str, term: bytes, family: Family):
    """A word's postings in one segment with their positions: the documents (deleted ones
    included), how many positions each has, and the positions one after the other. A
    testimony document's are given as each of its passages' (`arrays.Family`).

    Kept for the words used most recently. Reading a block at a time uses attributes of
    Whoosh's `W3LeafMatcher` that are not part of its public API (whoosh-reloaded is pinned).
    """
    segment = reader.segment()
    key = (segment.segment_id() if segment else id(reader), fieldname, term)
    with _POSITIONS_LOCK:
        if key in _POSITIONS:
            _POSITIONS.move_to_end(key)
            return _POSITIONS[key]
    docs: list[int] = []
    positions: list[list[int]] = []
    if (fieldname, term) in reader:
        decode = reader.schema[fieldname].format.decode_positions
        postings = reader.postings(fieldname, term)
        if isinstance(postings, FilterMatcher):  # deleted documents: never among candidates
            postings = postings.child
        while postings.is_active():
            if isinstance(postings, W3LeafMatcher):  # a block at a time
                if postings._ids is None:
                    postings._read_ids()
                if postings._values is None:
                    postings._read_values()
                docs.extend(postings._ids[postings._i :])
                positions.extend(map(decode, postings._values[postings._i :]))
                postings._next_block()
            else:
                docs.append(postings.id())
                positions.append(decode(postings.value()))
                postings.next()
    found = (
        np.array(docs, dtype=np.int64),
        np.array([len(p) for p in positions], dtype=np.int64),
        np.fromiter(chain.from_iterable(positions), dtype=np.int32),
    )
    if fieldname in ABOUT_FIELDS:
        found = _spread_positions(family, *found)
    with _POSITIONS_LOCK:
        _POSITIONS[key] = found
        while len(_POSITIONS) > _POSITIONS_SIZE:
            _POSITIONS.popitem(last=False)
    return found


def _spread_positions(family: Family, docs: np.ndarray, counts: np.ndarray, positions):
    """Documents with their positions, each testimony document's given to its passages."""
    spread, source = family.spread(docs)
    firsts = np.cumsum(counts) - counts  # where each document's positions start
    return spread, counts[source], positions[ranges(firsts[source], counts[source])]


@dataclass
class Postings:
    """The live documents that hold a word in a field (ascending), and its weight in each."""

    docs: np.ndarray
    weights: np.ndarray

    @cached_property
    def docset(self) -> set[int]:
        """The documents, as a set."""
        return set(self.docs.tolist())

    def __contains__(self, docnum: int) -> bool:
        at = int(np.searchsorted(self.docs, docnum))
        return at < len(self.docs) and int(self.docs[at]) == docnum


def term_bytes(searcher: Searcher, fieldname: str, text: Any) -> bytes | None:
    """A word as its field's postings hold it, in bytes (None: the index has no such field)."""
    if fieldname not in searcher.schema:
        return None
    return text if isinstance(text, bytes) else searcher.schema[fieldname].to_bytes(text)


def word_postings(
    searcher: Searcher, fieldname: str, text: Any, memo: dict | None = None
) -> Postings:
    """A word's postings among the live documents, kept in `memo` when given."""
    if memo is not None:
        if (fieldname, text) not in memo:
            memo[fieldname, text] = word_postings(searcher, fieldname, text)
        return memo[fieldname, text]
    term = term_bytes(searcher, fieldname, text)
    if term is None:
        return Postings(np.zeros(0, np.int64), np.zeros(0, np.float64))
    return Postings(*search_arrays(searcher).postings(fieldname, term))


class Matches:
    """The documents one query matches, under each filter a search asks for.

    The query is run once, unscored, for the total and all facets; only the page of hits is
    ranked. `scope` is what the viewer may see (None: everything), and decides the statistics
    scores rest on.
    """

    def __init__(self, searcher: Searcher, query: Query, scope: Query | None = None):
        self.searcher = searcher
        self.query = query
        self.scope = scope
        self._matched: np.ndarray | None = None
        self._found: dict[str, np.ndarray] = {}
        self._words: dict = {}  # each word's postings, each phrase's documents (`matching_mask`)

    def found(self, restriction: Query | None) -> np.ndarray:
        """The documents that match the query and pass the filter, as a mask."""
        key = repr(restriction)
        if key not in self._found:
            allowed = allowed_mask(self.searcher, restriction)
            if isinstance(self.query, Every) and allowed is not None:
                self._found[key] = allowed
            else:
                matched = self.matched()
                self._found[key] = matched if allowed is None else matched & allowed
        return self._found[key]

    def mask(self, query: Query) -> np.ndarray:
        """The documents a part of the query matches."""
        return matching_mask(self.searcher, query, self._words)

    def postings(self, fieldname: str, text: Any) -> Postings:
        """A word's postings among the live documents (kept for this query)."""
        return word_postings(self.searcher, fieldname, text, self._words)

    def matched(self) -> np.ndarray:
        """The documents that match the query, whatever the filter."""
        if self._matched is None:
            self._matched = matching_mask(self.searcher, self.query, self._words)
        return self._matched

    @cached_property
    def _terms(self) -> set[tuple[str, Any]]:
        return _query_terms(self.searcher, self.query)

    def fields_of(self, docnum: int) -> list[str]:
        """The fields in which the document holds a word of the query (of a phrase, say)."""
        return sorted(
            {
                fieldname
                for fieldname, text in self._terms
                if docnum in self.postings(fieldname, text)
            }
        )

    def facet(
        self, fieldname: str, restriction: Query | None, limit: int, chosen: str | None = None
    ) -> tuple[list[tuple[str, int]], int]:
        """The `limit` values of a facet that most of the documents found under `restriction`
        hold (by name among equals), with `chosen` after them when it is held but not among
        them; and how many other values are held. The empty value is never counted."""
        values, counts = self._value_counts(fieldname, restriction)
        ranks, numbers = search_arrays(self.searcher).value_order(fieldname)
        held = np.flatnonzero(counts)
        held = held[ranks[held] >= 0]  # the empty value has no rank
        best = held[np.lexsort((ranks[held], -counts[held]))[:limit]]
        shown = [(values[n], int(counts[n])) for n in best]
        number = numbers.get(chosen) if chosen else None
        if number is not None and counts[number] and number not in best:
            shown.append((chosen, int(counts[number])))
        return shown, len(held) - len(shown)

    def _value_counts(self, fieldname: str, restriction: Query | None):
        values, docs, numbers = search_arrays(self.searcher).values(fieldname)
        counts = np.bincount(numbers[self.found(restriction)[docs]], minlength=len(values))
        return values, counts


def _query_terms(searcher: Searcher, query: Query) -> set[tuple[str, Any]]:
    """The (field, word) pairs of the query, wildcards expanded and phrases split into words."""
    # Not Query.existing_terms: it drops every field after the first one it meets.
    reader = searcher.reader()
    return {
        (fieldname, text)
        for leaf in query.leaves()
        for fieldname, text in leaf.expanded_terms(reader, phrases=True)
        if fieldname in searcher.schema
    }
