"""A testimony's recording: adding, replacing and removing it (each a revision and a
change-log entry, through the one unit of work), and describing it to readers.

The file itself is received by `media.Incoming` and kept by `media.keep`; this module decides
and records. Nothing half-done is kept: a refused upload is discarded, and a file put in place
for a change the database then refuses is removed again. No Flask here.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..collection import ohms_times, timecodes
from ..errors import RecordingRefused
from ..messages import _
from ..record import media, revisions
from ..record.kinds import Timing
from ..record.models import Recording, Testimony
from ..record.unit_of_work import Saved, UnitOfWork
from .archive_reading import get_testimony
from .records import recording_ref

logger = logging.getLogger(__name__)

MAX_NAME = 300  # the length of `Recording.original_filename`


def _in_use(session: Session, sha256: str) -> bool:
    count = select(func.count()).select_from(Recording).where(Recording.sha256 == sha256)
    return bool(session.scalar(count))


def _forget_unused(session: Session, media_dir: Path, sha256: str) -> None:
    """Remove the kept file unless another recording holds the same bytes."""
    try:
        if not _in_use(session, sha256):
            media.forget(media_dir, sha256)
    except Exception:  # the change is committed; a stray file is found by its SHA-256
        logger.exception("the recording file %s could not be removed", sha256)


def _size_words(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _describe(recording: Recording, kind: str) -> str:
    duration = f", {recording.duration:g} s" if recording.duration else ""
    return (
        f"{recording.original_filename or 'a file'} ({kind}{duration}, "
        f"{_size_words(recording.size)}, SHA-256 {recording.sha256[:12]}…)"
    )


def attach(
    session: Session,
    testimony_id: int,
    incoming: media.Incoming,
    filename: str | None,
    author: str,
    media_dir: Path,
) -> Saved:
    """Make the received file the testimony's recording, adding it or replacing the one it
    had, as a revision and a change-log entry.

    Raises `RecordingRefused` when the file is not audio or video (it is then discarded), and
    `records.NotFound` for an unknown testimony. On any failure nothing is kept: no file in
    the media directory, no row.
    """
    try:
        testimony = get_testimony(session, testimony_id)
        try:
            kind = media.read_kind(incoming.path)
        except media.NotMedia as refused:
            raise RecordingRefused(refused.args[0]) from None
        duration = media.read_duration(incoming.path)
    except BaseException:
        incoming.discard()
        raise
    place, new_file = media.keep(media_dir, incoming)
    try:
        with UnitOfWork(session) as work:
            revisions.keep_first_state(session, testimony)
            replaced = testimony.recording
            old_sha = replaced.sha256 if replaced is not None else None
            if replaced is None:
                replaced_words = None
                recording = Recording(testimony=testimony, part=1)
                session.add(recording)
            else:
                replaced_words = _describe(replaced, replaced.media_type)
                recording = replaced
            recording.sha256, recording.size = incoming.sha256, incoming.size
            recording.media_type, recording.duration = kind.media_type, duration
            recording.original_filename = (filename or "").strip()[:MAX_NAME] or None
            session.flush()
            words = _describe(recording, kind.name)
            summary = (
                f"Recording added: {words}"
                if replaced_words is None
                else f"Recording replaced: {replaced_words} by {words}"
            )
            work.record(testimony, "corrected", author, summary)
        saved = Saved(testimony, work.index_warning)
    except BaseException:
        if new_file:
            _forget_unused(session, media_dir, incoming.sha256)
        raise
    if old_sha and old_sha != incoming.sha256:
        _forget_unused(session, media_dir, old_sha)
    logger.info("recording of testimony %s kept at %s", testimony.id, place)
    return saved


def remove(session: Session, testimony_id: int, author: str, media_dir: Path) -> Saved:
    """Remove the testimony's recording, as a revision and a change-log entry; its file goes
    from the media directory once the change is committed (unless another recording holds
    the same bytes). The revision keeps its SHA-256, size, type and name.

    Raises `RecordingRefused` when the testimony has no recording.
    """
    testimony = get_testimony(session, testimony_id)
    recording = testimony.recording
    if recording is None:
        raise RecordingRefused(_("This testimony has no recording to remove."))
    with UnitOfWork(session) as work:
        revisions.keep_first_state(session, testimony)
        sha256, words = recording.sha256, _describe(recording, recording.media_type)
        testimony.recordings.remove(recording)
        session.flush()
        work.record(testimony, "corrected", author, f"Recording removed: {words}")
    saved = Saved(testimony, work.index_warning)
    _forget_unused(session, media_dir, sha256)
    return saved


def import_times(
    session: Session, testimony_id: int, data: bytes, filename: str | None, author: str
) -> Saved | None:
    """Set the passages' times from a WebVTT or OHMS XML file (`ohms_times.read_timecodes`,
    matched to passages by `ohms_times.match_timecodes`), as `imported`, in a revision and a change-log entry.
    Passages the file does not name keep theirs. Returns None when nothing changed.

    Raises `timecodes.TimesRefused` naming the cue or the line that is wrong, and then
    stores nothing; `records.NotFound` for an unknown testimony.
    """
    testimony = get_testimony(session, testimony_id)
    read = ohms_times.read_timecodes(data)
    passages = {p.anchor: p for p in testimony.passages}
    matched = ohms_times.match_timecodes(read, [(a, p.text) for a, p in passages.items()])
    duration = testimony.recording.duration if testimony.recording is not None else None
    for _anchor, cue in matched:
        if duration is not None and cue.start > duration + 1:
            raise timecodes.TimesRefused(
                _(
                    "Cue %(cue)s (line %(line)s of the WebVTT file) starts after the end of "
                    "the recording.",
                    cue=cue.name,
                    line=cue.line,
                )
            )
    before = revisions.snapshot(testimony)
    with UnitOfWork(session) as work:
        revisions.keep_first_state(session, testimony)
        for anchor, cue in matched:
            passage = passages[anchor]
            passage.start, passage.end, passage.timing = cue.start, cue.end, Timing.IMPORTED
            passage.timing_stale = False
        if revisions.snapshot(testimony) == before:
            work.discard()
        else:
            name = (filename or "").strip()[:MAX_NAME] or "a timecodes file"
            first, last = matched[0][0], matched[-1][0]
            summary = f"Times imported from {name}: {len(matched)} passages ({first} to {last})"
            summary += ohms_times.dropped_note(read)
            work.record(testimony, "corrected", author, summary)
    return Saved(testimony, work.index_warning) if work.committed else None


def archive_view(testimony: Testimony) -> dict[str, Any] | None:
    """The recording as the archivists' form shows it: what readers see
    (`records.recording_ref`), the file's original name and when it was added."""
    found = recording_ref(testimony)
    if found is None:
        return None
    recording = testimony.recording
    return {
        **found,
        "original_filename": recording.original_filename,
        "created_at": recording.created_at.isoformat(timespec="minutes"),
    }
