"""Context links: the timeline events and places a passage speaks of, and why we think so.

Rules read each passage and propose links; an archivist confirms or rejects them, or adds one.
The rules know no narrator, event or place by name. What they look for is data: the
gazetteer's spellings, each event's dates, places, `cues` and `organisations` (from
`transcripts/timeline.yaml`), the spellings in `names.yaml`, and the testimony's interview
date, from which "one year ago" is counted back.

The rules, by the name each reason gives:

- `place-name`: the passage names a place, in any spelling the gazetteer knows.
- `place-event`: the passage names a place fine enough to locate an event (a district, a town,
  a crossing; not a country, a city or an area made of such places), and an event there falls
  in the time the testimony tells of: from the earliest event it speaks of to the interview.
- `relative-date`: "one year ago", "a year later", "last year", "on the anniversary", counted
  back from the interview date, land within an event.
- `named-event`: the passage uses words the timeline gives for an event or its period ("the
  evacuation", "barrel bombs").
- `organisation`: the passage names an organisation that the event's summary names.

An event after the interview is never proposed: nobody speaks of what has not happened yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import problems, validation
from .errors import LinkError
from .gazetteer import place_matchers
from .kinds import LinkOrigin, LinkStatus
from .messages import _
from .models import LINK_KINDS, ContextLink, Event, Place, Testimony, utcnow
from .name_spellings import name_groups
from .records import NotFound
from .search.analysis import name_tokens
from .search.places import Mention, find_mentions
from .unit_of_work import UnitOfWork

# Places that hold too many happenings for a mention of them to point to one event.
BROAD_PLACE_KINDS = frozenset(["country", "governorate", "region", "area", "city"])
# How far from its day an event or an interview may lie, by the precision of its date.
PRECISION_DAYS = {"day": 0, "week": 6, "month": 30, "year": 365}
# How loosely people count: "one year ago" said today may mean a few weeks either side.
UNIT_SLACK_DAYS = {"day": 0, "week": 2, "month": 7, "year": 30}
MAX_NOTE_LENGTH = 500

COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10}
_COUNT = r"(?P<count>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2})"
_UNIT = r"(?P<unit>year|month|week|day)s?"
_WHOLE = r"(?:whole |full |entire )?"
# Expressions of time counted back from the moment of speaking (the interview).
RELATIVE_DATES = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b{_COUNT} {_WHOLE}{_UNIT} (?:ago|later)\b",
        rf"\b{_COUNT} {_WHOLE}{_UNIT} (?:has|have) (?:now |already )?passed\b",
        rf"\b(?:been|gone|away) (?:for )?{_COUNT} {_WHOLE}{_UNIT}\b",
        r"(?<!the )\blast (?P<unit>year|month|week)\b",
        rf"\b(?:(?P<ordinal>{'|'.join(ORDINALS)}) )?anniversary\b",
    )
]
# Each expression above needs one of these words, whole: a text without any of them is
# spared the five searches (three passages in four of the benchmark's).
TIME_WORDS = re.compile(r"\b(?:ago|later|passed|been|gone|away|last|anniversary)\b", re.IGNORECASE)
# Words that move the day an anniversary is counted from.
REFERENCE_DAYS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}
SENTENCE_END = re.compile(r"[.!?…]\s")


def digest(text: str) -> str:
    """A fingerprint of a passage's text, by which a link finds its passage again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reason(rule: str, words: str, says: str, **params: Any) -> dict[str, Any]:
    # `says` is the English sentence (the JSON API's, and all a reason stored before the
    # parameters were kept has); the parameters let a page word it in the reader's language.
    return {"rule": rule, "words": words, "says": says, **params}


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def event_span(event: Event) -> tuple[dt.date, dt.date]:
    """The first and last day an event may have fallen on, given its date's precision."""
    end = event.end_date or event.date
    return event.date, end + dt.timedelta(days=PRECISION_DAYS.get(event.date_precision, 0))


def _span_text(event: Event) -> str:
    start, end = event.date, event.end_date
    return f"{_day(start)} – {_day(end)}" if end else _day(start)


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


def relative_dates(
    text: str, testimony: Testimony, events: list[Event]
) -> list[tuple[Event, dict[str, Any]]]:
    """Events that expressions such as "one year ago" in `text` point to, with the reason."""
    interview = testimony.interview_date
    precision = testimony.interview_date_precision or "day"
    found: list[tuple[Event, dict[str, Any]]] = []
    if not TIME_WORDS.search(text):
        return found
    for pattern in RELATIVE_DATES:
        for match in pattern.finditer(text):
            start, end = match.span()
            groups = match.groupdict()
            unit = groups.get("unit") or "year"
            written = (groups.get("count") or "").lower()
            count = int(written) if written.isdigit() else COUNTS.get(written)
            if "ordinal" in groups:  # an anniversary, counted from the day the sentence names
                count = ORDINALS.get((groups["ordinal"] or "first").lower(), 1)
                reference, start = _reference_day(text, start, interview)
            else:
                reference = interview
            if count is None:  # "last year": the calendar period before the interview's
                low, high = _last(unit, interview)
                centre = low + (high - low) / 2
            else:
                centre = _back(reference, count, unit)
                slack = dt.timedelta(days=PRECISION_DAYS.get(precision, 0) + UNIT_SLACK_DAYS[unit])
                low, high = centre - slack, centre + slack
            words = text[start:end]
            counted = f"counted back from the interview ({_day(interview)}"
            counted += f", within the {precision})" if precision != "day" else ")"
            for event, how, when in _events_at_time(events, centre, low, high):
                says = f"{counted}: {how} ({_span_text(event)})"
                reason = _reason(
                    "relative-date",
                    words,
                    says,
                    interview=interview.isoformat(),
                    precision=precision,
                    match=when,
                    event_start=event.date.isoformat(),
                    event_end=event.end_date.isoformat() if event.end_date else None,
                )
                found.append((event, reason))
    return found


def _reference_day(text: str, start: int, interview: dt.date) -> tuple[dt.date, int]:
    sentence_start = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    for word, days in REFERENCE_DAYS.items():
        found = re.search(rf"\b{word}\b", text[sentence_start:start], re.IGNORECASE)
        if found:
            return interview + dt.timedelta(days=days), sentence_start + found.start()
    return interview, start


def _back(day: dt.date, count: int, unit: str) -> dt.date:
    if unit == "year":
        return _months_back(day, 12 * count)
    if unit == "month":
        return _months_back(day, count)
    return day - dt.timedelta(days=count * (7 if unit == "week" else 1))


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]  # 31 March, a month back, is 28/29 February
    return dt.date(year, month + 1, min(day.day, last))


def _last(unit: str, interview: dt.date) -> tuple[dt.date, dt.date]:
    if unit == "year":
        return dt.date(interview.year - 1, 1, 1), dt.date(interview.year - 1, 12, 31)
    if unit == "month":
        first = interview.replace(day=1)
        return _months_back(first, 1), first - dt.timedelta(days=1)
    monday = interview - dt.timedelta(days=interview.weekday() + 7)
    return monday, monday + dt.timedelta(days=6)


def _events_at_time(
    events: list[Event], centre: dt.date, low: dt.date, high: dt.date
) -> list[tuple[Event, str, dict[str, str]]]:
    # The events under way on the day counted back to; failing those, the periods of the
    # timeline that overlap the time meant; failing those, the nearest event within it.
    containing = [e for e in events if event_span(e)[0] <= centre <= event_span(e)[1]]
    if containing:
        when = {"how": "during", "about": centre.isoformat()}
        return [(e, f"about {_day(centre)}, during this event", when) for e in containing]
    around = [e for e in events if event_span(e)[0] <= high and event_span(e)[1] >= low]
    periods = [e for e in around if e.end_date]
    meant = f"{_day(low)} – {_day(high)}"
    span = {"from": low.isoformat(), "to": high.isoformat()}
    if periods:
        when = {"how": "overlaps", **span}
        return [(e, f"the time meant ({meant}) overlaps this period", when) for e in periods]
    if around:
        nearest = min(around, key=lambda e: abs((event_span(e)[0] - centre).days))
        return [
            (nearest, f"the time meant ({meant}) includes this event", {"how": "includes", **span})
        ]
    return []


# --- keeping the record's links in line with the rules ---------------------------------------


def _key(link: ContextLink) -> tuple[int, str, str]:
    return (link.position, link.kind, link.target)


def _weight(link: ContextLink) -> int:
    return {LinkStatus.REJECTED: 2, LinkStatus.CONFIRMED: 1}.get(link.status, 0)


def link_testimony(session: Session, testimony: Testimony, rules: Rules | None = None) -> bool:
    """Propose links for every passage of `testimony`, keeping every archivist's decision.

    A link the rules no longer find is dropped, unless an archivist confirmed, rejected or
    added it. A rejected link stays rejected, so the rules never bring it back. Links follow
    their passage's text when passages move. Returns whether any link changed; the caller
    commits.
    """
    rules = rules or Rules.load(session)
    with session.no_autoflush:
        changed = _follow_passages(session, testimony)
        digests = {p.number: digest(p.text) for p in testimony.passages}
        existing = {_key(link): link for link in testimony.context_links}
        for key, reasons in propose(testimony, rules).items():
            link = existing.pop(key, None)
            if link is None:
                position, kind, target = key
                testimony.context_links.append(
                    ContextLink(
                        position=position,
                        kind=kind,
                        target=target,
                        status=LinkStatus.PROPOSED,
                        origin=LinkOrigin.AUTOMATIC,
                        reason=reasons,
                        passage_digest=digests[position],
                    )
                )
                changed = True
            elif link.origin == LinkOrigin.AUTOMATIC and (
                link.reason != reasons or link.passage_digest != digests[key[0]]
            ):
                link.reason, link.passage_digest = reasons, digests[key[0]]
                changed = True
        for link in existing.values():
            if link.status == LinkStatus.PROPOSED and link.origin == LinkOrigin.AUTOMATIC:
                testimony.context_links.remove(link)
                changed = True
    return changed


def _follow_passages(session: Session, testimony: Testimony) -> bool:
    """Move each link whose passage text now stands in another passage (as when a paragraph
    moved and so took a new number) to that passage."""
    digests = {p.number: digest(p.text) for p in testimony.passages}
    once = Counter(digests.values())
    home = {text: position for position, text in digests.items() if once[text] == 1}
    moves = [
        (link, home[link.passage_digest])
        for link in testimony.context_links
        if link.passage_digest in home
        and digests.get(link.position) != link.passage_digest
        and home[link.passage_digest] != link.position
    ]
    if not moves:
        return False
    moving = {id(link) for link, _ in moves}
    staying = {_key(link): link for link in testimony.context_links if id(link) not in moving}
    for index, (link, _new) in enumerate(moves):  # out of the way, so that two may trade places
        link.position = -1 - index
    session.flush()
    placed = []
    for link, position in moves:
        key = (position, link.kind, link.target)
        other = staying.get(key)
        if other is not None and _weight(other) > _weight(link):
            testimony.context_links.remove(link)
            continue
        if other is not None:
            testimony.context_links.remove(other)
        staying[key] = link
        placed.append((link, position))
    session.flush()
    for link, position in placed:
        link.position = position
    session.flush()
    return True


def link_testimonies(session: Session) -> list[int]:
    """Bring every testimony's proposed links up to the rules; return the ids that changed."""
    rules = Rules.load(session)
    testimonies = session.scalars(select(Testimony).order_by(Testimony.id)).all()
    return [t.id for t in testimonies if link_testimony(session, t, rules)]


# --- what archivists do ---------------------------------------------------------------------


def target_label(session: Session, kind: str, slug: str) -> str | None:
    """The event's title or the place's name, or None when the record holds no such target."""
    model = Event if kind == "event" else Place
    column = Event.title if kind == "event" else Place.name
    return session.scalar(select(column).where(model.slug == slug))


def _describe(session: Session, link: ContextLink) -> str:
    label = target_label(session, link.kind, link.target) or link.target
    return f"the link from passage {link.position} to the {link.kind} “{label}”"


@dataclass
class Decided:
    """The links an archivist decided or added, as stored; `index_warning` is None, or what
    to tell them when the index could not follow (`unit_of_work.UnitOfWork`)."""

    links: list[ContextLink]
    index_warning: str | None = None

    @property
    def link(self) -> ContextLink:
        """The first link (the only one of `decide_link` and `add_link`)."""
        return self.links[0]


def _record_all(work: UnitOfWork, changed: dict[Testimony, list[str]], archivist: str) -> None:
    # one revision per testimony changed; the index follows after the commit (its place and
    # event fields come from the links)
    for testimony, summaries in changed.items():
        work.record(testimony, "links", archivist, " ".join(summaries))


DECISIONS = {"confirm": LinkStatus.CONFIRMED, "reject": LinkStatus.REJECTED}
MAX_DECISIONS = 500


def decide_link(session: Session, link_id: int, decision: str, archivist: str) -> Decided:
    """Confirm or reject a link as `archivist`, recording a revision; a repeat changes nothing."""
    return decide_links(session, [link_id], decision, archivist)


def decide_links(session: Session, link_ids: list[int], decision: str, archivist: str) -> Decided:
    """Confirm or reject several links at once as `archivist`: all of them or, on an error,
    none (`LinkError`, or `NotFound` naming the links that do not exist).

    Each testimony whose links change gets one revision saying which; a link already so
    decided is left as it is.
    """
    if decision not in DECISIONS:
        raise LinkError(_("the decision must be 'confirm' or 'reject'"))
    if not link_ids:
        raise LinkError(_("tick at least one link to confirm or reject"))
    if len(link_ids) > MAX_DECISIONS:
        raise LinkError(_("at most %(limit)s links can be decided at once", limit=MAX_DECISIONS))
    wanted = list(dict.fromkeys(link_ids))
    found = {
        link.id: link
        for link in session.scalars(select(ContextLink).where(ContextLink.id.in_(wanted)))
    }
    missing = [str(link_id) for link_id in wanted if link_id not in found]
    if missing:
        raise NotFound(_("there is no link %(numbers)s", numbers=", ".join(missing)))
    verb = "Confirmed" if decision == "confirm" else "Rejected"
    changed: dict[Testimony, list[str]] = {}
    with UnitOfWork(session) as work:
        for link in (found[link_id] for link_id in wanted):
            if link.status != DECISIONS[decision]:
                link.status = DECISIONS[decision]
                link.decided_by, link.decided_at = archivist, utcnow()
                said = f"{verb} {_describe(session, link)}."
                changed.setdefault(link.testimony, []).append(said)
        if changed:
            _record_all(work, changed, archivist)
        else:
            work.discard()
    return Decided([found[link_id] for link_id in wanted], work.index_warning)


def add_link(
    session: Session,
    testimony_id: int,
    passage: str,
    target: str,
    archivist: str,
    note: str = "",
) -> Decided:
    """Link a passage (`p-N` or `N`) to a target (`event:slug` or `place:slug`) as `archivist`.

    A link the rules had proposed or that was rejected becomes confirmed. Raises `LinkError`
    naming the field that is wrong, and changes nothing then.
    """
    testimony = session.get(Testimony, testimony_id)
    if testimony is None:
        raise NotFound(_("there is no testimony %(number)s", number=testimony_id))
    number = (passage or "").strip().removeprefix("p-")
    passages = {p.number: p for p in testimony.passages}
    # ASCII digits only, and few: `int()` refuses "²" and numbers of thousands of digits
    if not re.fullmatch(r"[0-9]{1,9}", number) or int(number) not in passages:
        raise LinkError(
            _(
                "'passage' must name a passage of this testimony by its anchor, such as %(anchor)s",
                anchor=testimony.passages[0].anchor,
            )
        )
    kind, _colon, slug = (target or "").strip().partition(":")
    if kind not in LINK_KINDS or not slug or target_label(session, kind, slug) is None:
        raise LinkError(_("'target' must name an event or a place of the timeline"))
    note = (note or "").strip()
    problem = note and validation.text(MAX_NOTE_LENGTH)(note)
    if problem:
        raise LinkError(problems.at("note", problem))
    position = int(number)
    link = next((x for x in testimony.context_links if _key(x) == (position, kind, slug)), None)
    if link is not None and link.status == LinkStatus.CONFIRMED and not note:
        return Decided([link])
    reason = _reason("archivist", "", note or "added by an archivist", note=note)
    with UnitOfWork(session) as work:
        if link is None:
            link = ContextLink(
                position=position,
                kind=kind,
                target=slug,
                origin=LinkOrigin.ARCHIVIST,
                reason=[reason],
                passage_digest=digest(passages[position].text),
            )
            testimony.context_links.append(link)
        elif note:
            link.reason = [*link.reason, reason]
        link.status, link.decided_by, link.decided_at = LinkStatus.CONFIRMED, archivist, utcnow()
        _record_all(work, {testimony: [f"Added {_describe(session, link)}."]}, archivist)
    return Decided([link], work.index_warning)
