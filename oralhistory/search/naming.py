"""Which narrators a query names, in any spelling: "Kodsi", "Qadsy" and "قدسي" all name
Muhammad Qadsi. A reader who types a name is looking for the person first, then their words.

Plain values in and out: the narrators a viewer may see come in as (slug, names) pairs.
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
    return {
        token.text: token.original for token in _analyzer()(text, mode="query", keeporiginal=True)
    }


def narrators_named(
    query: str, narrators: Iterable[tuple[str, Sequence[str]]]
) -> list[tuple[str, str]]:
    """(slug, the narrator's words the query was read as) for the narrators whose names the
    query spells; when several do, only those it names with the most words ("Muhammad Qadsi"
    names Muhammad Qadsi, not every Muhammad). Empty when the query names nobody."""
    asked = set(_name_keys(_EXCLUDED.sub(" ", query)))
    if not asked:
        return []
    found = []
    for slug, names in narrators:
        words: dict[str, str] = {}
        for name in names:
            for key, word in _name_keys(name).items():
                words.setdefault(key, word)
        matched = [words[key] for key in words if key in asked]
        if matched:
            found.append((len(matched), slug, " ".join(matched)))
    best = max((count for count, _, _ in found), default=0)
    return [(slug, read_as) for count, slug, read_as in found if count == best]
