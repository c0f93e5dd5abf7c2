"""Reading the Whoosh index directly, for speed: posting lists a block at a time, what each
index segment holds kept once per segment, phrases matched from word positions, and BM25F
scores added up from postings. `search` builds on it; results are the same as Whoosh's own
matchers give (tests compare them), only sooner.

Whoosh's matchers step through postings one document at a time in Python. Reading a block of
postings at a time uses attributes of Whoosh's `W3LeafMatcher` that are not part of its public
API; whoosh-reloaded is pinned, and a matcher of another kind is read through the public API.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from typing import Any

from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndMaybe, Every, Not, Or, Phrase, Query, Term
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

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


def _filter_docs(searcher: Searcher, term: Query) -> set[int]:
    """The live documents a filter term lets through."""
    cache = _searcher_cache(searcher).setdefault("filters", {})
    if term not in cache:
        if len(cache) >= _FILTER_CACHE_SIZE:
            cache.clear()
        docs: set[int] = set()
        for local, reader, offset in per_segment(
            searcher, ("filter", term), lambda leaf: frozenset(matching_docs(leaf, term))
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
        found = Postings([], [])
        _read_postings(reader.postings(fieldname, term), 0, found)
        for docnum in found.docs:
            if values[docnum] is None:
                values[docnum] = [value]
            else:
                values[docnum].append(value)
    return values


def facet_values(searcher: Searcher, fieldname: str) -> list[list[str] | None]:
    """Each document's values of a facet field, by document number (deleted ones included)."""
    cache = _searcher_cache(searcher)
    key = ("facet", fieldname)
    if key not in cache:
        values: list[list[str] | None] = []
        for local, _, _ in per_segment(
            searcher, key, lambda leaf: _segment_facet_values(leaf.reader(), fieldname)
        ):
            values.extend(local)
        cache[key] = values
    return cache[key]


def allowed_docs(searcher: Searcher, restriction: Query | None) -> set[int] | None:
    """The documents a filter (`_Plan.filter`) lets through; None lets all through."""
    if restriction is None:
        return None
    parts = restriction.subqueries if isinstance(restriction, And) else [restriction]
    sets = sorted((_filter_docs(searcher, part) for part in parts), key=len)
    return sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0]


def matching_docs(searcher: Searcher, query: Query, memo: dict | None = None) -> set[int]:
    """The live documents `query` matches, unscored.

    Words and their combinations are worked out as sets from the posting lists, read a block
    at a time, and phrases from their words' positions; anything else is left to Whoosh's
    matchers. Each word's postings are kept in `memo`, keyed by (field, word), for scoring,
    and each phrase's documents.
    """
    kind = type(query)
    if kind is Term:
        return word_postings(searcher, query.fieldname, query.text, memo).docset
    if isinstance(query, Or) and not query.minmatch:  # filters (an Or) too
        return set().union(*(matching_docs(searcher, sub, memo) for sub in query.subqueries))
    if kind is And:
        wanted = [sub for sub in query.subqueries if type(sub) is not Not]
        unwanted = [sub.query for sub in query.subqueries if type(sub) is Not]
        if wanted:
            sets = sorted((matching_docs(searcher, sub, memo) for sub in wanted), key=len)
            found = sets[0].intersection(*sets[1:])
            return found.difference(*(matching_docs(searcher, sub, memo) for sub in unwanted))
    if kind is AndMaybe:
        return matching_docs(searcher, query.a, memo)
    memo = {} if memo is None else memo
    if query not in memo:
        if (
            kind is Phrase
            and query.slop == 1
            and query.fieldname in searcher.schema
            and searcher.schema[query.fieldname].format.supports("positions")
        ):
            memo[query] = _phrase_docs(searcher, query, memo)
        else:
            memo[query] = set(searcher.docs_for_query(query))
    return memo[query]


def _phrase_docs(searcher: Searcher, phrase: Phrase, memo: dict) -> set[int]:
    """The documents in which the phrase's words come one right after the other.

    Only the documents that hold every word are looked at, and the words' positions read for
    those alone: Whoosh's phrase matcher steps through them one posting at a time.
    """
    sets = sorted(
        (word_postings(searcher, phrase.fieldname, w, memo).docset for w in phrase.words), key=len
    )
    candidates = sets[0].intersection(*sets[1:])
    if len(phrase.words) < 2 or not candidates:
        return candidates
    decode = searcher.schema[phrase.fieldname].format.decode_positions
    positions = [_positions(searcher, phrase.fieldname, w, candidates) for w in phrase.words]
    found = set()
    for docnum in candidates:
        later = [set(decode(of_word[docnum])) for of_word in positions[1:]]
        if any(
            all(start + n in at for n, at in enumerate(later, 1))
            for start in decode(positions[0][docnum])
        ):
            found.add(docnum)
    return found


def _positions(searcher: Searcher, fieldname: str, word: str, docs: set[int]) -> dict[int, bytes]:
    """The positions of `word` in each of `docs`, as Whoosh stores them (`decode_positions`)."""
    term = searcher.schema[fieldname].to_bytes(word)
    found = {}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (fieldname, term) not in reader:
            continue
        postings = reader.postings(fieldname, term)
        if isinstance(postings, FilterMatcher):  # deleted documents: not among `docs`
            postings = postings.child
        while postings.is_active():
            if isinstance(postings, W3LeafMatcher):  # a block at a time
                if postings._ids is None:
                    postings._read_ids()
                if postings._values is None:
                    postings._read_values()
                start = postings._i
                pairs = zip(postings._ids[start:], postings._values[start:])
                found.update((offset + d, value) for d, value in pairs if offset + d in docs)
                postings._next_block()
            else:
                if offset + postings.id() in docs:
                    found[offset + postings.id()] = postings.value()
                postings.next()
    return found


@dataclass
class Postings:
    """The live documents that hold a word in a field, and its weight (frequency) in each."""

    docs: list[int]
    weights: list[float]

    @cached_property
    def docset(self) -> set[int]:
        return set(self.docs)


def word_postings(
    searcher: Searcher, fieldname: str, text: Any, memo: dict | None = None
) -> Postings:
    if memo is not None:
        if (fieldname, text) not in memo:
            memo[fieldname, text] = word_postings(searcher, fieldname, text)
        return memo[fieldname, text]
    found = Postings([], [])
    if fieldname in searcher.schema:
        term = searcher.schema[fieldname].to_bytes(text)
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if (fieldname, term) in reader:
                _read_postings(reader.postings(fieldname, term), offset, found)
    return found


def _read_postings(postings, offset: int, found: Postings) -> None:
    """Add a segment's postings, less its deleted documents, to `found`.

    Whoosh's own `all_ids` steps through postings one at a time in Python; a block at a time
    is many times faster for a word found in thousands of passages.
    """
    deleted = frozenset()
    if isinstance(postings, FilterMatcher) and postings._exclude:  # the deleted documents
        postings, deleted = postings.child, postings._ids
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(postings, W3LeafMatcher):
        while postings.is_active():
            if postings._ids is None:
                postings._read_ids()
            if postings._weights is None:
                postings._read_weights()
            ids.extend(postings._ids[postings._i :])
            weights.extend(postings._weights[postings._i :])
            postings._next_block()
    else:
        while postings.is_active():
            ids.append(postings.id())
            weights.append(postings.weight())
            postings.next()
    if deleted:
        kept = [n for n, docnum in enumerate(ids) if docnum not in deleted]
        ids, weights = [ids[n] for n in kept], [weights[n] for n in kept]
    found.docs.extend([offset + docnum for docnum in ids] if offset else ids)
    found.weights.extend(weights)


# A field's length as Whoosh stores it: one byte, read back through this table.
_BYTE_LENGTHS = [byte_to_length(byte) or 1 for byte in range(256)]


def _field_lengths(searcher: Searcher, fieldname: str) -> bytes:
    """Each document's length in `fieldname` as a length byte, by document number."""
    cache = _searcher_cache(searcher)
    key = ("lengths", fieldname)
    if key not in cache:

        def lengths(leaf: Searcher) -> bytes:
            reader = leaf.reader()
            return bytes(
                length_to_byte(reader.doc_field_length(docnum, fieldname, 1))
                for docnum in range(reader.doc_count_all())
            )

        cache[key] = b"".join(part for part, _, _ in per_segment(searcher, key, lengths))
    return cache[key]


def _scored_words(query: Query) -> list[tuple[str | None, Any, float, Phrase | None]] | None:
    """The (field, word, boost, phrase) whose scores add up to a document's score for `query`,
    or None for a query with parts only Whoosh's matchers can score (filters, boosted groups).

    A phrase's words count in the documents where the phrase is found.
    """
    kind = type(query)
    if kind is Term:
        return [(query.fieldname, query.text, query.boost, None)]
    if kind is Phrase:
        return [(query.fieldname, word, query.boost, query) for word in query.words]
    # `None`: a score every document gets (1 where an excluded word is not, Every's boost)
    if kind is Not:
        return [(None, None, 1.0, None)]
    if kind is Every:
        return [(None, None, query.boost, None)]
    if kind in (Or, And) and query.boost == 1.0:
        parts = [_scored_words(sub) for sub in query.subqueries]
    elif kind is AndMaybe:
        parts = [_scored_words(query.a), _scored_words(query.b)]
    else:
        return None
    return None if None in parts else [word for part in parts for word in part]


def bm25f_scores(searcher: Searcher, matches: Matches, found: set[int]) -> dict[int, float] | None:
    """Each document of `found` with its score, as Whoosh's BM25F would give it, in order of
    document number; None when only Whoosh's matchers can score the query.

    Whoosh scores one document at a time through a tree of matchers; here each word's postings
    are read a block at a time and its share of the score added to the documents that hold it,
    several times faster (tests check that the scores are Whoosh's).
    """
    weighting = searcher.weighting
    words = _scored_words(matches.query)
    if (
        type(weighting) is not scoring.BM25F
        or words is None
        or any(
            fieldname is not None
            and (fieldname not in searcher.schema or not searcher.schema[fieldname].scorable)
            for fieldname, _, _, _ in words
        )
    ):
        return None
    scores = dict.fromkeys(sorted(found), 0.0)
    B, K1 = weighting.B, weighting.K1
    for fieldname, text, boost, phrase in words:
        if fieldname is None:
            scores = {docnum: score + boost for docnum, score in scores.items()}
            continue
        within = scores if phrase is None else scores.keys() & matches.docs(phrase)
        postings = matches.postings(fieldname, text)
        if not postings.docs:
            continue
        idf = searcher.idf(fieldname, text)
        average = searcher.avg_field_length(fieldname) or 1
        # BM25's length norm for each length byte, computed as Whoosh computes it
        norm = [K1 * ((1 - B) + B * length / average) for length in _BYTE_LENGTHS]
        lengths = _field_lengths(searcher, fieldname)
        for docnum, weight in zip(postings.docs, postings.weights):
            if docnum in within:
                scores[docnum] += (
                    idf * ((weight * (K1 + 1)) / (weight + norm[lengths[docnum]])) * boost
                )
    return scores


class Matches:
    """The documents one query matches, under each filter a search asks for.

    The query is run once, unscored, for the total and all facets; only the page of hits is
    scored.
    """

    def __init__(self, searcher: Searcher, query: Query):
        self.searcher = searcher
        self.query = query
        self._matched: set[int] | None = None
        self._found: dict[str, set[int]] = {}
        self._words: dict = {}  # each word's postings, each phrase's documents (`matching_docs`)

    def found(self, restriction: Query | None) -> set[int]:
        """The documents that match the query and pass the filter."""
        key = repr(restriction)
        if key not in self._found:
            allowed = allowed_docs(self.searcher, restriction)
            if isinstance(self.query, Every) and allowed is not None:
                self._found[key] = allowed
            else:
                matched = self.matched()
                self._found[key] = matched if allowed is None else matched & allowed
        return self._found[key]

    def docs(self, query: Query) -> set[int]:
        """The documents a part of the query matches."""
        return matching_docs(self.searcher, query, self._words)

    def postings(self, fieldname: str, text: Any) -> Postings:
        return word_postings(self.searcher, fieldname, text, self._words)

    def matched(self) -> set[int]:
        """The documents that match the query, whatever the filter."""
        if self._matched is None:
            self._matched = matching_docs(self.searcher, self.query, self._words)
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
                if docnum in self.postings(fieldname, text).docset
            }
        )

    def facet_counts(self, fieldname: str, restriction: Query | None) -> Counter:
        values = facet_values(self.searcher, fieldname)
        found = self.found(restriction)
        return Counter(chain.from_iterable(filter(None, map(values.__getitem__, found))))


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
