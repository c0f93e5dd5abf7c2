"""What the reading pages share: whether a viewer may read a testimony, and a testimony, an
event, a passage, a recording and a context link as the pages list and cite them, with the
page and anchor a passage is read at. Each returns plain values, rendered as HTML or JSON.

The pages themselves are `narrator_pages`, `testimony_pages`, `timeline_pages` and
`searching`; each applies `access.visible` for its `Viewer`, so that what an anonymous reader
cannot see is never in what they return.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound, Withdrawn
from ..messages import _
from ..record import refs
from ..record.access import Viewer, can_see
from ..record.kinds import AccessLevel
from ..record.models import ContextLink, Event, Place, Testimony
from . import linkcounts


def readable(viewer: Viewer, testimony: Testimony | None, testimony_id: int) -> Testimony:
    """`testimony`, if `viewer` may read it; else Withdrawn for a public testimony since
    withdrawn, NotFound for any other (a restricted one is never said to exist)."""
    if testimony is not None and can_see(viewer, testimony):
        return testimony
    if testimony is not None and testimony.withdrawn_at and testimony.access == AccessLevel.PUBLIC:
        raise Withdrawn(testimony_id, testimony.withdrawn_at.date())
    raise NotFound(_("there is no testimony %(number)s", number=testimony_id))


def _date(value) -> str | None:
    return value.isoformat() if value else None


def event_ref(event: Event) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "date": _date(event.date),
        "end_date": _date(event.end_date),
        "date_precision": event.date_precision,
        "title": event.title,
        "url": refs.event(event.slug),
    }


def testimony_summary(testimony: Testimony, passage_count: int | None = None) -> dict[str, Any]:
    """A testimony as listed: `passage_count`, when the caller has counted the passages in
    SQL (`linkcounts.passage_counts`), spares reading every passage."""
    return {
        "id": testimony.id,
        "slug": testimony.slug,
        "title": testimony.title,
        "interview_date": _date(testimony.interview_date),
        "interview_date_precision": testimony.interview_date_precision,
        "language": testimony.language,
        "access": testimony.access,
        "withdrawn": testimony.withdrawn_at is not None,
        "passage_count": len(testimony.passages) if passage_count is None else passage_count,
        "url": refs.testimony(testimony.id),
    }


def spoken_of(session: Session, testimony_ids: list[int]) -> list[dict[str, Any]]:
    """The events these testimonies speak of, by their front matter or by a passage's link,
    in date order.

    An event only a proposed link points to is marked `proposed`: no person has said so yet.
    """
    status = linkcounts.spoken_of(session, testimony_ids)
    events = session.scalars(select(Event).where(Event.slug.in_(status)))
    return [
        {**event_ref(e), "status": status[e.slug]}
        for e in sorted(events, key=lambda e: (e.date, e.slug))
    ]


INSERTION_RE = re.compile(r"(\[[^\]]*\])")


def passage_segments(text: str) -> list[dict[str, str]]:
    """Split passage text into the narrator's words and the publisher's [insertions]."""
    return [
        {"kind": "insertion" if INSERTION_RE.fullmatch(part) else "words", "text": part}
        for part in INSERTION_RE.split(text)
        if part
    ]


def recording_ref(testimony: Testimony) -> dict[str, Any] | None:
    """The testimony's recording as its readers see it (the caller has checked they may read
    the testimony): address, media type, duration in seconds, SHA-256 and size; or None."""
    recording = testimony.recording
    if recording is None:
        return None
    return {
        "url": refs.recording(testimony.id),
        "media_type": recording.media_type,
        "duration": recording.duration,
        "sha256": recording.sha256,
        "size": recording.size,
    }


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


def passage_ref(testimony: Testimony, passage) -> dict[str, Any]:
    """A passage as cited from elsewhere: narrator, text, and a link to its anchor."""
    return {
        "testimony_id": testimony.id,
        "testimony_title": testimony.title,
        "language": testimony.language,
        "access": testimony.access,
        "narrator": {
            "slug": testimony.narrator.slug,
            "name": testimony.narrator.name,
            "name_arabic": testimony.narrator.name_arabic,
        },
        "anchor": passage.anchor,
        "text": passage.text,
        "segments": passage_segments(passage.text),
        "url": passage_address(testimony.id, passage.anchor, passage.position),
    }


# Passages on one page of a testimony: a long testimony is read a page at a time.
PASSAGES_PER_PAGE = 100


def page_of(position: int) -> int:
    """The page of its testimony that shows the passage at `position` (from 1)."""
    return (position - 1) // PASSAGES_PER_PAGE + 1


def passage_address(
    testimony_id: int, anchor: str, position: int, start: float | None = None
) -> refs.Ref:
    """A passage in its testimony: on the page that shows it, at its anchor, playing from
    `start` when given."""
    page = page_of(position)
    return refs.testimony(testimony_id, anchor, page if page > 1 else None, start)
