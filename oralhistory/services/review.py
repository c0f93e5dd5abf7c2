"""The review queue: every proposed context link in the archive, for archivists to decide.

Plain data only (no Flask, no URLs): the view adds the addresses and renders the page or JSON.
Confirming and rejecting go through `linking.decide_links`, which keeps one revision per
testimony changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..messages import _
from ..record.kinds import LinkKind, LinkStatus
from ..record.models import ContextLink, Event, Passage, Place, Testimony
from .linking import LinkError

QUEUE_PER_PAGE = 25
MAX_QUEUE_PER_PAGE = 200


@dataclass(frozen=True)
class QueueRequest:
    """What the archivist asked of the queue: filters (None for any) and a page."""

    testimony: int | None = None
    event: str | None = None
    place: str | None = None
    rule: str | None = None
    page: int = 1
    per_page: int = QUEUE_PER_PAGE


def _rules_of(link: ContextLink) -> list[str]:
    return list(dict.fromkeys(reason.get("rule", "") for reason in link.reason or []))


def _choices(
    links: list[ContextLink], events: dict[str, Event], places: dict[str, Place]
) -> dict[str, list[dict[str, Any]]]:
    """What the queue can be narrowed to, each with how many proposed links it holds."""
    testimonies: dict[int, dict[str, Any]] = {}
    targets: dict[tuple[str, str], int] = {}
    rules: dict[str, int] = {}
    for link in links:
        t = link.testimony
        entry = testimonies.setdefault(
            t.id, {"id": t.id, "title": t.title, "narrator": t.narrator.name, "count": 0}
        )
        entry["count"] += 1
        targets[(link.kind, link.target)] = targets.get((link.kind, link.target), 0) + 1
        for rule in _rules_of(link):
            rules[rule] = rules.get(rule, 0) + 1
    return {
        "testimonies": sorted(testimonies.values(), key=lambda t: (t["narrator"], t["id"])),
        "events": [
            {"slug": e.slug, "title": e.title, "date": e.date.isoformat(), "count": n}
            for e in events.values()
            if (n := targets.get(("event", e.slug)))
        ],
        "places": [
            {"slug": p.slug, "name": p.name, "count": n}
            for p in sorted(places.values(), key=lambda p: p.name)
            if (n := targets.get(("place", p.slug)))
        ],
        "rules": [{"rule": rule, "count": rules[rule]} for rule in sorted(rules)],
    }


def _check(asked: QueueRequest, session: Session, events: dict, places: dict, rules: set) -> None:
    # A filter naming nothing in the record is a mistake to say, not an empty queue to show.
    if asked.testimony is not None and session.get(Testimony, asked.testimony) is None:
        raise LinkError(
            _(
                "'testimony' must name a testimony; there is no testimony %(number)s",
                number=asked.testimony,
            )
        )
    if asked.event is not None and asked.event not in events:
        raise LinkError(
            _("'event' must name an event of the timeline, not '%(slug)s'", slug=asked.event[:60])
        )
    if asked.place is not None and asked.place not in places:
        raise LinkError(
            _("'place' must name a place of the gazetteer, not '%(slug)s'", slug=asked.place[:60])
        )
    if asked.rule is not None and asked.rule not in rules:
        if not rules:
            raise LinkError(_("'rule' must be one of the rules with proposals, and none has any"))
        raise LinkError(
            _(
                "'rule' must be one of the rules with proposals (%(known)s)",
                known=", ".join(sorted(rules)),
            )
        )
    if asked.page < 1:
        raise LinkError(_("'page' must be 1 or more"))
    if not 1 <= asked.per_page <= MAX_QUEUE_PER_PAGE:
        raise LinkError(
            _("'per_page' must be between 1 and %(highest)s", highest=MAX_QUEUE_PER_PAGE)
        )


def _wanted(link: ContextLink, asked: QueueRequest) -> bool:
    if asked.testimony is not None and link.testimony_id != asked.testimony:
        return False
    # Event and place each narrow to links pointing there; both together mean either.
    targets = [("event", asked.event), ("place", asked.place)]
    named = [target for target in targets if target[1] is not None]
    if named and (link.kind, link.target) not in named:
        return False
    return asked.rule is None or asked.rule in _rules_of(link)


def proposed_links(session: Session, asked: QueueRequest) -> dict[str, Any]:
    """One page of the proposed links that `asked` selects, oldest testimony and passage first,
    each with its reason and its passage; and what the queue can be narrowed to.

    Raises `LinkError` naming the filter or page that is wrong. Restricted and withdrawn
    testimonies are included: only archivists may call this.
    """
    events = {e.slug: e for e in session.scalars(select(Event).order_by(Event.date, Event.id))}
    places = {p.slug: p for p in session.scalars(select(Place))}
    every = [
        link
        for link in session.scalars(
            select(ContextLink)
            .where(ContextLink.status == LinkStatus.PROPOSED)
            .options(selectinload(ContextLink.testimony).selectinload(Testimony.narrator))
            .order_by(ContextLink.testimony_id, ContextLink.position, ContextLink.id)
        )
        if link.target in (events if link.kind == LinkKind.EVENT else places)
    ]
    choices = _choices(every, events, places)
    _check(asked, session, events, places, {c["rule"] for c in choices["rules"]})
    chosen = [link for link in every if _wanted(link, asked)]
    pages = max(1, -(-len(chosen) // asked.per_page))
    if asked.page > pages:
        raise LinkError(
            _("'page' is %(page)s, but the last page is %(last)s", page=asked.page, last=pages)
        )
    shown = chosen[(asked.page - 1) * asked.per_page : asked.page * asked.per_page]
    texts = _passages(session, shown)
    return {
        "total": len(chosen),
        "page": asked.page,
        "per_page": asked.per_page,
        "pages": pages,
        "filters": {
            "testimony": asked.testimony,
            "event": asked.event,
            "place": asked.place,
            "rule": asked.rule,
        },
        "links": [_queue_entry(link, events, places, texts) for link in shown],
        "choices": choices,
    }


def _passages(session: Session, links: list[ContextLink]) -> dict[tuple[int, int], Passage]:
    keys = {(link.testimony_id, link.position) for link in links}
    testimony_ids = {testimony_id for testimony_id, _ in keys}
    rows = session.scalars(select(Passage).where(Passage.testimony_id.in_(testimony_ids)))
    return {(p.testimony_id, p.position): p for p in rows if (p.testimony_id, p.position) in keys}


def _queue_entry(
    link: ContextLink,
    events: dict[str, Event],
    places: dict[str, Place],
    texts: dict[tuple[int, int], Passage],
) -> dict[str, Any]:
    testimony = link.testimony
    passage = texts.get((link.testimony_id, link.position))
    if link.kind == LinkKind.EVENT:
        event = events[link.target]
        label, date = event.title, event.date.isoformat()
    else:
        label, date = places[link.target].name, None
    return {
        "id": link.id,
        "kind": link.kind,
        "slug": link.target,
        "label": label,
        "date": date,
        "origin": link.origin,
        "rules": _rules_of(link),
        "reason": link.reason,
        "testimony": {
            "id": testimony.id,
            "title": testimony.title,
            "language": testimony.language,
            "access": testimony.access,
            "withdrawn": testimony.withdrawn_at is not None,
            "narrator": {
                "slug": testimony.narrator.slug,
                "name": testimony.narrator.name,
                "name_arabic": testimony.narrator.name_arabic,
            },
        },
        "passage": {
            "anchor": link.anchor,
            "position": link.position,
            "text": passage.text if passage else "",
        },
    }
