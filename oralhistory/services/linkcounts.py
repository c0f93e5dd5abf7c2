"""What the reading pages count and list of context links, asked of the database.

Counts are made by the database (GROUP BY), never by reading every link into Python; lists
that grow with the archive are read a page at a time (LIMIT/OFFSET, in the order of an index).
Every query applies `access.visible`, so that what an anonymous reader may not see is never
counted for them, and leaves out links an archivist rejected and links whose passage is gone.

The counts of every event and place change only when the record changes: they are kept per
process, per database and per kind of viewer, until the change log moves on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select, union
from sqlalchemy.orm import Session, selectinload

from ..record.access import Viewer, visible
from ..record.kinds import LinkKind, LinkStatus
from ..record.models import ChangeLog, ContextLink, Event, Passage, Testimony, TestimonyEvent


def _visible_links(viewer: Viewer, kind: str, *columns) -> Select:
    """Links of `kind` not rejected, whose passage stands, in testimonies `viewer` may see."""
    return (
        select(*columns)
        .select_from(ContextLink)
        .join(Testimony, Testimony.id == ContextLink.testimony_id)
        .join(
            Passage,
            and_(
                Passage.testimony_id == ContextLink.testimony_id,
                Passage.number == ContextLink.position,
            ),
        )
        .where(visible(viewer), ContextLink.kind == kind, ContextLink.status != LinkStatus.REJECTED)
    )


@dataclass(frozen=True)
class EventCounts:
    """How many visible testimonies and linked passages speak of one event."""

    testimonies: int = 0
    passages: int = 0


@dataclass(frozen=True)
class _Counts:
    events: dict[str, EventCounts]
    place_passages: dict[str, int]


def _passages_by_target(session: Session, viewer: Viewer, kind: str) -> dict[str, int]:
    query = _visible_links(viewer, kind, ContextLink.target, func.count())
    return dict(session.execute(query.group_by(ContextLink.target)).all())


def _read_counts(session: Session, viewer: Viewer) -> _Counts:
    passages = _passages_by_target(session, viewer, LinkKind.EVENT)
    front = (
        select(Event.slug.label("slug"), Testimony.id.label("testimony_id"))
        .join(TestimonyEvent, TestimonyEvent.event_id == Event.id)
        .join(Testimony, Testimony.id == TestimonyEvent.testimony_id)
        .where(visible(viewer))
    )
    linked = _visible_links(viewer, LinkKind.EVENT, ContextLink.target, ContextLink.testimony_id)
    both = union(front, linked).subquery()  # UNION: a testimony counts once per event
    testimonies = dict(
        session.execute(select(both.c.slug, func.count()).group_by(both.c.slug)).all()
    )
    events = {
        slug: EventCounts(testimonies.get(slug, 0), passages.get(slug, 0))
        for slug in set(passages) | set(testimonies)
    }
    return _Counts(events, _passages_by_target(session, viewer, LinkKind.PLACE))


# Per process: (database, last change, visible testimonies, archivist?) -> the counts.
_COUNTS: dict[tuple, _Counts] = {}


def event_counts(session: Session, viewer: Viewer) -> dict[str, EventCounts]:
    """Visible testimonies and linked passages of every event, by slug (see `_counts`)."""
    return _counts(session, viewer).events


def linked_count(session: Session, viewer: Viewer, kind: str, target: str) -> int:
    """How many visible passages link to the event or place `target` (see `_counts`)."""
    counts = _counts(session, viewer)
    if kind == LinkKind.EVENT:
        return counts.events.get(target, EventCounts()).passages
    return counts.place_passages.get(target, 0)


def _counts(session: Session, viewer: Viewer) -> _Counts:
    """The counts of every event and place, counted again only when a change has been
    logged since (every change to the record logs one) or the testimonies the viewer may
    see are others."""
    # Which testimonies the viewer may see is in the key too, so that no count ever holds a
    # testimony withdrawn or restricted since, even by a change made outside the archive's
    # unit of work (which logs nothing): counts of what a reader may not see never show.
    last_change = select(func.max(ChangeLog.id)).scalar_subquery()
    last_change, seen, seen_ids = session.execute(
        select(last_change, func.count(Testimony.id), func.sum(Testimony.id)).where(visible(viewer))
    ).one()
    key = (str(session.get_bind().url), last_change, seen, seen_ids, viewer.is_archivist)
    if key not in _COUNTS:
        if len(_COUNTS) > 16:
            _COUNTS.clear()
        _COUNTS[key] = _read_counts(session, viewer)
    return _COUNTS[key]


def linked_page(
    session: Session, viewer: Viewer, kind: str, target: str, offset: int, limit: int
) -> list[tuple[ContextLink, Passage]]:
    """One page of the visible links of `kind` to `target` with their passages, in the order
    of the testimonies and of the passages in them."""
    query = (
        _visible_links(viewer, kind, ContextLink, Passage)
        .where(ContextLink.target == target)
        .options(selectinload(Passage.testimony).selectinload(Testimony.narrator))
        .order_by(ContextLink.testimony_id, ContextLink.position)
        .offset(offset)
        .limit(limit)
    )
    return [(link, passage) for link, passage in session.execute(query).all()]


def event_testimonies(session: Session, viewer: Viewer, slug: str, limit: int) -> list[Testimony]:
    """The first `limit` visible testimonies (by id) that speak of the event: by their front
    matter or by a passage's link."""
    front = session.scalars(
        select(Testimony.id)
        .join(TestimonyEvent, TestimonyEvent.testimony_id == Testimony.id)
        .join(Event, Event.id == TestimonyEvent.event_id)
        .where(Event.slug == slug, visible(viewer))
        .order_by(Testimony.id)
        .limit(limit)
    ).all()
    linked = session.scalars(
        _visible_links(viewer, LinkKind.EVENT, ContextLink.testimony_id)
        .where(ContextLink.target == slug)
        .distinct()
        .order_by(ContextLink.testimony_id)
        .limit(limit)
    ).all()
    ids = sorted(set(front) | set(linked))[:limit]
    return list(
        session.scalars(
            select(Testimony)
            .where(Testimony.id.in_(ids))
            .options(selectinload(Testimony.narrator))
            .order_by(Testimony.id)
        )
    )


def passage_counts(session: Session, testimony_ids) -> dict[int, int]:
    """How many passages each of these testimonies holds, by id."""
    rows = session.execute(
        select(Passage.testimony_id, func.count())
        .where(Passage.testimony_id.in_(list(testimony_ids)))
        .group_by(Passage.testimony_id)
    )
    return dict(rows.all())


def spoken_of(session: Session, testimony_ids) -> dict[str, str]:
    """The events these testimonies speak of, by slug: `confirmed` when their front matter
    names it or an archivist confirmed a passage's link, else `proposed` (only a rule's
    link, not yet reviewed, points to it)."""
    ids = list(testimony_ids)
    status = {
        slug: LinkStatus.CONFIRMED
        for slug in session.scalars(
            select(Event.slug)
            .join(TestimonyEvent, TestimonyEvent.event_id == Event.id)
            .where(TestimonyEvent.testimony_id.in_(ids))
        )
    }
    confirmed = func.max(case((ContextLink.status == LinkStatus.CONFIRMED, 1), else_=0))
    rows = session.execute(
        select(ContextLink.target, confirmed)
        .where(
            ContextLink.testimony_id.in_(ids),
            ContextLink.kind == LinkKind.EVENT,
            ContextLink.status != LinkStatus.REJECTED,
        )
        .group_by(ContextLink.target)
    )
    for slug, any_confirmed in rows:
        if status.get(slug) != LinkStatus.CONFIRMED:
            status[slug] = LinkStatus.CONFIRMED if any_confirmed else LinkStatus.PROPOSED
    return status
