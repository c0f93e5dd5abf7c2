"""Reading the archive: each function returns one plain dict, rendered as HTML or as JSON.

Every function takes the `Viewer` and applies `access.visible`, so that what an anonymous
reader cannot see is never in what these functions return.
"""

from __future__ import annotations

import re
from typing import Any

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from . import search
from .access import Viewer, can_see, visible
from .gazetteer import place_matchers, places_in
from .models import Event, Figure, Narrator, Place, Source, Testimony, TestimonyEvent


class NotFound(LookupError):
    """Nothing the viewer may see answers to this name."""


def _date(value) -> str | None:
    return value.isoformat() if value else None


def narrator_summary(narrator: Narrator, testimony_count: int) -> dict[str, Any]:
    return {
        "slug": narrator.slug,
        "name": narrator.name,
        "name_arabic": narrator.name_arabic,
        "age_at_interview": narrator.age_at_interview,
        "residence": narrator.residence,
        "roles": narrator.roles,
        "testimony_count": testimony_count,
        "url": url_for("pages.narrator", slug=narrator.slug),
    }


def list_narrators(session: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """Narrators with at least one testimony the viewer may see, by name."""
    rows = session.execute(
        select(Narrator, func.count(Testimony.id))
        .join(Testimony, Testimony.narrator_id == Narrator.id)
        .where(visible(viewer))
        .group_by(Narrator.id)
        .order_by(Narrator.name)
    )
    return [narrator_summary(narrator, count) for narrator, count in rows.all()]


def event_ref(event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "date": _date(event.date),
        "end_date": _date(event.end_date),
        "date_precision": event.date_precision,
        "title": event.title,
        "url": url_for("pages.event", slug=event.slug),
    }


def citation_text(testimony: Testimony) -> str:
    """The testimony's citation in one line, as a reader would copy it."""
    citation = testimony.citation
    parts = [
        f"{testimony.narrator.name}, interviewed by {' and '.join(testimony.interviewers)}"
        if testimony.interviewers
        else testimony.narrator.name,
        f"“{citation.get('title')}”" if citation.get("title") else None,
        citation.get("publisher"),
        citation.get("date"),
        citation.get("url"),
    ]
    return ". ".join(part for part in parts if part) + "."


def testimony_summary(testimony: Testimony) -> dict[str, Any]:
    return {
        "id": testimony.id,
        "slug": testimony.slug,
        "title": testimony.title,
        "interview_date": _date(testimony.interview_date),
        "interview_date_precision": testimony.interview_date_precision,
        "access": testimony.access,
        "withdrawn": testimony.withdrawn_at is not None,
        "passage_count": len(testimony.passages),
        "url": url_for("pages.testimony", testimony_id=testimony.id),
    }


def get_narrator(session: Session, slug: str, viewer: Viewer) -> dict[str, Any]:
    """The narrator's profile: biography, visible testimonies, and the events they speak of."""
    narrator = session.scalar(
        select(Narrator).where(Narrator.slug == slug).options(selectinload(Narrator.testimonies))
    )
    testimonies = [t for t in (narrator.testimonies if narrator else []) if _listed(viewer, t)]
    if narrator is None or not testimonies:
        raise NotFound(f"no narrator is called '{slug}'")
    events = {link.event.slug: link.event for t in testimonies for link in t.event_links}.values()
    return {
        **narrator_summary(narrator, len(testimonies)),
        "name_arabic_note": narrator.name_arabic_note,
        "spellings": narrator.spellings,
        "origin": narrator.origin,
        "biography": narrator.biography,
        "testimonies": [
            {**testimony_summary(t), "citation": citation_text(t)} for t in testimonies
        ],
        "events": [event_ref(e) for e in sorted(events, key=lambda e: (e.date, e.slug))],
    }


def _listed(viewer: Viewer, testimony: Testimony) -> bool:
    # Withdrawn testimonies leave every listing; archivists reach them through the archive.
    return testimony.withdrawn_at is None and can_see(viewer, testimony)


INSERTION_RE = re.compile(r"(\[[^\]]*\])")


def passage_segments(text: str) -> list[dict[str, str]]:
    """Split passage text into the narrator's words and the publisher's [insertions]."""
    return [
        {"kind": "insertion" if INSERTION_RE.fullmatch(part) else "words", "text": part}
        for part in INSERTION_RE.split(text)
        if part
    ]


def get_testimony(session: Session, testimony_id: int, viewer: Viewer) -> dict[str, Any]:
    """The whole testimony: passages with anchors, citation, narrator, and its events."""
    testimony = session.get(Testimony, testimony_id)
    if testimony is None or not can_see(viewer, testimony):
        raise NotFound(f"there is no testimony {testimony_id}")
    narrator = testimony.narrator
    events = sorted((link.event for link in testimony.event_links), key=lambda e: e.date)
    return {
        **testimony_summary(testimony),
        "narrator": {
            "slug": narrator.slug,
            "name": narrator.name,
            "name_arabic": narrator.name_arabic,
            "url": url_for("pages.narrator", slug=narrator.slug),
        },
        "interview_date_note": testimony.interview_date_note,
        "interviewers": testimony.interviewers,
        "language": testimony.language,
        "original_language": testimony.original_language,
        "citation": testimony.citation,
        "citation_text": citation_text(testimony),
        "rights": testimony.rights,
        "corrected_at": testimony.corrected_at.isoformat(timespec="minutes")
        if testimony.corrected_at
        else None,
        "passages": [
            {
                "anchor": passage.anchor,
                "position": passage.position,
                "text": passage.text,
                "segments": passage_segments(passage.text),
                "editor_note": passage.editor_note,
                "url": url_for(
                    "pages.testimony", testimony_id=testimony.id, _anchor=passage.anchor
                ),
            }
            for passage in testimony.passages
        ],
        "events": [event_ref(e) for e in events],
    }


def passage_ref(testimony: Testimony, passage) -> dict[str, Any]:
    """A passage as cited from elsewhere: narrator, text, and a link to its anchor."""
    return {
        "testimony_id": testimony.id,
        "testimony_title": testimony.title,
        "narrator": {"slug": testimony.narrator.slug, "name": testimony.narrator.name},
        "anchor": passage.anchor,
        "text": passage.text,
        "segments": passage_segments(passage.text),
        "url": url_for("pages.testimony", testimony_id=testimony.id, _anchor=passage.anchor),
    }


def _sources(session: Session) -> dict[str, Source]:
    return {s.slug: s for s in session.scalars(select(Source))}


def _places(session: Session) -> dict[str, Place]:
    return {p.slug: p for p in session.scalars(select(Place))}


def cited(source: Source, locator: str | None) -> dict[str, Any]:
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
                "url": url_for("pages.place", slug=slug),
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


def _event_testimonies(session: Session, viewer: Viewer) -> dict[int, list[Testimony]]:
    rows = session.execute(
        select(TestimonyEvent.event_id, Testimony)
        .join(Testimony, Testimony.id == TestimonyEvent.testimony_id)
        .where(visible(viewer))
        .order_by(Testimony.id)
    )
    linked: dict[int, list[Testimony]] = {}
    for event_id, testimony in rows.all():
        linked.setdefault(event_id, []).append(testimony)
    return linked


def list_events(session: Session, viewer: Viewer) -> dict[str, Any]:
    """The timeline: events in date order, with the figures the sources disagree on."""
    sources, places = _sources(session), _places(session)
    linked = _event_testimonies(session, viewer)
    events = session.scalars(select(Event).order_by(Event.date, Event.end_date, Event.id))
    return {
        "events": [
            {**_event_dict(e, sources, places), "testimony_count": len(linked.get(e.id, []))}
            for e in events
        ],
        "figures": [
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
        ],
    }


def get_event(session: Session, slug: str, viewer: Viewer) -> dict[str, Any]:
    """One event with its sources, and the visible testimonies and passages that speak of it."""
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(f"there is no event '{slug}'")
    testimonies = _event_testimonies(session, viewer).get(event.id, [])
    matchers = place_matchers(session)
    return {
        **_event_dict(event, _sources(session), _places(session)),
        "testimonies": [
            {**testimony_summary(t), "narrator": {"slug": t.narrator.slug, "name": t.narrator.name}}
            for t in testimonies
        ],
        "passages": [
            passage_ref(t, p)
            for t in testimonies
            for p in t.passages
            if _speaks_of(p.text, event, matchers)
        ],
    }


def _speaks_of(text: str, event: Event, matchers: list) -> bool:
    # Until passages carry links of their own, a passage speaks of an event when it names
    # one of the event's places, in any spelling.
    return bool(places_in(text, [m for m in matchers if m[0] in event.place_slugs]))


def search_page(session: Session, request: search.SearchRequest) -> dict[str, Any]:
    """Run a search and dress its hits with narrator, testimony and passage links."""
    result = search.search(request)
    testimony_ids = {hit.testimony_id for hit in result.hits}
    testimonies = {
        t.id: t
        for t in session.scalars(
            select(Testimony)
            .where(Testimony.id.in_(testimony_ids))
            .options(selectinload(Testimony.narrator))
        )
    }
    names = search.narrator_names(session, [slug for slug, _ in result.facets["narrator"]])
    places = _places(session)
    events = {e.slug: e.title for e in session.scalars(select(Event))}
    hits = []
    for hit in result.hits:
        testimony = testimonies.get(hit.testimony_id)
        if testimony is None:  # the index is a step behind the record: skip the ghost
            continue
        hits.append(
            {
                "narrator": {"slug": testimony.narrator.slug, "name": testimony.narrator.name},
                "testimony": {
                    "id": testimony.id,
                    "title": testimony.title,
                    "url": url_for("pages.testimony", testimony_id=testimony.id),
                    "access": testimony.access,
                },
                "passage": {
                    "anchor": hit.anchor,
                    "url": url_for(
                        "pages.testimony", testimony_id=testimony.id, _anchor=hit.anchor
                    ),
                },
                "snippet": hit.snippet,
                "score": hit.score,
                "matched_in": hit.matched_in,
            }
        )
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "hits": hits,
        "facets": {
            "narrator": [
                {"slug": slug, "name": names.get(slug, slug), "count": count}
                for slug, count in result.facets["narrator"]
            ],
            "place": [
                {
                    "slug": slug,
                    "name": places[slug].name if slug in places else slug,
                    "count": count,
                }
                for slug, count in result.facets["place"]
            ],
            "event": [
                {"slug": slug, "title": events.get(slug, slug), "count": count}
                for slug, count in result.facets["event"]
            ],
        },
        "suggestion": result.suggestion,
    }


def get_place(session: Session, slug: str, viewer: Viewer) -> dict[str, Any]:
    """A place: its names and spellings, the events there, and the passages that name it."""
    places = _places(session)
    place = places.get(slug)
    if place is None:
        raise NotFound(f"there is no place '{slug}'")
    sources = _sources(session)
    events = session.scalars(select(Event).order_by(Event.date, Event.id))
    matchers = [m for m in place_matchers(session) if m[0] == slug]
    testimonies = session.scalars(select(Testimony).where(visible(viewer)).order_by(Testimony.id))
    return {
        "slug": place.slug,
        "name": place.name,
        "name_arabic": place.name_arabic,
        "variants": place.variants,
        "kind": place.kind,
        "parent": {
            "slug": place.parent.slug,
            "name": place.parent.name,
            "url": url_for("pages.place", slug=place.parent.slug),
        }
        if place.parent
        else None,
        "events": [_event_dict(e, sources, places) for e in events if slug in e.place_slugs],
        "passages": [
            passage_ref(t, p)
            for t in testimonies
            for p in t.passages
            if places_in(p.text, matchers)
        ],
    }
