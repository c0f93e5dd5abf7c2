"""Passage times as people and files write them: clock times typed in the correction form
(`mm:ss`, `h:mm:ss`), and WebVTT files read and written with `webvtt-py` (cue identifiers
`p-N`, the passages' anchors).

Plain values in and out: no database session, no Flask. A file or a field that cannot be
read raises `TimesRefused` with a message naming the cue, the line or the passage.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from typing import Any

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from ..errors import TimesRefused
from ..messages import Message, _
from ..record.kinds import Timing

TIMINGS = tuple(Timing)
ANCHOR_RE = re.compile(r"p-[1-9][0-9]{0,8}")
CLOCK_RE = re.compile(r"(?:(\d{1,3}):)?(\d{1,4}):(\d{2})(?:[.,](\d{1,3}))?")
# the timings line of a cue: a WebVTT timestamp is [hh:]mm:ss.ttt
TIMESTAMP = r"(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}"
TIMINGS_RE = re.compile(rf"({TIMESTAMP})[ \t]+-->[ \t]+({TIMESTAMP})(?:[ \t].*)?")
MAX_VTT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Cue:
    """A cue of a WebVTT file: its identifier (or None), its times and the line of its
    timings in the file."""

    identifier: str | None
    start: float
    end: float
    line: int

    @property
    def name(self) -> str:
        """The cue's identifier, else its start in seconds."""
        return self.identifier or f"{self.start:g}"


# --- clock times ----------------------------------------------------------------------------


def clock_text(seconds: float | None) -> str:
    """A time as the correction form shows it: 1:35, 1:02:05, or 1:35.25 to the millisecond
    when it is not whole; empty when unknown. `parse_clock` reads it back exactly."""
    if seconds is None:
        return ""
    millis = int(round(seconds * 1000))
    whole, fraction = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
    return text + (f".{fraction:03}".rstrip("0") if fraction else "")


def parse_clock(text: str) -> float:
    """Seconds from `mm:ss` or `h:mm:ss` (a fraction of a second allowed: `1:35.5`).
    Raises ValueError when it is not such a time."""
    found = CLOCK_RE.fullmatch(text.strip())
    if found is None:
        raise ValueError(text)
    hours, minutes, secs, fraction = found.groups()
    if int(secs) > 59 or (hours is not None and int(minutes) > 59):
        raise ValueError(text)
    seconds = int(hours or 0) * 3600 + int(minutes) * 60 + int(secs)
    return seconds + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def url_seconds(seconds: float) -> str:
    """A time as a link writes it (`?t=95`, `#t=95.5`): seconds, to the millisecond."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def times_from_form(form: Any, passages: list, duration: float | None) -> tuple[dict, dict]:
    """The start times the correction form changes: `({passage number: seconds or None},
    {field: message})`. A field `start_N` (N the passage's position) left as the form showed
    it changes nothing; an emptied one removes the passage's time."""
    wanted: dict[int, float | None] = {}
    errors: dict[str, Message] = {}
    for passage in passages:
        name = f"start_{passage.position}"
        if name not in form:
            continue
        typed = (form.get(name) or "").strip()
        if typed == clock_text(passage.start):
            continue
        if not typed:
            wanted[passage.number] = None
            continue
        try:
            seconds = parse_clock(typed)
        except ValueError:
            errors[name] = _(
                "The start of passage %(number)s, ‘%(value)s’, is not a time: write minutes "
                "and seconds (1:35) or hours, minutes and seconds (1:02:05).",
                number=passage.number,
                value=typed[:20],
            )
            continue
        if duration is not None and seconds > duration:
            errors[name] = _(
                "The start of passage %(number)s, %(value)s, is after the end of the "
                "recording (%(duration)s).",
                number=passage.number,
                value=typed,
                duration=clock_text(round(duration)),
            )
            continue
        wanted[passage.number] = seconds
    return wanted, errors


def set_manual(passages: list, wanted: dict[int, float | None]) -> None:
    """Give the passages the start times typed by hand (`times_from_form`), as `manual`;
    an end that no longer follows the start is forgotten."""
    for passage in passages:
        if passage.number not in wanted:
            continue
        start = wanted[passage.number]
        if start is None:
            passage.start = passage.end = passage.timing = None
        else:
            passage.start, passage.timing = start, Timing.MANUAL
            if passage.end is not None and passage.end <= start:
                passage.end = None
        passage.timing_stale = False


# --- WebVTT ---------------------------------------------------------------------------------


def _seconds(timestamp: str) -> float:
    parts = timestamp.split(":")
    hours = int(parts[0]) if len(parts) == 3 else 0
    minutes, secs = int(parts[-2]), float(parts[-1])
    return hours * 3600 + minutes * 60 + secs


def _cue_lines(text: str) -> list[tuple[int, str | None, str]]:
    """Where each cue's timings are: (line number, identifier or None, timings line), and
    refusal of any block that is neither a cue nor a note, style or region."""
    lines = text.split("\n")
    found = []
    number = 1  # the header block, checked by webvtt-py
    while number < len(lines) and lines[number].strip():
        number += 1
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        first = number
        block = []
        while number < len(lines) and lines[number].strip():
            block.append(lines[number])
            number += 1
        if block[0].split(maxsplit=1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        arrow = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        if arrow is None:
            raise TimesRefused(
                _("Line %(line)s of the WebVTT file begins a cue without times.", line=first + 1)
            )
        timings = block[arrow].strip()
        if not TIMINGS_RE.fullmatch(timings):
            raise TimesRefused(
                _(
                    "The times on line %(line)s of the WebVTT file cannot be read: write them "
                    "as 00:01:35.000 --> 00:01:40.500.",
                    line=first + arrow + 1,
                )
            )
        found.append((first + arrow + 1, block[0].strip() if arrow == 1 else None, timings))
    return found


def read_webvtt(data: bytes) -> list[Cue]:
    """The cues of a WebVTT file, in the file's order. Raises `TimesRefused` naming the line
    or the cue when the file is not WebVTT or a cue's times cannot be read or run backwards."""
    if len(data) > MAX_VTT_BYTES:
        raise TimesRefused(_("The WebVTT file is too large for a testimony’s times."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TimesRefused(
            _("The WebVTT file is not UTF-8 text (byte %(position)s).", position=error.start)
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        parsed = webvtt.from_buffer(io.StringIO(text))
    except (MalformedFileError, MalformedCaptionError):
        raise TimesRefused(
            _("The file is not WebVTT: its first line must be WEBVTT, then the cues.")
        ) from None
    places = _cue_lines(text)
    if not places:
        raise TimesRefused(_("The WebVTT file has no cues."))
    if len(places) != len(parsed.captions):
        raise TimesRefused(_("The WebVTT file could not be read whole: check its cues."))
    cues = []
    for (line, identifier, _timings), caption in zip(places, parsed.captions):
        start, end = _seconds(caption.start), _seconds(caption.end)
        cue = Cue(caption.identifier or identifier or None, start, end, line)
        if end < start:
            raise TimesRefused(
                _(
                    "Cue %(cue)s (line %(line)s of the WebVTT file) ends before it starts.",
                    cue=cue.name,
                    line=line,
                )
            )
        cues.append(cue)
    return cues


def match_cues(cues: list[Cue], anchors: list[str]) -> list[tuple[str, Cue]]:
    """Which passage each cue times: by identifier when the cues are named `p-N`, otherwise
    by order (then there must be one cue for each passage). Raises `TimesRefused` naming the
    cue that matches no passage."""
    named = [cue for cue in cues if cue.identifier and ANCHOR_RE.fullmatch(cue.identifier)]
    if not named:
        if len(cues) != len(anchors):
            raise TimesRefused(
                _(
                    "The WebVTT file has %(cues)s cues without passage identifiers, and the "
                    "testimony %(passages)s passages: name each cue by its passage (p-1, p-2, "
                    "…) or give one cue per passage, in order.",
                    cues=len(cues),
                    passages=len(anchors),
                )
            )
        return list(zip(anchors, cues))
    known, seen = set(anchors), set()
    for cue in cues:
        if cue not in named or cue.identifier not in known or cue.identifier in seen:
            name = cue.identifier or cue.name
            if cue.identifier in seen:
                raise TimesRefused(
                    _(
                        "Cue %(cue)s (line %(line)s of the WebVTT file) is given twice.",
                        cue=name,
                        line=cue.line,
                    )
                )
            raise TimesRefused(
                _(
                    "Cue %(cue)s (line %(line)s of the WebVTT file) names no passage of this "
                    "testimony: name each cue by its passage’s anchor (p-1, p-2, …).",
                    cue=name,
                    line=cue.line,
                )
            )
        seen.add(cue.identifier)
    return [(cue.identifier, cue) for cue in cues]  # type: ignore[misc]


def _cue_text(words: str) -> str:
    # WebVTT cue text is markup: escape it, and keep a passage one cue (no blank line)
    return re.sub(r"\n\s*\n", "\n", html.escape(words, quote=False)).strip()


def write_webvtt(passages: list[dict[str, Any]], duration: float | None) -> str:
    """A WebVTT file of the timed passages (`anchor`, `start`, `end`, `text`), in reading
    order: one cue per passage, identified by its anchor. A passage without an end ends
    where the next timed passage starts, or with the recording (or a second after it
    starts when neither is known)."""
    timed = [p for p in passages if p.get("start") is not None]
    captions = []
    for index, passage in enumerate(timed):
        start = passage["start"]
        end = passage.get("end")
        if end is None or end <= start:
            following = timed[index + 1]["start"] if index + 1 < len(timed) else duration
            end = following if following is not None and following > start else start + 1
        captions.append(
            webvtt.Caption(
                start=str(webvtt.models.Timestamp.from_seconds(start)),
                end=str(webvtt.models.Timestamp.from_seconds(end)),
                text=_cue_text(passage["text"]),
                identifier=passage["anchor"],
            )
        )
    return webvtt.WebVTT(captions=captions).content
