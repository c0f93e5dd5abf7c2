"""From a request to a Whoosh query: the fields and their weights, the query parsed (with
`querylang`), spellings and name keys, filters by narrator, place, event and year, and the
boost of passages about a place the query names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

from whoosh.fields import Schema
from whoosh.qparser import QueryParser, plugins
from whoosh.query import And, AndMaybe, Every, NullQuery, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from . import marks, postings, querylang
from .analysis import SpellingFilter, name_tokens
from .places import places_in, places_named
from .querylang import QueryError
from .transliteration import NameKeyFilter

# The fields a reader's words are looked for in, and how much a match in each counts.
FIELD_WEIGHTS = {"text": 1.0, "note": 0.5, "narrator_name": 2.0, "title": 0.5, "context": 0.3}
# the passage in its testimony's other languages counts as its words do
FIELD_WEIGHTS["translation"] = 1.0
# The keys of the names in a passage and in what the archive says of its narrator
# (`transliteration`): a spelling nobody listed finds them, ranked below the exact spelling.
KEY_WEIGHTS = {"name_keys": 0.2, "narrator_keys": 0.2}
FIELD_WEIGHTS.update(KEY_WEIGHTS)
# How much naming a place the query names counts (see `_place_boost`).
PLACE_WEIGHT = 1.0


@dataclass
class SearchRequest:
    """What a reader asked for: the query, the filters chosen apart from it, the page, and
    whether restricted testimony may be searched."""

    q: str = ""
    narrator: str | None = None
    place: str | None = None
    event: str | None = None
    page: int = 1
    per_page: int = 10
    include_restricted: bool = False


@dataclass(frozen=True)
class Gazetteer:
    """What a search needs to know of the record, as plain values: the places' names (for
    `place:` by name and for ranking passages about a place the query names) and the events'
    slugs and titles (for `event:` by words of the title). Without one, places and events
    are found by slug alone."""

    places: list[tuple[str, list[str]]] = field(default_factory=list)  # slug, names
    place_matchers: list[tuple[str, list[list[str]]]] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # slug, title; by date
    # slug, and the words the timeline in the results reads an event by: its title, summary
    # and its places' names; by date
    event_words: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Plan:
    """What a request asks for, in Whoosh's terms."""

    q: str  # the query as read
    tokens: list[querylang.Token]
    query: Query
    access: Query | None  # None for archivists, who may see everything
    chosen: dict[str, Query]  # the request's narrator, place and event filters
    typed: list[Query]  # filters typed in the query that every hit must meet

    def filter(self, *, without: str | None = None) -> Query | None:
        """Everything a hit must meet (less the request's filter `without`, for its facet)."""
        parts = [self.access] if self.access else []
        parts += [f for name, f in self.chosen.items() if name != without]
        parts += self.typed
        return parts[0] if len(parts) == 1 else And(parts) if parts else None


def plan_search(
    searcher: Searcher, request: SearchRequest, places: Gazetteer | None = None
) -> Plan:
    """Read the request into a query and filters; raise `QueryError` if it cannot be searched.

    Filters typed in the query (`narrator:haddad`) are resolved like the request's own
    filters. When every hit must meet them they filter and do not count towards the score;
    otherwise (`narrator:haddad OR orphans`) they take part in the query.
    """
    q, tokens = querylang.read_query(request.q)
    access = None if request.include_restricted else Term("access", "public")
    chosen = {
        name: _filter_query(searcher, places, access, name, getattr(request, name))
        for name in ("narrator", "place", "event")
        if getattr(request, name)
    }
    if not tokens:
        return Plan(q, tokens, Every(), access, chosen, [])
    typed = [
        _filter_query(searcher, places, access, name, value)
        for name, value in querylang.filters_of(tokens)
    ]
    spelling = spelling_filter(searcher.schema)
    names = set(spelling.phrases) if spelling else set()
    query = query_parser(searcher.schema).parse(querylang.whoosh_syntax(tokens, names, name_tokens))
    if query is NullQuery:
        raise QueryError(
            "the query has no word that can be searched for: very common words such as "
            "'the' or 'of' are not searched on their own; put them in a phrase between "
            'quotation marks with other words, as in "the hope of returning"'
        )
    query = _put_filters(query, typed)
    parts = query.subqueries if isinstance(query, And) else [query]
    apart = [part for part in parts if isinstance(part, FilterQuery)]
    kept = [part for part in parts if not isinstance(part, FilterQuery)]
    query = kept[0] if len(kept) == 1 else And(kept) if kept else Every()
    if places is not None and kept:
        query = _place_boost(query, tokens, places)
    return Plan(q, tokens, query, access, chosen, apart)


def _place_boost(query: Query, tokens: list[querylang.Token], places: Gazetteer) -> Query:
    # A passage about a place the reader names (its `place` field) ranks above one that only
    # shares the word, by a biography for instance; it is not required to be about it.
    words = " ".join(word for _, word in querylang.plain_words(tokens))
    named = places_in(words, places.place_matchers)
    if not named:
        return query
    return AndMaybe(query, Or([Term("place", slug) for slug in named], boost=PLACE_WEIGHT))


def query_parser(schema: Schema) -> QueryParser:
    """Whoosh's query parser for the index's `schema`, reading only the syntax the search
    page documents."""
    # Only the syntax the search page documents: words, phrases, brackets, AND OR NOT and
    # filters. Wildcards, ranges, boosts and single quotes are plain text here, so that
    # "lawyer?" or "[Aleppo]" mean what a reader meant. A field is named only by the mark
    # `querylang.whoosh_syntax` puts before each filter it read, never by a reader's text.
    weights = {name: weight for name, weight in FIELD_WEIGHTS.items() if name in schema}
    filter_names = "|".join(querylang.FILTERS)
    return QueryParser(
        None,
        schema,
        plugins=[
            plugins.FieldsPlugin(rf"{querylang.FILTER_MARK}(?P<text>{filter_names}):"),
            plugins.PhrasePlugin(),
            plugins.GroupPlugin(),
            plugins.OperatorsPlugin(AndNot=None, AndMaybe=None, Require=None),
            plugins.MultifieldPlugin(list(weights), fieldboosts=weights),
        ],
        phraseclass=_phrase,
    )


def _phrase(fieldname: str, words: list[str], **options) -> Query:
    # A phrase is not looked for among name keys: its key keeps only the names ("western
    # Aleppo" would be "Aleppo"), which would widen the phrase to text that does not hold it.
    if fieldname in KEY_WEIGHTS:
        return NullQuery
    return Phrase(fieldname, words, **options)


def _put_filters(query: Query, typed_filters: list[Query]) -> Query:
    if isinstance(query, Term) and query.fieldname in querylang.FILTERS:
        if not (query.text.isdecimal() and int(query.text) < len(typed_filters)):
            raise QueryError(f"'{query.fieldname}:' can only be used as a filter")
        return typed_filters[int(query.text)]
    return query.apply(lambda child: _put_filters(child, typed_filters))


class FilterQuery(Or):
    """The resolved form of one filter (narrator, place, event or year)."""


def _filter_query(
    searcher: Searcher, places: Gazetteer | None, access: Query | None, name: str, value: str
) -> Query:
    """The passages that `name:value` selects: by slug, or else by name in any spelling."""
    if name == "year":
        if not re.fullmatch(r"\d{4}", value):
            raise QueryError(f"year: takes a year of four digits, as in year:2017, not '{value}'")
        return FilterQuery([Term("year", value)])
    slug = value.strip().lower()
    if name == "narrator":
        slugs = _narrators_named(searcher, access, value)
    elif places is None:
        slugs = [slug]
    elif name == "place":
        slugs = places_named(value, places.places, partial(_words, searcher.schema))
    else:
        slugs = _events_named(places, value, partial(_words, searcher.schema))
    return FilterQuery([Term(name, s) for s in slugs or [slug]])


def _words(schema: Schema, text: str) -> list[str]:
    return [token.text for token in schema["text"].analyzer(text)]


def _narrators_named(searcher: Searcher, access: Query | None, value: str) -> list[str]:
    # Only narrators the asker may see are looked at, so that a restricted narrator's slug
    # or name changes nothing for a reader who may not see them.
    allowed = postings.allowed_mask(searcher, access)

    def visible(docs):
        return docs if allowed is None else docs & allowed

    slug = value.strip().lower()
    if visible(postings.matching_mask(searcher, Term("narrator", slug))).any():
        return [slug]
    words = _words(searcher.schema, value)
    if not words:
        return []
    docs = visible(
        postings.matching_mask(searcher, And([Term("narrator_name", word) for word in words]))
    )
    names, pair_docs, numbers = postings.search_arrays(searcher).values("narrator")
    return sorted({names[n] for n in set(numbers[docs[pair_docs]].tolist())})


def _events_named(places: Gazetteer, value: str, analyse) -> list[str]:
    events = places.events
    slug = value.strip().lower()
    if any(event_slug == slug for event_slug, _ in events):
        return [slug]
    words = set(analyse(value))
    return [s for s, title in events if words and words <= set(analyse(f"{title} {s}"))]


def wanted_marks(schema: Schema, query: Query) -> marks.Wanted:
    """What a snippet marks for `query`: the words it asks of the text, the note and the
    other languages' text, and the name keys it asks for."""
    return marks.wanted(query, ["text", "note", "translation"], KEY_WEIGHTS)


def name_key_filter(schema: Schema) -> NameKeyFilter:
    """The index's filter of name-like words (an index built before name keys: an empty one)."""
    if "name_keys" in schema:
        for item in schema["name_keys"].analyzer.items:
            if isinstance(item, NameKeyFilter):
                return item
    return NameKeyFilter()


def spelling_filter(schema: Schema) -> SpellingFilter | None:
    """The spelling filter of the index's text analyzer (None: it has none)."""
    for item in schema["text"].analyzer.items:
        if isinstance(item, SpellingFilter):
            return item
    return None
