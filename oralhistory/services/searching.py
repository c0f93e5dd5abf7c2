"""Searching the archive: a search run with what the record knows of its places and events
(the gazetteer, kept per process while the timeline stays as it is), its hits dressed with
their narrator, testimony and passage, and its facets named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import search
from ..record import refs
from ..record.models import ChangeLog, Event, Narrator, Passage, Place, Testimony
from ..search.places import matchers_of
from .gazetteer import place_names
from .narrators_named import named_in
from .records import event_ref, passage_address


@dataclass(frozen=True)
class _Timeline:
    """What searches need of the timeline: the gazetteer, and each event and place as a
    search page shows it, by slug."""

    gazetteer: search.Gazetteer
    events: dict[str, dict[str, Any]]
    places: dict[str, dict[str, Any]]


# Per process: kept while the timeline stays as it is.
_TIMELINES: dict[tuple, _Timeline] = {}


def _timeline(session: Session) -> _Timeline:
    """The timeline as searches read it, read again only when it may have changed: a new
    change in the log (loading a timeline logs one) or another number of places or events,
    in this database."""
    counts = session.execute(
        select(
            select(func.max(ChangeLog.id)).scalar_subquery(),
            select(func.count(Place.id)).scalar_subquery(),
            select(func.count(Event.id)).scalar_subquery(),
        )
    ).one()
    version = (str(session.get_bind().url), *counts)
    # Read into a name of its own: another thread may clear the dict between two lookups.
    timeline = _TIMELINES.get(version)
    if timeline is None:
        timeline = _Timeline(
            _read_search_gazetteer(session),
            {event.slug: event_ref(event) for event in session.scalars(select(Event))},
            {place.slug: _place_ref(place) for place in session.scalars(select(Place))},
        )
        if len(_TIMELINES) > 16:
            _TIMELINES.clear()
        _TIMELINES[version] = timeline
    return timeline


def _place_ref(place: Place) -> dict[str, Any]:
    return {
        "slug": place.slug,
        "name": place.name,
        "name_arabic": place.name_arabic,
        "kind": place.kind,
        "url": refs.place(place.slug),
    }


def search_gazetteer(session: Session) -> search.Gazetteer:
    """What a search needs to know of the record's places and events."""
    return _timeline(session).gazetteer


def _read_search_gazetteer(session: Session) -> search.Gazetteer:
    rows = session.execute(
        select(Event.slug, Event.title, Event.summary, Event.place_slugs).order_by(
            Event.date, Event.id
        )
    ).all()
    places = place_names(session)
    named = {slug: names[0] for slug, names in places}
    return search.Gazetteer(
        places=places,
        place_matchers=matchers_of(places),
        events=[(slug, title) for slug, title, _summary, _places in rows],
        event_words=[
            (slug, " ".join([title, summary, *(named.get(place, "") for place in place_slugs)]))
            for slug, title, summary, place_slugs in rows
        ],
    )


def _narrator_names(session: Session, slugs) -> dict[str, tuple[str, str | None]]:
    rows = session.execute(
        select(Narrator.slug, Narrator.name, Narrator.name_arabic).where(Narrator.slug.in_(slugs))
    )
    return {slug: (name, arabic) for slug, name, arabic in rows}


def search_page(
    session: Session, index: search.ArchiveIndex, request: search.SearchRequest
) -> dict[str, Any]:
    """Run a search in `index` and dress its hits with narrator, testimony and passage links; the
    narrators the query names come first."""
    timeline = _timeline(session)
    result = search.search(index, request, timeline.gazetteer)
    rows = session.execute(
        select(
            Testimony.id,
            Testimony.title,
            Testimony.access,
            Testimony.language,
            Narrator.slug,
            Narrator.name,
            Narrator.name_arabic,
        )
        .join(Testimony.narrator)
        .where(Testimony.id.in_({hit.testimony_id for hit in result.hits}))
    )
    testimonies = {row.id: row for row in rows}
    positions = _hit_positions(session, result.hits)
    names = _narrator_names(session, [slug for slug, _ in result.facets["narrator"]])
    hits = []
    for hit in result.hits:
        testimony = testimonies.get(hit.testimony_id)
        if testimony is None:  # the index is a step behind the record: skip the ghost
            continue
        hits.append(
            {
                "narrator": {
                    "slug": testimony.slug,
                    "name": testimony.name,
                    "name_arabic": testimony.name_arabic,
                },
                "testimony": {
                    "id": testimony.id,
                    "title": testimony.title,
                    "url": refs.testimony(testimony.id),
                    "access": testimony.access,
                    "language": testimony.language,
                },
                "passage": _hit_passage(testimony.id, hit.anchor, positions),
                "snippet": hit.snippet,
                # the language of the text that matched (and that the snippet shows)
                "language": hit.language or testimony.language,
                "score": hit.score,
                "matched_in": hit.matched_in,
                "read_as": hit.read_as,
            }
        )
    return {
        "query": result.query,
        "narrators": named_in(session, request.q, request.include_restricted),
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "hits": hits,
        "facets": {
            "narrator": [
                {
                    "slug": slug,
                    "name": names.get(slug, (slug, None))[0],
                    "name_arabic": names.get(slug, (slug, None))[1],
                    "count": count,
                }
                for slug, count in result.facets["narrator"]
            ],
            "place": [
                {"slug": slug, "name": _name(timeline.places, slug, "name"), "count": count}
                for slug, count in result.facets["place"]
            ],
            "event": [
                {"slug": slug, "title": _name(timeline.events, slug, "title"), "count": count}
                for slug, count in result.facets["event"]
            ],
        },
        "facets_more": result.facets_more,
        "suggestion": result.suggestion,
        "events": [
            {**timeline.events[match.slug], "read_as": match.read_as}
            for match in result.events
            if match.slug in timeline.events
        ],
        "places": [
            {**timeline.places[match.slug], "read_as": match.read_as}
            for match in result.places
            if match.slug in timeline.places
        ],
    }


def _hit_passage(testimony_id: int, anchor: str, positions: dict) -> dict[str, Any]:
    """A hit's passage: its anchor, its start in the recording (or None), and its address,
    which plays from that start (`?t=`)."""
    position, start = positions.get((testimony_id, anchor), (1, None))
    url = passage_address(testimony_id, anchor, position, start)
    return {"anchor": anchor, "start": start, "url": url}


def _hit_positions(session: Session, hits) -> dict[tuple[int, str], tuple[int, float | None]]:
    """Where each hit's passage stands in its testimony (which page shows it) and where it
    starts in the recording, by (testimony id, anchor): one query for the page of hits."""
    wanted = [
        and_(Passage.testimony_id == hit.testimony_id, Passage.number == int(hit.anchor[2:]))
        for hit in hits
        if hit.anchor.startswith("p-") and hit.anchor[2:].isdigit()
    ]
    if not wanted:
        return {}
    rows = session.execute(
        select(Passage.testimony_id, Passage.number, Passage.position, Passage.start).where(
            or_(*wanted)
        )
    )
    return {(tid, f"p-{number}"): (position, start) for tid, number, position, start in rows}


def _name(refs: dict[str, dict[str, Any]], slug: str, key: str) -> str:
    return refs[slug][key] if slug in refs else slug
