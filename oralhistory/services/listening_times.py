""" "This passage starts here": an archivist listening to the recording sets a passage's start
to the moment the player is at. The same kind of write as a start typed in the correction
form (`timecodes.set_manual`: a `manual` timing), in a revision and a change-log entry.

No Flask here; the view reads the form and the player's time.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..collection import timecodes
from ..messages import _
from ..record import revisions
from ..record.models import Passage, Testimony
from ..record.unit_of_work import UnitOfWork
from .curation import Saved, get_testimony
from .records import NotFound

SECONDS_RE = re.compile(r"[0-9]{1,7}(?:\.[0-9]{1,6})?")


def read_seconds(typed: str | None) -> float:
    """The player's time the form sends (seconds, e.g. `95.25`), to the millisecond.
    Raises `timecodes.TimesRefused` when it is not such a number."""
    typed = (typed or "").strip()
    if not SECONDS_RE.fullmatch(typed):
        raise timecodes.TimesRefused(
            _(
                "The player’s time was not sent: play the recording to the moment, then press "
                "the button again."
            )
        )
    return round(float(typed), 3)


def start_here(
    session: Session, testimony_id: int, anchor: str, seconds: float, author: str
) -> Saved | None:
    """Set the start of the passage `anchor` to `seconds`, as a manual timing, in a revision
    and a change-log entry. Returns None when it already starts there.

    Raises `timecodes.TimesRefused` when the testimony has no recording or the moment is
    after its end, and `records.NotFound` for an unknown testimony or passage.
    """
    testimony = get_testimony(session, testimony_id)
    passage = next((p for p in testimony.passages if p.anchor == anchor), None)
    if passage is None:
        raise NotFound(
            _("testimony %(number)s has no passage %(anchor)s", number=testimony_id, anchor=anchor)
        )
    recording = testimony.recording
    if recording is None:
        raise timecodes.TimesRefused(_("This testimony has no recording to time its passages by."))
    if recording.duration is not None and seconds > recording.duration + 1:
        raise timecodes.TimesRefused(
            _(
                "The start of passage %(number)s, %(value)s, is after the end of the "
                "recording (%(duration)s).",
                number=passage.number,
                value=timecodes.clock_text(seconds),
                duration=timecodes.clock_text(round(recording.duration)),
            )
        )
    before = revisions.snapshot(testimony)
    with UnitOfWork(session) as work:
        revisions.keep_first_state(session, testimony)
        timecodes.set_manual(testimony.passages, {passage.number: seconds})
        if revisions.snapshot(testimony) == before:
            work.discard()
        else:
            summary = f"Start of {anchor} set to {timecodes.clock_text(seconds)} while listening"
            work.record(testimony, "corrected", author, summary)
    return Saved(testimony, work.index_warning) if work.committed else None


def transcript_webvtt(session: Session, testimony: Testimony) -> str:
    """The testimony's timed passages as WebVTT, one cue per passage named by its anchor (the
    caller has checked that its reader may read the testimony)."""
    timed = session.scalars(
        select(Passage)
        .where(Passage.testimony_id == testimony.id, Passage.start.is_not(None))
        .order_by(Passage.position)
    )
    passages = [{"anchor": p.anchor, "start": p.start, "end": p.end, "text": p.text} for p in timed]
    recording = testimony.recording
    return timecodes.write_webvtt(passages, recording.duration if recording else None)
