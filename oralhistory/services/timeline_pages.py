"""Reading the timeline: the events, one event, one place, each as one plain dict.

Each does work bounded by what its page shows: counts come from the database
(`linkcounts`), and the passages linked to an event or a place are read a page at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..messages import _
from ..record import refs
from ..record.access import Viewer
from ..record.models import Event, Figure, Place, Source
from . import linkcounts
from .paging import paging
from .records import (
    NotFound,
    event_ref,
    link_summary,
    passage_ref,
    testimony_summary,
    voice_anchor,
)

# Passages quoted on an event's or a place's page, to a page.
VOICES_PER_PAGE = 20
# Testimonies listed by name on an event's page; the rest are counted.
EVENT_TESTIMONIES_SHOWN = 20


def list_events(session: Session, viewer: Viewer, place: str | None = None) -> dict[str, Any]:
    """The timeline: events in date order, each with its week, its figures (every value each
    source gives) and how many visible passages and testimonies speak of it; with `place`,
    only the events at that place or at a place within it."""
    sources, places = _sources(session), places_by_slug(session)
    chosen = None
    if place:
        if place not in places:
            raise NotFound(_("there is no place ‘%(slug)s’", slug=place))
        chosen = _within(places, place)
    counts = linkcounts.event_counts(session, viewer)
    figures = _figures(session, sources)
    events = session.scalars(select(Event).order_by(Event.date, Event.end_date, Event.id))
    shown = []
    for e in events:
        if chosen is not None and not chosen.intersection(e.place_slugs):
            continue
        week, week_label = _week(e.date)
        count = counts.get(e.slug, linkcounts.EventCounts())
        shown.append(
            {
                **_event_dict(e, sources, places),
                "week": week,
                "week_label": week_label,
                "testimony_count": count.testimonies,
                "passage_count": count.passages,
                "figures": [f for f in figures if f["event"] == e.slug],
            }
        )
    return {
        "events": shown,
        "figures": figures,
        "place": {"slug": place, "name": places[place].name} if place else None,
        "places": [
            {"slug": p.slug, "name": p.name}
            for p in sorted(places.values(), key=lambda p: p.name.lower())
        ],
    }


def timeline_span(session: Session) -> dict[str, Any]:
    """What the home page says of the timeline: how many events, the first one's date and
    the last one's end (or date)."""
    rows = session.execute(
        select(Event.date, Event.end_date).order_by(Event.date, Event.end_date, Event.id)
    ).all()
    if not rows:
        return {"count": 0, "first": None, "last": None}
    return {"count": len(rows), "first": rows[0][0], "last": rows[-1][1] or rows[-1][0]}


def _voices(session: Session, viewer: Viewer, kind: str, slug: str, page: int | None):
    """One page of the visible passages linked to `slug`, and the paging's fields."""
    total = linkcounts.linked_count(session, viewer, kind, slug)
    pages = paging(page, VOICES_PER_PAGE, total, f"the list of passages on '{slug}'")
    rows = linkcounts.linked_page(session, viewer, kind, slug, pages.offset, pages.per_page)
    voices = [
        {
            **passage_ref(passage.testimony, passage),
            "voice": voice_anchor(passage.testimony_id, passage.anchor),
            "link": link_summary(link, viewer),
        }
        for link, passage in rows
    ]
    return voices, {"passage_count": total, "passages_page": pages.as_dict()}


def get_event(
    session: Session, slug: str, viewer: Viewer, page: int | None = None
) -> dict[str, Any]:
    """One event: when, where, its sources and figures, and the visible testimonies and
    passages that speak of it (links an archivist rejected are left out). The passages come
    `VOICES_PER_PAGE` to a page (`page`, from 1); the testimonies, the first
    `EVENT_TESTIMONIES_SHOWN` of them, with their count."""
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(_("there is no event ‘%(slug)s’", slug=slug))
    sources = _sources(session)
    voices, paged = _voices(session, viewer, "event", slug, page)
    testimonies = linkcounts.event_testimonies(session, viewer, slug, EVENT_TESTIMONIES_SHOWN)
    count = linkcounts.event_counts(session, viewer).get(slug, linkcounts.EventCounts())
    return {
        **_event_dict(event, sources, places_by_slug(session)),
        "figures": [f for f in _figures(session, sources) if f["event"] == slug],
        "testimony_count": count.testimonies,
        "testimonies": [
            {
                **testimony_summary(t, passage_count),
                "narrator": {
                    "slug": t.narrator.slug,
                    "name": t.narrator.name,
                    "name_arabic": t.narrator.name_arabic,
                },
            }
            for t, passage_count in _with_passage_counts(session, testimonies)
        ],
        "passages": voices,
        **paged,
    }


def _with_passage_counts(session: Session, testimonies: list) -> list[tuple[Any, int]]:
    counts = linkcounts.passage_counts(session, [t.id for t in testimonies])
    return [(t, counts.get(t.id, 0)) for t in testimonies]


def get_place(
    session: Session, slug: str, viewer: Viewer, page: int | None = None
) -> dict[str, Any]:
    """A place: its names and spellings, the events there, and the visible passages linked to
    it (links an archivist rejected are left out), `VOICES_PER_PAGE` to a page."""
    places = places_by_slug(session)
    place = places.get(slug)
    if place is None:
        raise NotFound(_("there is no place ‘%(slug)s’", slug=slug))
    sources = _sources(session)
    events = session.scalars(select(Event).order_by(Event.date, Event.id))
    voices, paged = _voices(session, viewer, "place", slug, page)
    return {
        "slug": place.slug,
        "name": place.name,
        "name_arabic": place.name_arabic,
        "variants": place.variants,
        "kind": place.kind,
        "parent": {
            "slug": place.parent.slug,
            "name": place.parent.name,
            "url": refs.place(place.parent.slug),
        }
        if place.parent
        else None,
        "events": [_event_dict(e, sources, places) for e in events if slug in e.place_slugs],
        "passages": voices,
        **paged,
    }


def _sources(session: Session) -> dict[str, Source]:
    return {s.slug: s for s in session.scalars(select(Source))}


def places_by_slug(session: Session) -> dict[str, Place]:
    """Every place of the gazetteer, by slug."""
    return {p.slug: p for p in session.scalars(select(Place))}


def events_by_slug(session: Session) -> dict[str, Event]:
    """Every event of the timeline, by slug."""
    return {e.slug: e for e in session.scalars(select(Event))}


def cited(source: Source, locator: str | None) -> dict[str, Any]:
    """A source as an event or a figure cites it, at `locator` (a page, a paragraph)."""
    return {
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
        "url": source.url,
        "note": source.note,
        "locator": locator,
    }


def _event_dict(event: Event, sources: dict[str, Source], places: dict[str, Place]):
    return {
        **event_ref(event),
        "summary": event.summary,
        "places": [
            {
                "slug": slug,
                "name": places[slug].name,
                "name_arabic": places[slug].name_arabic,
                "url": refs.place(slug),
            }
            for slug in event.place_slugs
            if slug in places
        ],
        "sources": [
            cited(sources[item["source"]], item.get("locator"))
            for item in event.sources
            if item["source"] in sources
        ],
    }


def _figures(session: Session, sources: dict[str, Source]) -> list[dict[str, Any]]:
    return [
        {
            "slug": figure.slug,
            "title": figure.title,
            "event": figure.event_slug,
            "values": [
                {
                    "value": v["value"],
                    "note": v.get("note"),
                    "source": cited(sources[v["source"]], v.get("locator")),
                }
                for v in figure.values
                if v["source"] in sources
            ],
        }
        for figure in session.scalars(select(Figure).order_by(Figure.id))
    ]


def _week(day: dt.date) -> tuple[str, str]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday.isoformat(), f"Week of Monday {monday.day} {monday:%B %Y}"


def _within(places: dict[str, Place], slug: str) -> set[str]:
    """The place and every place inside it, by the gazetteer's parents."""
    found = {slug}
    grew = True
    while grew:
        inside = {p.slug for p in places.values() if p.parent and p.parent.slug in found}
        grew = not inside <= found
        found |= inside
    return found
