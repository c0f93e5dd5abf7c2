"""Ranking: BM25F scores for every matching document at once, and the best of them.

Scores rest on statistics (how many documents, how many hold a word, a field's average
length). For a reader who may not see restricted testimony they are those of the passages
the reader may see (`Statistics`): so nothing a reader receives, scores and order included,
changes when restricted text is added or withdrawn text is deleted. Archivists get those of
every passage the index holds.
"""

from __future__ import annotations

import weakref
from functools import cached_property
from math import log
from typing import Any

import numpy as np
from whoosh import scoring
from whoosh.query import And, AndMaybe, Every, Not, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from .planning import FilterQuery
from .postings import Matches, allowed_mask, search_arrays, searcher_cache, term_bytes
from .segment_layout import KEY_FIELDS, SCORED_FIELDS, SCORED_LENGTH_OF_BYTE

# BM25F; B is how much a long passage is discounted for its length (0: not at all, 1: fully).
# Measured with `python -m tests.relevance.tune`: the relevance set scores the same for every
# B from 0 to 0.75 and every weight tried, but from B=0.3 up (Whoosh's default is 0.75) a
# bare line "Jarablus." outranks a passage that says something of the place; 0.2 is the
# largest B that keeps that passage first with the weights above.
BM25_B = 0.2
BM25_K1 = 1.2
# the fields whose postings the arrays keep, which `bm25f_scores` reads
ARRAY_FIELDS = frozenset(SCORED_FIELDS + KEY_FIELDS)


class Statistics:
    """What BM25F's idf and length normalisation rest on, for one viewer: those of the
    passages in `scope` (a filter: public passages only; None: every passage the index
    holds): their number, how many of them hold a word, their average field length in
    words. Whoosh's own would count each testimony's document, and deleted documents until
    their segment is merged.
    """

    def __init__(self, searcher: Searcher, scope: Query | None):
        # weakly: statistics are cached under their searcher (`postings.searcher_cache`), and
        # a strong reference back would keep both, and the segments' mapped files, forever
        self._searcher = weakref.ref(searcher)
        allowed = allowed_mask(searcher, scope)
        self.scope = search_arrays(searcher).live if allowed is None else allowed
        self._averages: dict[str, float] = {}
        self._idfs: dict[tuple[str, Any], float] = {}

    @property
    def searcher(self) -> Searcher:
        """The searcher these statistics were counted on (while it lives)."""
        searcher = self._searcher()
        assert searcher is not None, "statistics outlived their searcher"
        return searcher

    @cached_property
    def doc_count(self) -> int:
        """How many passages the viewer may see."""
        return int(self.scope.sum())

    def idf(self, fieldname: str, text: Any) -> float:
        """A word's inverse document frequency among the passages in scope, as Whoosh's."""
        if (fieldname, text) not in self._idfs:
            if len(self._idfs) >= 10_000:  # a bound, for a searcher that lives long
                self._idfs.clear()
            term = term_bytes(self.searcher, fieldname, text)
            docs = search_arrays(self.searcher).raw_postings(fieldname, term)[0] if term else []
            holding = int(self.scope[docs].sum()) if len(docs) else 0
            # as Whoosh's `WeightingModel.idf`
            self._idfs[fieldname, text] = log(self.doc_count / (holding + 1)) + 1
        return self._idfs[fieldname, text]

    def avg_length(self, fieldname: str) -> float:
        """A field's average length in words over the passages in scope."""
        if fieldname not in self._averages:
            sizes = search_arrays(self.searcher).sizes(fieldname)[self.scope]
            # as Whoosh's `avg_field_length`: every length in words, over every passage
            self._averages[fieldname] = (float(sizes.sum()) / (self.doc_count or 1)) or 1
        return self._averages[fieldname]


def statistics(searcher: Searcher, scope: Query | None) -> Statistics:
    """The scoring statistics for viewers limited by `scope` (kept per searcher)."""
    cache = searcher_cache(searcher).setdefault("statistics", {})
    key = repr(scope)
    if key not in cache:
        cache[key] = Statistics(searcher, scope)
    return cache[key]


class StatisticsBM25F(scoring.BM25F):
    """Whoosh's BM25F with the idf and average lengths of a `Statistics`: Whoosh's matchers
    then score as `bm25f_scores` does, for a query only they can score."""

    def __init__(self, stats: Statistics, *, B: float, K1: float):
        super().__init__(B=B, K1=K1)
        self.stats = stats

    def scorer(self, searcher, fieldname, text, qf=1):
        """Whoosh's BM25F scorer of a word, with this archive's idf and average length."""
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, scoring.BM25FScorer):
            scorer.idf = self.stats.idf(fieldname, text)
            scorer.avgfl = self.stats.avg_length(fieldname)
        return scorer


def whoosh_top(searcher: Searcher, matches: Matches, found: np.ndarray, limit: int) -> list:
    """The best (score, document) of `found` by Whoosh's matchers, for a query only they can
    score, under the same statistics as `bm25f_scores`. No query `plan_search` makes is one
    (only a group with a boost of its own would be): Whoosh's matchers would miss what a
    testimony's document holds for its passages."""
    docs = set(np.flatnonzero(found).tolist())
    if not docs:
        # Whoosh takes an empty set given as a filter for no filter at all: never give one.
        return []
    weighting, stats = searcher.weighting, statistics(searcher, matches.scope)
    weighting = StatisticsBM25F(stats, B=weighting.B, K1=weighting.K1)
    scoring_searcher = Searcher(searcher.reader(), weighting=weighting, closereader=False)
    return scoring_searcher.search(matches.query, filter=docs, limit=limit).top_n


def _scored_words(query: Query) -> list[tuple[str | None, Any, float, Phrase | None]] | None:
    """The (field, word, boost, phrase) whose scores add up to a document's score for `query`,
    or None for a query with parts only Whoosh's matchers can score (boosted groups).

    A phrase's words count in the documents where the phrase is found; a filter's values
    (`narrator:haddad OR orphans`) in the documents that hold them.
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
    if kind in (Or, And, FilterQuery) and query.boost == 1.0:
        parts = [_scored_words(sub) for sub in query.subqueries]
    elif kind is AndMaybe:
        parts = [_scored_words(query.a), _scored_words(query.b)]
    else:
        return None
    return None if None in parts else [word for part in parts for word in part]


def bm25f_scores(searcher: Searcher, matches: Matches, found: np.ndarray) -> np.ndarray | None:
    """Each document's score, as Whoosh's BM25F would give it under the viewer's statistics,
    by document number (documents outside `found` score 0); None when only Whoosh's matchers
    can score the query.

    Whoosh scores one document at a time through a tree of matchers; here each word's share
    of the score is added to all the documents that hold it at once.
    """
    weighting = searcher.weighting
    words = _scored_words(matches.query)
    if (
        type(weighting) is not scoring.BM25F
        or words is None
        or any(
            fieldname is not None
            and (fieldname not in searcher.schema or fieldname not in ARRAY_FIELDS)
            for fieldname, _, _, _ in words
        )
    ):
        return None
    arrays, stats = search_arrays(searcher), statistics(searcher, matches.scope)
    scores = np.zeros(arrays.doc_count, dtype=np.float64)
    B, K1 = weighting.B, weighting.K1
    for fieldname, text, boost, phrase in words:
        if fieldname is None:
            scores[found] += boost
            continue
        within = found if phrase is None else found & matches.mask(phrase)
        postings = matches.postings(fieldname, text)
        if not len(postings.docs):
            continue
        if not searcher.schema[fieldname].scorable:  # a filter's value: as Whoosh, its weight
            keep = within[postings.docs]
            scores[postings.docs[keep]] += postings.weights[keep] * boost
            continue
        idf = stats.idf(fieldname, text)
        average = stats.avg_length(fieldname)
        # BM25's length norm for each length byte, computed as Whoosh computes it
        norm = K1 * ((1 - B) + B * SCORED_LENGTH_OF_BYTE / average)
        keep = within[postings.docs]
        docs, weight = postings.docs[keep], postings.weights[keep]
        lengths = arrays.lengths(fieldname)[docs]
        scores[docs] += idf * ((weight * (K1 + 1)) / (weight + norm[lengths])) * boost
    return scores


def top(scores: np.ndarray, found: np.ndarray, limit: int) -> list[tuple[float, int]]:
    """The `limit` best (score, document) of `found`, best first, the lower document number
    first among equal scores."""
    docs = np.flatnonzero(found)
    values = scores[docs]
    if limit < len(docs):
        # only the documents at or above the limit-th best score are sorted
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        keep = values >= kth
        docs, values = docs[keep], values[keep]
    order = np.lexsort((docs, -values))[:limit]
    return [(float(values[i]), int(docs[i])) for i in order]
