"""The linking rules: what they read from the record (`Rules`) and the links they propose
for a testimony's passages (see `linking` for the rules by name)."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..record.models import Event, Place, Testimony
from ..record.name_spellings import name_groups
from ..search.analysis import name_tokens
from ..search.places import Mention, find_mentions
from .gazetteer import place_matchers
from .link_reasons import BROAD_PLACE_KINDS, _day, _reason, event_span, relative_dates

# --- what the rules read from the record -----------------------------------------------------


@dataclass
class Rules:
    """Everything the rules look for, read once from the record."""

    events: dict[str, Event]
    place_names: dict[str, str]
    place_arabic: dict[str, str | None]
    place_matchers: list[tuple[Hashable, list[list[str]]]]
    narrow_places: set[str]
    events_at: dict[str, list[Event]]
    cue_matchers: list[tuple[Hashable, list[list[str]]]] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> Rules:
        places = session.scalars(select(Place).order_by(Place.id)).all()
        parents = {place.parent_id for place in places}
        events = session.scalars(select(Event).order_by(Event.date, Event.id)).all()
        events_at: dict[str, list[Event]] = {}
        for event in events:
            for slug in event.place_slugs:
                events_at.setdefault(slug, []).append(event)
        spellings = _organisation_spellings(session)
        cue_matchers: list[tuple[Hashable, list[list[str]]]] = []
        for event in events:
            cue_matchers.append(((event.slug, "named-event"), _sequences(event.cues)))
            names = [s for name in event.organisations for s in spellings(name)]
            cue_matchers.append(((event.slug, "organisation"), _sequences(names)))
        return cls(
            events={event.slug: event for event in events},
            place_names={place.slug: place.name for place in places},
            place_arabic={place.slug: place.name_arabic for place in places},
            place_matchers=place_matchers(session),
            narrow_places={
                place.slug
                for place in places
                if place.id not in parents and (place.kind or "") not in BROAD_PLACE_KINDS
            },
            events_at=events_at,
            cue_matchers=cue_matchers,
        )


def _sequences(phrases: list[str]) -> list[list[str]]:
    return [words for phrase in phrases if (words := name_tokens(phrase))]


def _organisation_spellings(session: Session):
    """A function giving every spelling of an organisation's name that the record's
    `names.yaml` knows (`name_spellings`)."""
    groups = name_groups(session)

    def spellings(name: str) -> list[str]:
        words = name_tokens(name)
        for canonical, variants in groups:
            every = [canonical, *variants]
            if any(name_tokens(spelling) == words for spelling in every):
                return [name, *every]
        return [name]

    return spellings


# --- the rules ------------------------------------------------------------------------------


def _outermost(mentions: list[Mention]) -> list[Mention]:
    # "western Aleppo" names west Aleppo, not also Aleppo; "the evacuation agreement" names
    # the agreement, not also the evacuation.
    return [
        m
        for m in mentions
        if not any(
            o.start <= m.start and m.end <= o.end and (o.start, o.end) != (m.start, m.end)
            for o in mentions
        )
    ]


Proposals = dict[tuple[int, str, str], list[dict[str, Any]]]


def propose(testimony: Testimony, rules: Rules) -> Proposals:
    """The links the rules find in the testimony's passages: (passage number, kind, slug) ->
    reasons."""
    proposals: Proposals = {}

    def add(position: int, kind: str, target: str, reason: dict[str, Any]) -> None:
        reasons = proposals.setdefault((position, kind, target), [])
        if reason not in reasons:
            reasons.append(reason)

    interview = testimony.interview_date
    spoken_of = [e for e in rules.events.values() if interview is None or e.date <= interview]
    named_places: dict[int, list[Mention]] = {}
    for passage in testimony.passages:
        position, text = passage.number, passage.text
        mentions = _outermost(find_mentions(text, rules.place_matchers))
        for m in mentions:
            name = rules.place_names[m.key]
            says = f"names the place {name}"
            variant = re.sub(r"[\[\]]", "", m.words).lower() != name.lower()
            if variant:
                says += ", in a spelling the gazetteer lists"
            place = _place(rules, m.key)
            add(
                position,
                "place",
                m.key,
                _reason("place-name", m.words, says, **place, variant=variant),
            )
        named_places[position] = [m for m in mentions if m.key in rules.narrow_places]
        for m in _outermost(find_mentions(text, rules.cue_matchers)):
            slug, rule = m.key
            event = rules.events[slug]
            if event in spoken_of:
                says = (
                    "words the timeline gives for this event"
                    if rule == "named-event"
                    else "an organisation this event's summary names"
                )
                add(position, "event", slug, _reason(rule, m.words, says))
        if interview is not None:
            for event, reason in relative_dates(text, testimony, spoken_of):
                add(position, "event", event.slug, reason)

    # The testimony's story runs from the earliest event it speaks of (by its own list of
    # events or by the rules above) to the interview.
    told = [link.event for link in testimony.event_links]
    told += [rules.events[target] for _, kind, target in proposals if kind == "event"]
    begins = min((event_span(event)[0] for event in told), default=None)
    for position, mentions in named_places.items():
        for m in mentions:
            for event in rules.events_at.get(m.key, []):
                if event not in spoken_of or (begins and event_span(event)[1] < begins):
                    continue
                says = f"this event took place in {rules.place_names[m.key]}"
                if begins:
                    says += (
                        ", in the time the testimony tells of (from the earliest event it "
                        f"speaks of, {_day(begins)}, to the interview)"
                    )
                reason = _reason(
                    "place-event",
                    m.words,
                    says,
                    **_place(rules, m.key),
                    begins=begins.isoformat() if begins else None,
                )
                add(position, "event", event.slug, reason)
    return proposals


def _place(rules: Rules, slug: str) -> dict[str, Any]:
    return {"place": rules.place_names[slug], "place_arabic": rules.place_arabic.get(slug)}
