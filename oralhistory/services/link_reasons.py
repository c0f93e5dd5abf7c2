"""Why a passage is linked: the reasons the rules give (in English and as parameters for
a page to word), the span of an event, and the dates that "one year ago" and the like point
to, counted back from the interview."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from typing import Any

from ..record.models import Event, Testimony

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
