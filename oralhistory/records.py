"""Reading the archive: each function returns one plain dict, rendered as HTML or as JSON.

Every function takes the `Viewer` and applies `access.visible`, so that what an anonymous
reader cannot see is never in what these functions return.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from . import changes, search
from .access import Viewer, can_see, visible
from .gazetteer import matchers_of, place_names
from .models import (
    MAX_ROW_ID,
    ChangeLog,
    ContextLink,
    Event,
    Figure,
    Narrator,
    Passage,
    Place,
    Source,
    Testimony,
    TestimonyEvent,
)


class NotFound(LookupError):
    """Nothing the viewer may see answers to this name."""


class Withdrawn(NotFound):
    """A public testimony was here and has been withdrawn: readers hold citations to it, so its
    addresses say so (410 Gone) and when, and nothing else of it (a withdrawal may protect a
    person)."""

    def __init__(self, testimony_id: int, withdrawn_on: dt.date):
        super().__init__(f"testimony {testimony_id} was withdrawn")
        self.testimony_id, self.withdrawn_on = testimony_id, withdrawn_on


def readable(viewer: Viewer, testimony: Testimony | None, testimony_id: int) -> Testimony:
    """`testimony`, if `viewer` may read it; else Withdrawn for a public testimony since
    withdrawn, NotFound for any other (a restricted one is never said to exist)."""
    if testimony is not None and can_see(viewer, testimony):
        return testimony
    if testimony is not None and testimony.withdrawn_at and testimony.access == "public":
        raise Withdrawn(testimony_id, testimony.withdrawn_at.date())
    raise NotFound(f"there is no testimony {testimony_id}")


@dataclass(frozen=True)
class PageAddress:
    """Which page of the archive a value links to, as plain values: the web layer makes the
    URL (`views.page_url`), so that these functions run the same from the CLI or a test."""

    endpoint: str  # a view, as Flask names it: "pages.testimony"
    values: tuple[tuple[str, Any], ...]
    fragment: str | None = None  # the part after "#": a passage's anchor on the page


def page_address(endpoint: str, _anchor: str | None = None, **values: Any) -> PageAddress:
    """The page `endpoint` shows for `values`, at the fragment `_anchor` (underscored as
    Flask names it, because a view may take a value called `anchor`); views make it a URL."""
    return PageAddress(endpoint, tuple(sorted(values.items())), _anchor)


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
        "url": page_address("pages.narrator", slug=narrator.slug),
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
        "url": page_address("pages.event", slug=event.slug),
    }


def citation_text(testimony: Testimony) -> str:
    """The testimony's citation in one line, as a reader would copy it."""
    citation = testimony.citation
    parts = [
        f"{testimony.narrator.name}, interviewed by {' and '.join(testimony.interviewers)}"
        if testimony.interviewers
        else testimony.narrator.name,
        f"“{citation.get('title') or testimony.title}”",
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
        "language": testimony.language,
        "access": testimony.access,
        "withdrawn": testimony.withdrawn_at is not None,
        "passage_count": len(testimony.passages),
        "url": page_address("pages.testimony", testimony_id=testimony.id),
    }


def get_narrator(session: Session, slug: str, viewer: Viewer) -> dict[str, Any]:
    """The narrator's profile: biography, visible testimonies, and the events they speak of."""
    narrator = session.scalar(
        select(Narrator).where(Narrator.slug == slug).options(selectinload(Narrator.testimonies))
    )
    testimonies = [t for t in (narrator.testimonies if narrator else []) if _listed(viewer, t)]
    if narrator is None or not testimonies:
        raise NotFound(f"no narrator is called '{slug}'")
    return {
        **narrator_summary(narrator, len(testimonies)),
        "name_arabic_note": narrator.name_arabic_note,
        "spellings": narrator.spellings,
        "origin": narrator.origin,
        "biography": narrator.biography,
        "testimonies": [
            {**testimony_summary(t), "citation": citation_text(t)} for t in testimonies
        ],
        "events": _spoken_of(session, testimonies),
    }


def _spoken_of(session: Session, testimonies: list[Testimony]) -> list[dict[str, Any]]:
    """The events these testimonies speak of, by their front matter or by a passage's link.

    An event only a proposed link points to is marked `proposed`: no person has said so yet.
    """
    status: dict[str, str] = {}
    for testimony in testimonies:
        for link in testimony.event_links:
            status[link.event.slug] = "confirmed"
        for link in testimony.context_links:
            decided = status.get(link.target) == "confirmed"
            if link.kind == "event" and link.status != "rejected" and not decided:
                status[link.target] = link.status
    events = session.scalars(select(Event).where(Event.slug.in_(status)))
    return [
        {**event_ref(e), "status": status[e.slug]}
        for e in sorted(events, key=lambda e: (e.date, e.slug))
    ]


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
    found = session.get(Testimony, testimony_id) if 0 < testimony_id <= MAX_ROW_ID else None
    testimony = readable(viewer, found, testimony_id)
    narrator = testimony.narrator
    events, places = _events(session), _places(session)
    shown = [l for l in testimony.context_links if viewer.is_archivist or l.status != "rejected"]
    return {
        **testimony_summary(testimony),
        "narrator": {
            "slug": narrator.slug,
            "name": narrator.name,
            "name_arabic": narrator.name_arabic,
            "url": page_address("pages.narrator", slug=narrator.slug),
        },
        "interview_date_note": testimony.interview_date_note,
        "interviewers": testimony.interviewers,
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
                "number": passage.number,
                "text": passage.text,
                "segments": passage_segments(passage.text),
                "editor_note": passage.editor_note,
                "url": page_address(
                    "pages.testimony", testimony_id=testimony.id, _anchor=passage.anchor
                ),
                # the passage's own address, which answers even if a correction removes it
                "permalink": page_address(
                    "citations.passage", testimony_id=testimony.id, anchor=passage.anchor
                ),
                "links": _passage_links(
                    [l for l in shown if l.position == passage.number], events, places, viewer
                ),
            }
            for passage in testimony.passages
        ],
        "events": _spoken_of(session, [testimony]),
        "recording": recording_ref(testimony),
    }


def recording_ref(testimony: Testimony) -> dict[str, Any] | None:
    """The testimony's recording as its readers see it (the caller has checked they may read
    the testimony): address, media type, duration in seconds, SHA-256 and size; or None."""
    recording = testimony.recording
    if recording is None:
        return None
    return {
        "url": page_address("media.recording", testimony_id=testimony.id),
        "media_type": recording.media_type,
        "duration": recording.duration,
        "sha256": recording.sha256,
        "size": recording.size,
    }


def mark_testimony(session: Session, testimony: dict[str, Any], q: str) -> int:
    """Mark in the passages of `testimony` (as `get_testimony` gives it) what `q` matches:
    each passage gets `marked` (escaped HTML, or None) and the numbers of the matches before
    and after it (`previous_match`, `next_match`, or None). Returns the number of matches."""
    passages = testimony["passages"]
    marked = search.mark_matches(q, [p["text"] for p in passages], search_gazetteer(session))
    total = 0
    for passage, html in zip(passages, marked, strict=True):
        count = html.count("<mark ") if html else 0
        passage["marked"] = html
        passage["previous_match"] = total if count and total else None
        passage["first_match"] = total + 1 if count else None
        total += count
        passage["next_match"] = total + 1 if count else None
    for passage in passages:
        if passage["next_match"] and passage["next_match"] > total:
            passage["next_match"] = None
    return total


def voice_anchor(testimony_id: int, anchor: str) -> str:
    """The anchor of a quoted passage on an event's or a place's page."""
    return f"voice-{testimony_id}-{anchor}"


def link_summary(link: ContextLink, viewer: Viewer) -> dict[str, Any]:
    """A context link's own facts: what it points to, its status, origin and reason.

    Who decided is shown to archivists only: readers see that an archivist did.
    """
    return {
        "id": link.id,
        "kind": link.kind,
        "slug": link.target,
        "anchor": link.anchor,
        "status": link.status,
        "origin": link.origin,
        "reason": link.reason,
        "decided_by": link.decided_by if viewer.is_archivist else None,
        "decided_at": link.decided_at.isoformat(timespec="minutes") if link.decided_at else None,
    }


def _passage_links(
    links: list[ContextLink], events: dict[str, Event], places: dict[str, Place], viewer: Viewer
) -> list[dict[str, Any]]:
    # Events first, in date order, then places by name; a target gone from the timeline is
    # left out.
    shown = []
    for link in links:
        anchor = voice_anchor(link.testimony_id, link.anchor)
        if link.kind == "event" and link.target in events:
            event = events[link.target]
            label, date, end_date = event.title, _date(event.date), _date(event.end_date)
            url = page_address("pages.event", slug=event.slug, _anchor=anchor)
        elif link.kind == "place" and link.target in places:
            label, date, end_date = places[link.target].name, None, None
            url = page_address("pages.place", slug=link.target, _anchor=anchor)
        else:
            continue
        shown.append(
            {
                **link_summary(link, viewer),
                "label": label,
                "date": date,
                "end_date": end_date,
                "url": url,
            }
        )
    return sorted(shown, key=lambda x: (x["kind"] != "event", x["date"] or "", x["label"]))


def link_choices(session: Session) -> dict[str, list[dict[str, str]]]:
    """What an archivist may link a passage to: every event and place, as form options."""
    return {
        "events": [
            {"value": f"event:{e.slug}", "label": f"{e.date.isoformat()} — {e.title}"}
            for e in session.scalars(select(Event).order_by(Event.date, Event.id))
        ],
        "places": [
            {"value": f"place:{p.slug}", "label": p.name}
            for p in session.scalars(select(Place).order_by(Place.name))
        ],
    }


def _linked(
    session: Session, viewer: Viewer, kind: str, target: str | None = None
) -> list[tuple[ContextLink, Passage]]:
    """Links of `kind` (to `target`) not rejected, from testimonies the viewer may see."""
    query = (
        select(ContextLink, Passage)
        .join(Testimony, Testimony.id == ContextLink.testimony_id)
        .join(
            Passage,
            and_(
                Passage.testimony_id == ContextLink.testimony_id,
                Passage.number == ContextLink.position,
            ),
        )
        .where(visible(viewer), ContextLink.kind == kind, ContextLink.status != "rejected")
        .options(selectinload(Passage.testimony).selectinload(Testimony.narrator))
        .order_by(ContextLink.testimony_id, ContextLink.position)
    )
    if target is not None:
        query = query.where(ContextLink.target == target)
    return list(session.execute(query).all())


def _voices(rows: list[tuple[ContextLink, Passage]], viewer: Viewer) -> list[dict[str, Any]]:
    return [
        {
            **passage_ref(passage.testimony, passage),
            "voice": voice_anchor(passage.testimony_id, passage.anchor),
            "link": link_summary(link, viewer),
        }
        for link, passage in rows
    ]


def passage_ref(testimony: Testimony, passage) -> dict[str, Any]:
    """A passage as cited from elsewhere: narrator, text, and a link to its anchor."""
    return {
        "testimony_id": testimony.id,
        "testimony_title": testimony.title,
        "language": testimony.language,
        "access": testimony.access,
        "narrator": {"slug": testimony.narrator.slug, "name": testimony.narrator.name},
        "anchor": passage.anchor,
        "text": passage.text,
        "segments": passage_segments(passage.text),
        "url": page_address("pages.testimony", testimony_id=testimony.id, _anchor=passage.anchor),
    }


def _sources(session: Session) -> dict[str, Source]:
    return {s.slug: s for s in session.scalars(select(Source))}


def _places(session: Session) -> dict[str, Place]:
    return {p.slug: p for p in session.scalars(select(Place))}


def _events(session: Session) -> dict[str, Event]:
    return {e.slug: e for e in session.scalars(select(Event))}


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
                "url": page_address("pages.place", slug=slug),
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


def _event_testimonies(session: Session, viewer: Viewer) -> dict[str, list[Testimony]]:
    """Visible testimonies by event slug: by their front matter or by a passage's link."""
    rows = session.execute(
        select(Event.slug, Testimony)
        .join(TestimonyEvent, TestimonyEvent.event_id == Event.id)
        .join(Testimony, Testimony.id == TestimonyEvent.testimony_id)
        .where(visible(viewer))
    ).all()
    rows += [
        (link.target, passage.testimony) for link, passage in _linked(session, viewer, "event")
    ]
    linked: dict[str, dict[int, Testimony]] = {}
    for slug, testimony in rows:
        linked.setdefault(slug, {})[testimony.id] = testimony
    return {slug: sorted(by_id.values(), key=lambda t: t.id) for slug, by_id in linked.items()}


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


def list_events(session: Session, viewer: Viewer, place: str | None = None) -> dict[str, Any]:
    """The timeline: events in date order, each with its week, its figures (every value each
    source gives) and how many visible passages link to it; with `place`, only the events at
    that place or at a place within it."""
    sources, places = _sources(session), _places(session)
    chosen = None
    if place:
        if place not in places:
            raise NotFound(f"there is no place '{place}'")
        chosen = _within(places, place)
    testimonies = _event_testimonies(session, viewer)
    passages: dict[str, int] = {}
    for link, _ in _linked(session, viewer, "event"):
        passages[link.target] = passages.get(link.target, 0) + 1
    figures = _figures(session, sources)
    events = session.scalars(select(Event).order_by(Event.date, Event.end_date, Event.id))
    shown = []
    for e in events:
        if chosen is not None and not chosen.intersection(e.place_slugs):
            continue
        week, week_label = _week(e.date)
        shown.append(
            {
                **_event_dict(e, sources, places),
                "week": week,
                "week_label": week_label,
                "testimony_count": len(testimonies.get(e.slug, [])),
                "passage_count": passages.get(e.slug, 0),
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


def _within(places: dict[str, Place], slug: str) -> set[str]:
    """The place and every place inside it, by the gazetteer's parents."""
    found = {slug}
    grew = True
    while grew:
        inside = {p.slug for p in places.values() if p.parent and p.parent.slug in found}
        grew = not inside <= found
        found |= inside
    return found


def get_event(session: Session, slug: str, viewer: Viewer) -> dict[str, Any]:
    """One event: when, where, its sources and figures, and the visible testimonies and
    passages that speak of it (links an archivist rejected are left out)."""
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(f"there is no event '{slug}'")
    sources = _sources(session)
    testimonies = _event_testimonies(session, viewer).get(slug, [])
    return {
        **_event_dict(event, sources, _places(session)),
        "figures": [f for f in _figures(session, sources) if f["event"] == slug],
        "testimonies": [
            {**testimony_summary(t), "narrator": {"slug": t.narrator.slug, "name": t.narrator.name}}
            for t in testimonies
        ],
        "passages": _voices(_linked(session, viewer, "event", slug), viewer),
    }


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
        "url": page_address("pages.place", slug=place.slug),
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


def _narrator_names(session: Session, slugs) -> dict[str, str]:
    rows = session.execute(select(Narrator.slug, Narrator.name).where(Narrator.slug.in_(slugs)))
    return dict(rows.all())


def search_page(session: Session, request: search.SearchRequest) -> dict[str, Any]:
    """Run a search and dress its hits with narrator, testimony and passage links; the
    narrators the query names come first."""
    from .narrators_named import named_in  # it builds on this module's page addresses

    changes.follow(session)  # the changes other processes and servers committed
    timeline = _timeline(session)
    result = search.search(request, timeline.gazetteer)
    rows = session.execute(
        select(
            Testimony.id,
            Testimony.title,
            Testimony.access,
            Testimony.language,
            Narrator.slug,
            Narrator.name,
        )
        .join(Testimony.narrator)
        .where(Testimony.id.in_({hit.testimony_id for hit in result.hits}))
    )
    testimonies = {row.id: row for row in rows}
    names = _narrator_names(session, [slug for slug, _ in result.facets["narrator"]])
    hits = []
    for hit in result.hits:
        testimony = testimonies.get(hit.testimony_id)
        if testimony is None:  # the index is a step behind the record: skip the ghost
            continue
        hits.append(
            {
                "narrator": {"slug": testimony.slug, "name": testimony.name},
                "testimony": {
                    "id": testimony.id,
                    "title": testimony.title,
                    "url": page_address("pages.testimony", testimony_id=testimony.id),
                    "access": testimony.access,
                    "language": testimony.language,
                },
                "passage": {
                    "anchor": hit.anchor,
                    "url": page_address(
                        "pages.testimony", testimony_id=testimony.id, _anchor=hit.anchor
                    ),
                },
                "snippet": hit.snippet,
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
                {"slug": slug, "name": names.get(slug, slug), "count": count}
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


def _name(refs: dict[str, dict[str, Any]], slug: str, key: str) -> str:
    return refs[slug][key] if slug in refs else slug


def get_place(session: Session, slug: str, viewer: Viewer) -> dict[str, Any]:
    """A place: its names and spellings, the events there, and the visible passages linked to
    it (links an archivist rejected are left out)."""
    places = _places(session)
    place = places.get(slug)
    if place is None:
        raise NotFound(f"there is no place '{slug}'")
    sources = _sources(session)
    events = session.scalars(select(Event).order_by(Event.date, Event.id))
    return {
        "slug": place.slug,
        "name": place.name,
        "name_arabic": place.name_arabic,
        "variants": place.variants,
        "kind": place.kind,
        "parent": {
            "slug": place.parent.slug,
            "name": place.parent.name,
            "url": page_address("pages.place", slug=place.parent.slug),
        }
        if place.parent
        else None,
        "events": [_event_dict(e, sources, places) for e in events if slug in e.place_slugs],
        "passages": _voices(_linked(session, viewer, "place", slug), viewer),
    }
