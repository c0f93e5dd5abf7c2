"""The timeline's events and places that a query names, to show beside the passages it finds.

A reader who types a place or an event that no passage names (`Sheikh Saeed`) should still
learn that the archive knows it. An event matches when every word the query asks for (not the
words it leaves out, nor its filters) is in the event's title, summary or the names of its
places; a place, when every word is in one of its names or spellings. Words are compared as
the index compares them, in any spelling the gazetteer knows, or else by their name key
(`transliteration`): so `Ramouseh`, `Ramosa` and `الراموسة` all find Ramousah. Events and places
are public: nothing here depends on who asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import querylang

# At most this many events and this many places are listed with a page of results.
TIMELINE_LIMIT = 10


@dataclass(frozen=True)
class TimelineMatch:
    """One event or place that the query names; `read_as` is the name a spelling that no
    entry uses was read as ("Ramousah" for "Ramouseh"), else None."""

    slug: str
    read_as: str | None = None


@dataclass(frozen=True)
class _Words:
    forms: frozenset[str]  # as the index's text analyzer gives them
    keys: dict[str, str]  # name key -> the word as written


class TimelineMatcher:
    """Matches a query against events and places, with the index's own analyzers."""

    def __init__(self, analyse: Callable[..., Iterable[Any]], keys: Callable[..., Iterable[Any]]):
        self._analyse = analyse
        self._keys = keys
        self._seen: dict[str, _Words] = {}  # texts of the timeline, analysed once

    def words(self, text: str) -> _Words:
        """The forms and name keys of a text of the timeline (each of its words a name)."""
        if text not in self._seen:
            forms = frozenset(token.text for token in self._analyse(text))
            keys = {
                token.text: text[token.startchar : token.endchar]
                for token in self._keys(text, mode="query", chars=True)
            }
            self._seen[text] = _Words(forms, keys)
        return self._seen[text]

    def query_words(self, tokens: list[querylang.Token]) -> tuple[list[tuple], list[tuple], bool]:
        """(wanted, unwanted, any_of): each word of the query as (forms, keys)."""
        wanted, unwanted = [], []
        negate = False
        any_of = False
        for token in tokens:
            if token.kind == "op":
                negate = token.text == "NOT"
                any_of = any_of or token.text == "OR"
                continue
            if token.kind in ("word", "phrase"):
                for _offset, word in querylang.plain_words([token]):
                    forms = tuple(t.text for t in self._analyse(word))
                    keys = tuple(t.text for t in self._keys(word, mode="query"))
                    if forms or keys:
                        (unwanted if negate else wanted).append((forms, keys))
            negate = False
        return wanted, unwanted, any_of

    def match(
        self,
        tokens: list[querylang.Token],
        events: Iterable[tuple[str, str]],
        places: Iterable[tuple[str, list[str]]],
    ) -> tuple[list[TimelineMatch], list[TimelineMatch]]:
        """The events (slug, text to match) and places (slug, names) the query names."""
        wanted, unwanted, any_of = self.query_words(tokens)
        if not wanted:
            return [], []
        found_events = []
        for slug, text in events:
            entry = self.words(text)
            read_as = self._matches(entry, wanted, unwanted, any_of)
            if read_as is not False:
                found_events.append(TimelineMatch(slug, read_as))
        found_places = []
        for slug, names in places:
            for name in names:
                read_as = self._matches(self.words(name), wanted, unwanted, any_of)
                if read_as is not False:
                    found_places.append(TimelineMatch(slug, read_as and names[0]))
                    break
        return found_events[:TIMELINE_LIMIT], found_places[:TIMELINE_LIMIT]

    @staticmethod
    def _matches(entry: _Words, wanted, unwanted, any_of: bool) -> str | None | bool:
        # False: no match; None: matched by the words as written; else the name read as.
        def match(forms, keys) -> str | None | bool:
            if forms and entry.forms.issuperset(forms):
                return None
            named = [entry.keys[key] for key in keys if key in entry.keys]
            return named[0] if keys and len(named) == len(keys) else False

        if any(match(*word) is not False for word in unwanted):
            return False
        results = [match(*word) for word in wanted]
        hits = [result for result in results if result is not False]
        if not hits or (not any_of and len(hits) < len(results)):
            return False
        return next((name for name in hits if name), None) if all(hits) else None
