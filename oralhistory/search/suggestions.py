"""Did you mean: a corrected query when a word finds nothing the asker may see."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from itertools import islice

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
from whoosh.fields import Schema
from whoosh.query import NullQuery, Query
from whoosh.searching import Searcher

from . import postings, querylang
from .analysis import name_tokens, vocabulary_analyzer
from .documents import PUBLIC_VOCABULARY, VOCABULARY
from .planning import (
    Gazetteer,
    Plan,
    SearchRequest,
    name_key_filter,
    plan_search,
    query_parser,
    spelling_filter,
)


def suggest(
    searcher: Searcher, plan: Plan, request: SearchRequest, places: Gazetteer | None
) -> str | None:
    """A corrected query when some of its words find nothing the asker may see, else None.

    A word counts as known when, searched alone, it finds a passage the asker may see (in any
    of its forms and spellings). A correction is a word of the passages the asker may see, or
    a spelling from the gazetteer, that finds one; the nearest is chosen, preferring one with
    which the whole query finds something. Restricted text therefore neither supplies a
    correction nor decides whether one is offered, for a reader who may not see it.
    """
    fieldnames = PUBLIC_VOCABULARY if plan.access else VOCABULARY
    parser = query_parser(searcher.schema)
    spelling = spelling_filter(searcher.schema)
    # Names the reader may see on the site: the gazetteer's places and names in every
    # spelling, and the words of the timeline's event titles.
    titles = tuple(title for _slug, title in places.events) if places is not None else ()
    known = _names_to_suggest(searcher.schema, titles)

    def finds(query: Query, restriction: Query | None) -> bool:
        if query is NullQuery:
            return True
        found = postings.matching_mask(searcher, query)
        allowed = postings.allowed_mask(searcher, restriction)
        return bool((found if allowed is None else found & allowed).any())

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
    # Read into a name of its own: another thread may clear the dict between two lookups.
    kept = _NAMES.get(key)
    if kept is None or kept[0] is not schema:
        spelling = spelling_filter(schema)
        names = set(spelling.known) if spelling else set()
        names |= name_key_filter(schema).known
        names.update(token.text for token in vocabulary_analyzer()(" ".join(titles)))
        kept = (schema, sorted(names))
        _NAMES.clear()
        _NAMES[key] = kept
    return kept[1]


def _visible_word(searcher: Searcher, fieldnames: tuple[str, ...], word: str) -> bool:
    """Whether a passage the index holds (not one deleted since) has `word` in one of
    `fieldnames`."""
    return postings.search_arrays(searcher).passages_with(fieldnames, word.encode()) > 0


def _candidates(
    searcher: Searcher, fieldnames: tuple[str, ...], word: str, gazetteer: list[str]
) -> Iterator[str]:
    """Words near `word`: the nearest first; among equally near ones, those that hold all its
    letters in order (the commonest slip leaves a letter out), then the commonest.

    Words two slips away are looked for among those with the same first letter only: the
    search for them would take several times longer otherwise.
    """
    arrays = postings.search_arrays(searcher)
    words = _all_words(searcher, fieldnames, gazetteer)

    def frequency(candidate: str) -> int:
        return arrays.passages_with(fieldnames, candidate.encode())

    seen = {word}
    for distance in (1, 2) if len(word) > 4 else (1,):
        automaton = levenshtein_automaton(word, distance, prefix=distance - 1).to_dfa()
        near = set(find_all_matches(automaton, _after(words)))
        near -= seen
        seen |= near
        yield from sorted(
            near,
            key=lambda w: (not _holds(w, word), -frequency(w), w),
        )


def _all_words(searcher: Searcher, fieldnames: tuple[str, ...], gazetteer: list[str]) -> list[str]:
    """The words of `fieldnames` in every segment and of `gazetteer`, sorted, without
    repeats (kept per searcher): an automaton walks one list in memory, once, many times
    faster than one word list per segment and field on disk."""
    cache = postings.searcher_cache(searcher).setdefault("all words", {})
    kept = cache.get(fieldnames)
    if kept is None or kept[0] is not gazetteer:
        parts = postings.search_arrays(searcher).parts
        lists = [part.vocabulary[fieldname] for part, _ in parts for fieldname in fieldnames]
        kept = cache[fieldnames] = (gazetteer, sorted(set(gazetteer).union(*lists)))
    return kept[1]


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
