"""Alignment jobs: the transcript aligned to the recording in the background, never inside a
request, and kept as a proposal until an archivist accepts it.

A job is queued (`queue`), claimed by one worker (`claim_next`: a single UPDATE, so that two
processes never take the same job), run (`run`: the aligner in `alignment`, a heartbeat
while it works), and left `done` with its proposed times or `failed` with the reason. A job
found `running` with a stopped heartbeat was cut off by a restart and is queued again
(`recover`). `accept` makes its times the passages' own, `aligned`, as a revision and a
change-log entry; the correction form stays for the archivist's corrections.

No Flask: the worker (`work`) is given its session factory and media directory.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..messages import Message, _
from ..record import media, revisions
from ..record.alignment_record import AlignmentJob
from ..record.kinds import Timing
from ..record.models import Testimony, utcnow
from ..record.unit_of_work import Saved, UnitOfWork
from . import alignment
from .archive_reading import get_testimony

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
# a running job whose heartbeat is older than this was cut off (a restart, a killed worker)
STALE_AFTER = dt.timedelta(seconds=6 * HEARTBEAT_SECONDS)
MAX_ATTEMPTS = 3
# a job queued this long ago and still not taken has no worker to take it (a server with its
# worker thread off and no `flask align-worker` beside it): the page then says so
UNTAKEN_AFTER = dt.timedelta(minutes=2)


class AlignmentRefused(Exception):
    """The job could not be queued or accepted; `message` says why. Nothing was stored."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


def _wanted_anchors(testimony: Testimony) -> list[str]:
    """The passages a new alignment proposes times for: those whose words changed since they
    were timed and those without a time; all of them when every passage is timed and
    current (the archivist asked for a fresh alignment)."""
    passages = testimony.passages
    due = [p.anchor for p in passages if p.timing_stale or p.start is None]
    return due or [p.anchor for p in passages]


def active_job(session: Session, testimony_id: int) -> AlignmentJob | None:
    """The testimony's job that is queued or running, if any."""
    return session.scalar(
        select(AlignmentJob)
        .where(
            AlignmentJob.testimony_id == testimony_id,
            AlignmentJob.state.in_(("queued", "running")),
        )
        .order_by(AlignmentJob.id.desc())
        .limit(1)
    )


def latest_job(session: Session, testimony_id: int) -> AlignmentJob | None:
    """The testimony's most recent job, whatever its state."""
    return session.scalar(
        select(AlignmentJob)
        .where(AlignmentJob.testimony_id == testimony_id)
        .order_by(AlignmentJob.id.desc())
        .limit(1)
    )


def queue(session: Session, testimony_id: int, requested_by: str) -> AlignmentJob:
    """Queue an alignment of the testimony's transcript to its recording, and commit; the
    job already queued or running is returned instead of a second one.

    Raises `AlignmentRefused` when the testimony has no recording or no passages, and
    `records.NotFound` for an unknown testimony.
    """
    testimony = get_testimony(session, testimony_id)
    if testimony.recording is None:
        raise AlignmentRefused(
            _("This testimony has no recording: upload one before aligning its transcript.")
        )
    if not testimony.passages:
        raise AlignmentRefused(_("This testimony has no passages to align."))
    waiting = active_job(session, testimony.id)
    if waiting is not None:
        return waiting
    job = AlignmentJob(
        testimony_id=testimony.id,
        state="queued",
        progress=0.0,
        requested_by=requested_by,
        recording_sha256=testimony.recording.sha256,
        anchors=_wanted_anchors(testimony),
        attempts=0,
    )
    with UnitOfWork(session, index=False):  # a job is no part of the record: no revision
        session.add(job)
    return job


def recover(session: Session, now: dt.datetime | None = None) -> int:
    """Queue again every job left `running` by a worker that stopped (its heartbeat is older
    than `STALE_AFTER`); one that was cut off `MAX_ATTEMPTS` times fails. Returns how many
    were queued again."""
    cutoff = (now or utcnow()) - STALE_AFTER
    stale = session.scalars(
        select(AlignmentJob).where(
            AlignmentJob.state == "running", AlignmentJob.heartbeat_at < cutoff
        )
    ).all()
    with UnitOfWork(session, index=False):
        for job in stale:
            if job.attempts >= MAX_ATTEMPTS:
                job.state = "failed"
                job.message = _(
                    "The alignment was interrupted %(count)s times.", count=job.attempts
                )
            else:
                job.state, job.progress = "queued", 0.0
                job.message = _("Resumed after an interruption (the server restarted).")
            job.updated_at = utcnow()
    return sum(1 for job in stale if job.state == "queued")


def claim(session: Session, job_id: int) -> bool:
    """Take the queued job `job_id` for this worker; False when it is not queued (another
    worker took it first). One UPDATE decides, so that of two workers only one gets it."""
    now = utcnow()
    with UnitOfWork(session, index=False):
        taken = session.execute(
            update(AlignmentJob)
            .where(AlignmentJob.id == job_id, AlignmentJob.state == "queued")
            .values(
                state="running",
                heartbeat_at=now,
                updated_at=now,
                attempts=AlignmentJob.attempts + 1,
            )
        )
    return taken.rowcount == 1


def claim_next(session: Session) -> int | None:
    """Take the oldest queued job for this worker: its id, or None when none waits."""
    while True:
        found = session.scalar(
            select(AlignmentJob.id)
            .where(AlignmentJob.state == "queued")
            .order_by(AlignmentJob.id)
            .limit(1)
        )
        if found is None:
            session.rollback()
            return None
        if claim(session, found):
            return found


def _set(session_factory: Callable[[], Session], job_id: int, **values: Any) -> None:
    with session_factory() as session, UnitOfWork(session, index=False):
        session.execute(
            update(AlignmentJob)
            .where(AlignmentJob.id == job_id, AlignmentJob.state == "running")
            .values(updated_at=utcnow(), heartbeat_at=utcnow(), **values)
        )


def run(session_factory: Callable[[], Session], media_dir: Path, job_id: int) -> None:
    """Run a claimed job to its end: `done` with the proposed times, or `failed` with the
    reason. The heartbeat moves on every `HEARTBEAT_SECONDS` while the aligner works."""
    with session_factory() as session:
        job = session.get(AlignmentJob, job_id)
        testimony = session.get(Testimony, job.testimony_id)
        recording = testimony.recording
        passages = [(p.anchor, p.text) for p in testimony.passages]
        language = testimony.language
        sha256 = recording.sha256 if recording is not None else None
    if sha256 is None:
        _set(session_factory, job_id, state="failed", message=_("The recording was removed."))
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                _set(session_factory, job_id)
            except Exception:
                logger.warning("the alignment job %s's heartbeat failed", job_id, exc_info=True)

    beater = threading.Thread(target=beat, name=f"align-heartbeat-{job_id}", daemon=True)
    beater.start()
    try:
        timed = alignment.align(
            media.path_of(media_dir, sha256),
            language,
            passages,
            lambda fraction, stage: _set(session_factory, job_id, progress=fraction),
        )
    except alignment.AlignmentFailed as failed:
        _set(session_factory, job_id, state="failed", message=failed.message)
        return
    except Exception as error:
        logger.exception("alignment job %s failed", job_id)
        _set(session_factory, job_id, state="failed", message=str(error)[:500])
        return
    finally:
        stop.set()
        beater.join()
    result = [{"anchor": t.anchor, "start": t.start, "end": t.end} for t in timed]
    _set(
        session_factory,
        job_id,
        state="done",
        progress=1.0,
        result=result,
        recording_sha256=sha256,
        message=None,
    )


def work(
    session_factory: Callable[[], Session],
    media_dir: Path,
    *,
    until_idle: bool = True,
    wake: threading.Event | None = None,
    stop: threading.Event | None = None,
    poll_seconds: float = 30.0,
) -> int:
    """The worker: queue again the jobs a restart cut off, then run the queued jobs one by
    one. With `until_idle` it returns when none is left (the number it ran); otherwise it
    waits for `wake` (or `poll_seconds`) and looks again, until `stop` is set."""
    ran = 0
    wake = wake or threading.Event()
    stop = stop or threading.Event()
    while not stop.is_set():
        with session_factory() as session:
            recover(session)
            job_id = claim_next(session)
        if job_id is not None:
            run(session_factory, media_dir, job_id)
            ran += 1
            continue
        if until_idle:
            break
        wake.wait(poll_seconds)
        wake.clear()
    return ran


def accept(session: Session, job_id: int, author: str) -> Saved | None:
    """Make a finished job's times the passages' own, as `aligned`, in a revision and a
    change-log entry. Passages removed since, and passages the job was not asked for, are
    left as they are. Returns None when nothing changed.

    Raises `AlignmentRefused` when the job is not finished, was accepted already, or heard
    another recording than the testimony has now.
    """
    job = session.get(AlignmentJob, job_id)
    if job is None:
        raise AlignmentRefused(_("There is no alignment %(number)s.", number=job_id))
    testimony = get_testimony(session, job.testimony_id)
    if job.state != "done":
        raise AlignmentRefused(_("This alignment has not finished: there is nothing to accept."))
    if job.accepted_at is not None:
        raise AlignmentRefused(_("This alignment was accepted already."))
    if testimony.recording is None or testimony.recording.sha256 != job.recording_sha256:
        raise AlignmentRefused(
            _("The recording changed since this alignment ran: align the transcript again.")
        )
    wanted = set(job.anchors or [])
    proposed = {row["anchor"]: row for row in job.result or [] if row["anchor"] in wanted}
    before = revisions.snapshot(testimony)
    with UnitOfWork(session) as work:
        # one UPDATE decides, as in `claim`: of two acceptances at once (a double click, two
        # archivists), the second finds it accepted and changes nothing
        taken = session.execute(
            update(AlignmentJob)
            .where(AlignmentJob.id == job_id, AlignmentJob.accepted_at.is_(None))
            .values(accepted_at=utcnow(), accepted_by=author)
        )
        if taken.rowcount != 1:
            raise AlignmentRefused(_("This alignment was accepted already."))
        revisions.keep_first_state(session, testimony)
        for passage in testimony.passages:
            row = proposed.get(passage.anchor)
            if row is None:
                continue
            passage.start, passage.end = row["start"], row["end"]
            passage.timing, passage.timing_stale = Timing.ALIGNED, False
        changed = revisions.snapshot(testimony) != before
        if changed:  # else only the job is marked accepted
            anchors = [p.anchor for p in testimony.passages if p.anchor in proposed]
            summary = (
                f"Times aligned automatically to the recording, accepted: {len(anchors)} "
                f"passages ({anchors[0]} to {anchors[-1]})"
            )
            work.record(testimony, "corrected", author, summary)
    return Saved(testimony, work.index_warning) if changed else None


def job_view(session: Session, job: AlignmentJob) -> dict[str, Any]:
    """A job as the archivist sees it: its state, progress and message, whether it has waited
    for a worker longer than `UNTAKEN_AFTER` (`untaken`), and for each passage its current
    start beside the proposed one (plain values)."""
    testimony = session.get(Testimony, job.testimony_id)
    proposed = {row["anchor"]: row for row in job.result or []}
    wanted = set(job.anchors or [])
    passages = []
    for passage in testimony.passages:
        row = proposed.get(passage.anchor) if passage.anchor in wanted else None
        passages.append(
            {
                "anchor": passage.anchor,
                "number": passage.number,
                "position": passage.position,
                "words": passage.text[:80],
                "start": passage.start,
                "timing": passage.timing,
                "timing_stale": passage.timing_stale,
                "proposed_start": row["start"] if row else None,
                "proposed_end": row["end"] if row else None,
            }
        )
    return {
        "id": job.id,
        "testimony_id": job.testimony_id,
        "state": job.state,
        "progress": round(job.progress or 0.0, 3),
        "message": job.message,
        "requested_by": job.requested_by,
        "created_at": job.created_at.isoformat(timespec="seconds"),
        "updated_at": job.updated_at.isoformat(timespec="seconds"),
        "accepted_at": job.accepted_at.isoformat(timespec="seconds") if job.accepted_at else None,
        "accepted_by": job.accepted_by,
        "acceptable": job.state == "done" and job.accepted_at is None,
        "untaken": job.state == "queued" and utcnow() - job.updated_at > UNTAKEN_AFTER,
        "passages": passages,
    }
