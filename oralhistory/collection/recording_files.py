"""Recordings as files of the collection: the `recording: {file, timecodes}` front matter of a
testimony file, read in by `import` and `init` and written out by `export` (with a SHA-256
list of the recordings), and a backup's recordings put back in the media directory.

A recording named by a testimony file is checked as an upload is (its kind read from its
content, its size against the limit) before anything of the testimony is stored, and its
timecodes file is read as WebVTT or OHMS XML; a problem is reported with the testimony file and the
line of the front matter. No Flask here.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InvalidFile
from ..record import media
from ..record.kinds import Timing
from ..record.models import Recording, Testimony
from . import ohms_times, timecodes
from .testimony_file import TestimonyFile

SUMS_FILE = "recordings.sha256"  # at the top of an export, as `sha256sum -c` reads it
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class MediaStore:
    """Where recordings are kept and how large one may be (`MEDIA_DIR`,
    `MAX_RECORDING_BYTES`)."""

    directory: Path
    limit: int


@dataclass
class PlannedRecording:
    """A testimony file's recording, checked and ready to store."""

    path: Path
    cues: list[timecodes.Cue] | ohms_times.OhmsRecord | None
    timecodes_line: int | None


def _line(parsed: TestimonyFile, *path: str) -> int | None:
    return parsed.lines.get(("recording", *path)) or parsed.lines.get(("recording",))


def plan(parsed: TestimonyFile, store: MediaStore | None) -> PlannedRecording | None:
    """Check the recording and timecodes a testimony file names (paths relative to the file);
    None when it names none. Raises `InvalidFile` naming the file and line of what is wrong."""
    wanted = parsed.meta.get("recording")
    if not wanted:
        return None
    name, line = parsed.name, _line(parsed, "file")
    if store is None or not parsed.from_file:
        raise InvalidFile(
            name, [(line, "a recording is imported only by `flask import` or `init`")]
        )
    path = Path(name).parent / wanted["file"]
    if not path.is_file():
        raise InvalidFile(name, [(line, f"the recording '{wanted['file']}' is not found ({path})")])
    size = path.stat().st_size
    if size > store.limit:
        raise InvalidFile(
            name,
            [(line, f"the recording '{wanted['file']}' is larger than {store.limit} bytes")],
        )
    try:
        media.read_kind(path)
    except media.NotMedia as refused:
        raise InvalidFile(name, [(line, f"'{wanted['file']}': {refused.args[0]}")]) from None
    cues, times_line = None, _line(parsed, "timecodes")
    if wanted.get("timecodes"):
        times_path = Path(name).parent / wanted["timecodes"]
        try:
            data = times_path.read_bytes()
            cues = ohms_times.read_timecodes(data)
        except OSError as error:
            problem = f"the timecodes '{wanted['timecodes']}' cannot be read: {error.strerror}"
            raise InvalidFile(name, [(times_line, problem)]) from None
        except timecodes.TimesRefused as refused:
            problem = f"'{wanted['timecodes']}': {refused.message}"
            raise InvalidFile(name, [(times_line, problem)]) from None
    return PlannedRecording(path, cues, times_line)


def _receive(path: Path, store: MediaStore) -> media.Incoming:
    incoming = media.Incoming(store.directory, store.limit)
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                incoming.write(chunk)
    except BaseException:
        incoming.discard()
        raise
    return incoming


def bring_in(
    session: Session, testimony: Testimony, planned: PlannedRecording, store: MediaStore, name: str
) -> str | None:
    """Give the stored (flushed, not committed) testimony the planned recording and times.

    Returns the SHA-256 of a file newly put in the media directory (for `forget_unused` if
    the caller's transaction then fails), else None. Raises `InvalidFile` (file `name`) when
    the cues name no passage of the testimony; nothing is then kept in the media directory.
    """
    matched = []
    if planned.cues is not None:
        try:
            matched = ohms_times.match_timecodes(
                planned.cues, [(p.anchor, p.text) for p in testimony.passages]
            )
        except timecodes.TimesRefused as refused:
            raise InvalidFile(name, [(planned.timecodes_line, str(refused.message))]) from None
    try:
        incoming = _receive(planned.path, store)
    except media.TooLarge:
        raise InvalidFile(
            name, [(None, f"the recording is larger than {store.limit} bytes")]
        ) from None
    kind = media.read_kind(incoming.path)
    duration = media.read_duration(incoming.path)
    recording = testimony.recording
    if recording is not None and recording.sha256 == incoming.sha256:
        incoming.discard()
        new_sha = None
    else:
        _, is_new = media.keep(store.directory, incoming)
        new_sha = incoming.sha256 if is_new else None
        if recording is None:
            recording = Recording(testimony=testimony, part=1)
            session.add(recording)
        recording.sha256, recording.size = incoming.sha256, incoming.size
        recording.media_type, recording.duration = kind.media_type, duration
        recording.original_filename = planned.path.name[:300]
    for anchor, cue in matched:
        passage = next(p for p in testimony.passages if p.anchor == anchor)
        passage.start, passage.end, passage.timing = cue.start, cue.end, Timing.IMPORTED
        passage.timing_stale = False
    return new_sha


def forget_unused(session: Session, store: MediaStore, sha256: str | None) -> None:
    """Remove a file put in the media directory for a change that was then not stored."""
    if sha256 is None:
        return
    used = session.scalar(
        select(func.count()).select_from(Recording).where(Recording.sha256 == sha256)
    )
    if not used:
        media.forget(store.directory, sha256)


def untimed_note(testimony: Testimony) -> str | None:
    """What the CLI says of a stored recording whose passages have no times yet."""
    if testimony.recording is None or any(p.start is not None for p in testimony.passages):
        return None
    return (
        f"{testimony.slug}: the recording is stored, but its passages have no times yet "
        "(no timecodes file was given): it is queued for automatic alignment."
    )


# --- writing an export ----------------------------------------------------------------------


def recording_name(testimony: Testimony) -> str:
    """The recording's file name in an export, beside the testimony's file."""
    extension = media.EXTENSIONS.get(testimony.recording.media_type, "")
    return f"{testimony.slug}.recording{extension}"


def write_recording(testimony: Testimony, folder: Path, media_dir: Path) -> dict[str, Any]:
    """Copy the testimony's recording beside its file in `folder`, and its times as
    `<slug>.vtt`; return the front matter naming them. The copy is checked against the
    recorded SHA-256 and size: a missing or altered file raises OSError naming it."""
    recording = testimony.recording
    source = media.path_of(media_dir, recording.sha256)
    name = recording_name(testimony)
    digest = hashlib.sha256()
    try:
        with source.open("rb") as read, (folder / name).open("wb") as out:
            while chunk := read.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except FileNotFoundError:
        raise OSError(
            f"the recording of testimony {testimony.slug} is missing from the media "
            f"directory ({source}); run `flask check`"
        ) from None
    if digest.hexdigest() != recording.sha256:
        raise OSError(
            f"the recording of testimony {testimony.slug} ({source}) does not match its "
            "SHA-256: it was changed or damaged; run `flask check`"
        )
    meta = {"file": name}
    passages = [
        {"anchor": p.anchor, "start": p.start, "end": p.end, "text": p.text}
        for p in testimony.passages
    ]
    if any(p["start"] is not None for p in passages):
        vtt = f"{testimony.slug}.vtt"
        (folder / vtt).write_text(
            timecodes.write_webvtt(passages, recording.duration), encoding="utf-8"
        )
        meta["timecodes"] = vtt
    return meta


def write_sums(directory: Path, testimonies: list[Testimony]) -> None:
    """The SHA-256 of every exported recording, as `sha256sum -c recordings.sha256` checks."""
    lines = [
        f"{t.recording.sha256}  testimonies/{recording_name(t)}\n"
        for t in testimonies
        if t.recording is not None
    ]
    if lines:
        (directory / SUMS_FILE).write_text("".join(lines), encoding="utf-8")


def times_state(testimony: Testimony) -> list[list]:
    """The passages' times exactly, with where they came from, for an export's state file."""
    return [
        [p.anchor, p.start, p.end, p.timing, p.timing_stale]
        for p in testimony.passages
        if p.start is not None or p.timing is not None
    ]


def restore_times(testimony: Testimony, times: list[list]) -> None:
    """Put back the passages' times an export's state file holds (`times_state`)."""
    by_anchor = {p.anchor: p for p in testimony.passages}
    for anchor, start, end, timing, stale in times:
        passage = by_anchor.get(anchor)
        if passage is not None:
            passage.start, passage.end, passage.timing = start, end, timing
            passage.timing_stale = bool(stale)


# --- a backup's recordings ------------------------------------------------------------------


def restore_media(collection: Path, media_dir: Path) -> int:
    """Copy the recordings an export (a backup's collection) lists in its SHA-256 file back
    into the media directory; return how many. Raises OSError naming a file that is missing."""
    sums = collection / SUMS_FILE
    if not sums.is_file():
        return 0
    count = 0
    for line in sums.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        sha256, relative = line.split("  ", 1)
        target = media.path_of(media_dir, sha256)
        if target.is_file() and target.stat().st_size == (collection / relative).stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(collection / relative, target)
        count += 1
    return count
