"""Passage times from an OHMS XML record (the Nunn Center's Oral History Metadata
Synchronizer): its index points and its transcript sync, matched to the testimony's passages;
and the one door through which a timecodes file comes in, WebVTT or OHMS.

How an index point finds its passage, in this order:
1. its title names the passage: `p-N` anywhere in it, or `Passage N` (as this archive's own
   OHMS export titles its points);
2. its partial transcript's first words are the first words of a passage (letters and
   digits compared, case and punctuation ignored);
3. when no point of the file is found either way and there are as many points as passages,
   in order. Otherwise a point found neither way is refused, naming its line.
The transcript sync (`<sync>`: a mark every N minutes at a line and word of `<transcript>`)
gives a start to each passage whose first words are found in the transcript, between the two
marks around it in proportion to the words; an index point's time takes precedence.

What OHMS gives that the archive has no field for (synopses, keywords, subjects, GPS points,
hyperlinks, the `_alt` translations) is read, counted and dropped: `Dropped.summary` says
what, for the change log. Plain values in and out; no Flask, no database session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..messages import _
from .timecodes import MAX_VTT_BYTES, Cue, TimesRefused, match_cues, read_webvtt

NAMESPACE = "https://www.weareavp.com/nunncenter/ohms"
KEPT_NOWHERE = (
    "title_alt",
    "partial_transcript_alt",
    "synopsis",
    "synopsis_alt",
    "keywords",
    "keywords_alt",
    "subjects",
    "subjects_alt",
)
PASSAGE_TITLE_RE = re.compile(r"\bpassage\s+([1-9][0-9]{0,8})\b", re.IGNORECASE)
SYNC_MARK_RE = re.compile(r"\s*(\d+)\((\d+)\)\s*")
WORD_RE = re.compile(r"\w+")
MATCH_WORDS = 6  # how many first words must agree for a partial transcript to find a passage


@dataclass(frozen=True)
class IndexPoint:
    """An OHMS index point: its time (seconds), title, partial transcript and line."""

    time: float
    title: str
    partial: str
    line: int


@dataclass
class OhmsRecord:
    """What an OHMS XML record gives passage times: its index points, its sync marks
    (seconds, line, word) and its transcript's lines, and what is read but not kept."""

    points: list[IndexPoint]
    marks: list[tuple[float, int, int]]
    transcript: list[str]
    dropped: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """What of the file the archive does not keep, for the change log ('' when nothing)."""
        if not self.dropped:
            return ""
        parts = ", ".join(f"{name} ({count})" for name, count in sorted(self.dropped.items()))
        return f"; not kept (no field in the archive): {parts}"


def _words(text: str) -> list[str]:
    return [word.casefold() for word in WORD_RE.findall(text or "")]


def _text(element: etree._Element, name: str) -> str:
    found = element.find(f"{{{NAMESPACE}}}{name}")
    if found is None:
        found = element.find(name)
    return (found.text or "").strip() if found is not None else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return element.findall(f"{{{NAMESPACE}}}{name}") + element.findall(name)


def _sync(text: str, line: int) -> list[tuple[float, int, int]]:
    if not text.strip():
        return []
    interval, _colon, stamps = text.partition(":")
    if not interval.strip().isdigit() or not _colon:
        raise TimesRefused(
            _(
                "The sync on line %(line)s of the OHMS file cannot be read: it must begin with "
                "the minutes between marks (1:|13(3)|19(14)…).",
                line=line,
            )
        )
    seconds = int(interval) * 60
    marks = []
    for index, stamp in enumerate(stamps.split("|")):
        if not stamp.strip():
            continue
        found = SYNC_MARK_RE.fullmatch(stamp)
        if found is None:
            raise TimesRefused(
                _(
                    "The sync on line %(line)s of the OHMS file has a mark that cannot be "
                    "read: ‘%(mark)s’ (write line(word), as 13(3)).",
                    line=line,
                    mark=stamp[:20],
                )
            )
        marks.append((float(index * seconds), int(found.group(1)), int(found.group(2))))
    return marks


def read_ohms(data: bytes) -> OhmsRecord:
    """The index points and sync of an OHMS XML record. Raises `TimesRefused` naming the line
    when the file is not well-formed XML, is not an OHMS record, or a point's time is not a
    number of seconds."""
    if len(data) > MAX_VTT_BYTES:
        raise TimesRefused(_("The OHMS file is too large for a testimony’s times."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise TimesRefused(
            _(
                "Line %(line)s of the OHMS file is not well-formed XML: %(why)s",
                line=error.lineno or 1,
                why=str(error.msg or "")[:120],
            )
        ) from None
    records = _children(root, "record") if etree.QName(root).localname == "ROOT" else []
    if not records:
        raise TimesRefused(
            _("The file is not an OHMS record: its root must be ROOT, holding a record.")
        )
    record = records[0]
    points, dropped = [], {}
    for index in _children(record, "index"):
        for point in _children(index, "point"):
            typed = _text(point, "time")
            try:
                time = float(typed)
                if not 0 <= time < 10**7:
                    raise ValueError(typed)
            except ValueError:
                raise TimesRefused(
                    _(
                        "The index point on line %(line)s of the OHMS file has no time in "
                        "seconds (‘%(value)s’).",
                        line=point.sourceline,
                        value=typed[:20],
                    )
                ) from None
            for name in KEPT_NOWHERE:
                if _text(point, name):
                    dropped[name] = dropped.get(name, 0) + 1
            for name in ("gpspoints", "hyperlinks"):
                if _children(point, name):
                    dropped[name] = dropped.get(name, 0) + len(_children(point, name))
            points.append(
                IndexPoint(
                    time,
                    _text(point, "title"),
                    _text(point, "partial_transcript"),
                    point.sourceline,
                )
            )
    sync_elements = _children(record, "sync")
    marks = _sync(_text(record, "sync"), sync_elements[0].sourceline) if sync_elements else []
    transcript = _text(record, "transcript").split("\n") if marks else []
    if not points and not marks:
        raise TimesRefused(_("The OHMS file has neither index points nor a transcript sync."))
    return OhmsRecord(points, marks, transcript, dropped)


# --- matching -------------------------------------------------------------------------------


def _named(point: IndexPoint, anchors: set[str]) -> str | None:
    for token in re.findall(r"p-[1-9][0-9]{0,8}", point.title):
        if token in anchors:
            return token
    found = PASSAGE_TITLE_RE.search(point.title)
    if found and f"p-{found.group(1)}" in anchors:
        return f"p-{found.group(1)}"
    return None


def _by_words(point: IndexPoint, firsts: dict[str, list[str]]) -> str | None:
    said = _words(point.partial)[:MATCH_WORDS]
    if not said:
        return None
    for anchor, words in firsts.items():
        if words[: len(said)] == said:
            return anchor
    return None


def _from_sync(record: OhmsRecord, passages: list[tuple[str, str]]) -> dict[str, float]:
    # the transcript as one run of words, each mark at a word position, each passage's first
    # words found in the run; its start between the marks around it, by words
    run: list[str] = []
    line_starts = []
    for line in record.transcript:
        line_starts.append(len(run))
        run.extend(_words(line))
    marks = [(0.0, 0)]
    for seconds, line, word in record.marks:
        if 1 <= line <= len(line_starts):
            marks.append((seconds, line_starts[line - 1] + max(word - 1, 0)))
    marks.sort(key=lambda mark: mark[1])
    starts, cursor = {}, 0
    for anchor, text in passages:
        first = _words(text)[:MATCH_WORDS]
        if not first:
            continue
        at = next(
            (
                i
                for i in range(cursor, len(run) - len(first) + 1)
                if run[i : i + len(first)] == first
            ),
            None,
        )
        if at is None:
            continue
        cursor = at + 1
        before = max((m for m in marks if m[1] <= at), key=lambda m: m[1])
        after = min((m for m in marks if m[1] > at), key=lambda m: m[1], default=None)
        if after is None or after[1] == before[1]:
            starts[anchor] = before[0]
        else:
            share = (at - before[1]) / (after[1] - before[1])
            starts[anchor] = round(before[0] + share * (after[0] - before[0]), 3)
    return starts


def match_ohms(record: OhmsRecord, passages: list[tuple[str, str]]) -> list[tuple[str, Cue]]:
    """Which passage each index point (and the sync) times, as (anchor, cue) in reading
    order; `passages` are (anchor, words) in reading order. Raises `TimesRefused` naming the
    line of a point that finds no passage, or of two points that find the same one."""
    anchors = [anchor for anchor, _words_ in passages]
    known = set(anchors)
    firsts = {anchor: _words(text) for anchor, text in passages}
    found = [(_named(p, known) or _by_words(p, firsts), p) for p in record.points]
    if found and all(anchor is None for anchor, _p in found) and len(found) == len(anchors):
        found = list(zip(anchors, record.points))
    starts: dict[str, tuple[float, int]] = {
        anchor: (seconds, 0) for anchor, seconds in _from_sync(record, passages).items()
    }
    by_point: dict[str, int] = {}
    for anchor, point in found:
        if anchor is None:
            raise TimesRefused(
                _(
                    "The index point on line %(line)s of the OHMS file (‘%(title)s’) finds no "
                    "passage: put the passage’s anchor (p-1, p-2, …) in its title, or begin its "
                    "partial transcript with the passage’s first words.",
                    line=point.line,
                    title=point.title[:60],
                )
            )
        if anchor in by_point:
            raise TimesRefused(
                _(
                    "The index points on lines %(first)s and %(second)s of the OHMS file both "
                    "find passage %(anchor)s.",
                    first=by_point[anchor],
                    second=point.line,
                    anchor=anchor,
                )
            )
        by_point[anchor] = point.line
        starts[anchor] = (point.time, point.line)
    if not starts:
        raise TimesRefused(_("The OHMS file’s sync finds none of the testimony’s passages."))
    return [
        (anchor, Cue(anchor, starts[anchor][0], None, starts[anchor][1]))  # type: ignore[arg-type]
        for anchor in anchors
        if anchor in starts
    ]


# --- either kind of file --------------------------------------------------------------------


def is_ohms(data: bytes) -> bool:
    """Whether a timecodes file is XML (OHMS) rather than WebVTT, by its first character."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def read_timecodes(data: bytes) -> list[Cue] | OhmsRecord:
    """A timecodes file read whole: WebVTT cues, or an OHMS record. Raises `TimesRefused`."""
    return read_ohms(data) if is_ohms(data) else read_webvtt(data)


def match_timecodes(
    read: list[Cue] | OhmsRecord, passages: list[tuple[str, str]]
) -> list[tuple[str, Cue]]:
    """The (anchor, cue) pairs a file read by `read_timecodes` gives the passages."""
    if isinstance(read, OhmsRecord):
        return match_ohms(read, passages)
    return match_cues(read, [anchor for anchor, _words_ in passages])


def dropped_note(read: list[Cue] | OhmsRecord) -> str:
    """What of the file is not kept, for the change log ('' for WebVTT)."""
    return read.summary() if isinstance(read, OhmsRecord) else ""
