"""Place matching: which places a text or a filter names, by any of their spellings.

Plain values in and out (a place is its slug and its names); the record's places are read
elsewhere (`gazetteer.place_names`) and handed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache

from .analysis import TOKEN_PATTERN, name_tokens


def matchers_of(places: list[tuple[str, list[str]]]) -> list[tuple[str, list[list[str]]]]:
    """For each of `places` (as `place_names` gives them), the word sequences that name it."""
    return [(slug, [words for n in names if (words := name_tokens(n))]) for slug, names in places]


def places_named(
    value: str, places: list[tuple[str, list[str]]], analyse: Callable[[str], list[str]]
) -> list[str]:
    """Slugs of the places that `value` is: a place's slug, or else the whole of one of its names.

    Names are compared as `analyse` turns them into words, so that any spelling the gazetteer
    unifies, with or without the article, in Arabic script or not, names the same place.
    "Aleppo" is the city, not east Aleppo.
    """
    slug = value.strip().lower()
    if any(place_slug == slug for place_slug, _ in places):
        return [slug]
    words = analyse(value)
    return [
        place_slug
        for place_slug, names in places
        if words and any(analyse(name) == words for name in names)
    ]


def places_in(text: str, matchers: list[tuple[str, list[list[str]]]]) -> list[str]:
    """Slugs of the places named in `text`, by any of their spellings."""
    named = {mention.key for mention in find_mentions(text, matchers)}
    return [slug for slug, _ in matchers if slug in named]


@dataclass(frozen=True)
class Mention:
    """Where in a text one of a matcher's word sequences occurs, and the words as written."""

    key: Hashable
    start: int
    end: int
    words: str


def find_mentions(text: str, matchers: list[tuple[Hashable, list[list[str]]]]) -> list[Mention]:
    """Every occurrence in `text` of every matcher's word sequences, compared as `name_tokens`.

    A matcher is (key, [word sequence, ...]), as `place_matchers` gives them; the key is
    returned with each mention.
    """
    spans, words, present = _words(text)
    found = []
    for key, sequences in matchers:
        for sequence in sequences:
            # Scan for a spelling only when all of its words occur in the text: most don't,
            # and the check is a set lookup per word instead of a walk along the text.
            if not present.issuperset(sequence):
                continue
            n, wanted = len(sequence), tuple(sequence)
            for i in range(len(words) - n + 1):
                if words[i : i + n] == wanted:
                    start, end = _bracketed(text, spans[i][1], spans[i + n - 1][2])
                    found.append(Mention(key, start, end, text[start:end]))
    return found


def _bracketed(text: str, start: int, end: int) -> tuple[int, int]:
    # A publisher's insertion at either end is shown whole: "[west] Aleppo", not "west] Aleppo".
    words = text[start:end]
    if words.count("]") > words.count("[") and text[start - 1 : start] == "[":
        start -= 1
    if words.count("[") > words.count("]") and text[end : end + 1] == "]":
        end += 1
    return start, end


# Room for the words of a large collection (the benchmark's million passages hold 86,000
# different ones): a word missing from it costs a run of the analyzer.
@lru_cache(maxsize=2**17)
def _word_tokens(word: str) -> tuple[str, ...]:
    return tuple(name_tokens(word))


# The linking rules read each passage twice (for places, then for events): it is split once.
@lru_cache(maxsize=16)
def _words(text: str) -> tuple[tuple[tuple[str, int, int], ...], tuple[str, ...], frozenset[str]]:
    """The text's words as `_word_spans` gives them, the words alone, and the set of them."""
    spans = tuple(_word_spans(text))
    words = tuple(word for word, _, _ in spans)
    return spans, words, frozenset(words)


def _word_spans(text: str) -> list[tuple[str, int, int]]:
    # The same words as `name_tokens(text)`, with where each stands in the text; an article
    # the analyzer drops ("al-") stays in the span of the word it is joined to.
    spans = []
    article_start = None
    for match in re.finditer(TOKEN_PATTERN, text):
        tokens = _word_tokens(match.group())
        joined = article_start is not None and text[match.start() - 1 : match.start()] == "-"
        start = article_start if joined else match.start()
        article_start = None if tokens else match.start()
        spans += [(token, start, match.end()) for token in tokens]
    return spans
