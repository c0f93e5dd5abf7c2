"""Marking what a query matched in a text: one `<mark>` for each run of matched words.

Words next to each other that both match ("barrel bombs") are one mark, and so is a phrase the
query asked for, with the small words inside it ("hope of returning"). A word matched by its
name key alone (Kassem for "Qasim") is marked like the others. The text is escaped; the marks
are the only HTML in what these functions return.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from whoosh.query import Not, Phrase, Query

from .word_lists import ENGLISH_STOP_WORDS

_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"[\w'’]+")


@dataclass(frozen=True)
class Wanted:
    """What a query asks to be marked: its words as the index reads them, their name keys,
    and whether it holds a phrase (whose small words are marked with it)."""

    words: frozenset[str]
    keys: frozenset[str]
    phrase: bool

    def __bool__(self) -> bool:
        return bool(self.words or self.keys)


def wanted(query: Query, text_fields: Iterable[str], key_fields: Iterable[str]) -> Wanted:
    """The words and keys that `query` asks for (not those it leaves out) in the given fields."""
    text_fields, key_fields = set(text_fields), set(key_fields)
    words, keys, phrase = set(), set(), False
    for leaf in _positive_leaves(query):
        phrase = phrase or (isinstance(leaf, Phrase) and len(leaf.words) > 1)
        for fieldname, text in leaf.iter_all_terms():
            if fieldname in text_fields:
                words.add(text)
            elif fieldname in key_fields:
                keys.add(text)
    return Wanted(frozenset(words), frozenset(keys), phrase)


def _positive_leaves(query: Query) -> Iterator[Query]:
    if isinstance(query, Not):
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from _positive_leaves(child)


def matched_spans(
    text: str, want: Wanted, analyse: Callable[..., Any], keys: Callable[..., Any]
) -> list[tuple[int, int]]:
    """Where in `text` the wanted words stand, as (start, end), runs of them joined."""
    spans = (
        [
            (token.startchar, token.endchar)
            for token in analyse(text, chars=True)
            if token.text in want.words
        ]
        if want.words
        else []
    )
    if want.keys:
        spans += [
            (token.startchar, token.endchar)
            for token in keys(text, chars=True, mode="index")
            if token.text in want.keys
        ]
    return join_runs(text, sorted(set(spans)), want.phrase)


def join_runs(text: str, spans: list[tuple[int, int]], phrase: bool) -> list[tuple[int, int]]:
    """Sorted spans with neighbours joined: those with only spaces between them, or, for a
    query with a phrase, only spaces and small words ("of", "the")."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and (start < joined[-1][1] or _gap_joins(text[joined[-1][1] : start], phrase)):
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _gap_joins(gap: str, phrase: bool) -> bool:
    if not gap or _SPACE.fullmatch(gap):
        return True
    if not phrase or _WORDS.sub("", gap).strip():
        return False  # punctuation between: a phrase does not run across it
    return all(word.lower() in ENGLISH_STOP_WORDS for word in _WORDS.findall(gap))


def marked(text: str, spans: list[tuple[int, int]], ids: Iterator[str] | None = None) -> str:
    """`text` escaped, each span in a `<mark>` (with the next of `ids` as its id, if given)."""
    out, at = [], 0
    for start, end in spans:
        out.append(escape(text[at:start], quote=False))
        mark_id = f' id="{next(ids)}"' if ids is not None else ""
        out.append(f"<mark{mark_id}>{escape(text[start:end], quote=False)}</mark>")
        at = end
    out.append(escape(text[at:], quote=False))
    return "".join(out)
