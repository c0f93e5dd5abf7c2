"""What the home page says of the collection, read from the record rather than written into
the engine: who published the public testimonies, who interviewed their narrators, and a place
to offer as an example search.

The engine names no collection. These come from the testimonies' citations and the timeline,
so another archive's home page speaks of its own, and an export, a restore or a correction
changes them with the record. Only public testimonies that are not withdrawn count: a
restricted testimony's publisher or interviewer is never shown on the public home page.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from ..record.access import ANONYMOUS, visible
from ..record.models import Event, Place, Testimony

# how many names the home page lists before "and N others"
NAMES_SHOWN = 5


@dataclass(frozen=True)
class Names:
    """Names the home page lists, the most frequent first, and how many more there are."""

    shown: list[str]
    others: int = 0


def _most_frequent(counts: Counter[str]) -> Names:
    ranked = sorted(counts, key=lambda name: (-counts[name], name))
    return Names(ranked[:NAMES_SHOWN], max(len(ranked) - NAMES_SHOWN, 0))


def publishers(session: Session) -> Names:
    """The publishers the public testimonies' citations name, by how many they published."""
    publisher = Testimony.citation["publisher"].as_string()
    rows = session.execute(
        select(publisher, func.count())
        .where(visible(ANONYMOUS), publisher.is_not(None), publisher != "")
        .group_by(publisher)
    ).all()
    return _most_frequent(Counter({name.strip(): count for name, count in rows if name.strip()}))


def interviewers(session: Session) -> Names:
    """The interviewers of the public testimonies, by how many testimonies they recorded."""
    # Lists are grouped as their JSON text (portable, and a team is often the same list), then
    # counted name by name.
    as_text = cast(Testimony.interviewers, String)
    rows = session.execute(
        select(as_text, func.count()).where(visible(ANONYMOUS)).group_by(as_text)
    ).all()
    counts: Counter[str] = Counter()
    for text, count in rows:
        for name in json.loads(text) if text else []:
            if isinstance(name, str) and name.strip():
                counts[name.strip()] += count
    return _most_frequent(counts)


def example_place(session: Session) -> Place | None:
    """The place most events of the timeline happen at that has an Arabic name, to show as
    an example search in both scripts; None when the timeline has none."""
    counts: Counter[str] = Counter()
    for (slugs,) in session.execute(select(Event.place_slugs)):
        counts.update(slugs or [])
    if not counts:
        return None
    places = session.scalars(
        select(Place).where(Place.slug.in_(list(counts)), Place.name_arabic.is_not(None))
    ).all()
    return min(places, key=lambda place: (-counts[place.slug], place.slug), default=None)
