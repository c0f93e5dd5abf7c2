"""Which narrators a query names, in any spelling: "Hadad", "Haddad" and "حداد" all name
Layla Haddad. A reader who types a name is looking for the person first, then their words.

Plain values in and out: the narrators a viewer may see come in as (slug, names) pairs, made
once into a `NameIndex` that many searches read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .transliteration import name_key_analyzer

# words a query excludes (`-word`, `NOT word`) name nobody it asks for
_EXCLUDED = re.compile(r"(?:(?<!\S)-|\bNOT\s+)(?:\"[^\"]*\"|\S+)")


@lru_cache(maxsize=1)
def _analyzer():
    return name_key_analyzer()


@lru_cache(maxsize=4096)
def _name_keys(text: str) -> dict[str, str]:
    """The name-like words of `text`, by their key (as a query reads them)."""
    tokens = _analyzer()(text, mode="query", keeporiginal=True)
    return {token.text: token.original for token in tokens}


def query_keys(query: str) -> frozenset[str]:
    """The keys of the names a query spells (none for a query of ordinary words)."""
    return frozenset(_name_keys(_EXCLUDED.sub(" ", query)))


class NameIndex:
    """The narrators by the keys of the words of their names (the first spelling given of
    a key is the one a reader is told their words were read as)."""

    def __init__(self, narrators: Iterable[tuple[str, Sequence[str]]]):
        self.words: dict[str, dict[str, str]] = {}  # slug -> key -> the narrator's word
        for slug, names in narrators:
            words: dict[str, str] = {}
            for name in names:
                for key, word in _name_keys(name).items():
                    words.setdefault(key, word)
            self.words[slug] = words
        self.by_key: dict[str, list[str]] = {}
        for slug, words in self.words.items():
            for key in words:
                self.by_key.setdefault(key, []).append(slug)

    def named(self, asked: frozenset[str]) -> list[tuple[str, str]]:
        """(slug, the narrator's words the query was read as) for the narrators whose names
        the keys `asked` spell; when several, only those named with the most words ("Layla
        Haddad" names Layla Haddad, not every Layla)."""
        matched: dict[str, list[str]] = {}
        for key in asked:
            for slug in self.by_key.get(key, ()):
                matched.setdefault(slug, []).append(key)
        if not matched:
            return []
        best = max(len(keys) for keys in matched.values())
        found = [slug for slug in self.words if len(matched.get(slug, ())) == best]
        return [
            (slug, " ".join(w for k, w in self.words[slug].items() if k in asked)) for slug in found
        ]


def narrators_named(
    query: str, narrators: Iterable[tuple[str, Sequence[str]]]
) -> list[tuple[str, str]]:
    """`NameIndex(narrators).named(query_keys(query))`: for one query."""
    return NameIndex(narrators).named(query_keys(query))
