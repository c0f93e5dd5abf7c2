"""Importing the collection's files: each testimony file in a unit of work of its own, with its
revision, its change-log row and the links the rules propose (`linking`); a recording
imported without times is queued for alignment (`align_jobs`). The timeline is read with the
gazetteer's way of finding a name in a text.

The files themselves are read and stored by the collection layer (`testimony_file`,
`testimony_rows`, `timeline_file`, `recording_files`, `translation_file`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..collection import recording_files, timeline_file, translation_file
from ..collection.testimony_file import read_testimony_file
from ..collection.testimony_rows import store_testimony
from ..errors import InvalidFile
from ..record import revisions
from ..record.models import Testimony
from ..record.unit_of_work import UnitOfWork
from . import align_jobs
from .gazetteer import names_in
from .linking import link_testimony


def parse_timeline(text: str, name: str) -> dict[str, Any]:
    """Validate the timeline file's text (`timeline_file.parse_timeline`); raise
    `InvalidFile` naming every problem and line."""
    return timeline_file.parse_timeline(text, name, names_in)


def read_timeline_file(path: Path) -> dict[str, Any]:
    """Read and validate the timeline file from disk."""
    return timeline_file.read_timeline_file(path, names_in)


@dataclass
class ImportReport:
    """What an import did, file by file."""

    stored: list[Testimony] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    invalid: list[InvalidFile] = field(default_factory=list)
    # files whose testimony is stored as they have it already: nothing was changed
    unchanged: list[str] = field(default_factory=list)
    # files not imported over an archivist's changes (without `replace`): why, per file
    refused: list[str] = field(default_factory=list)
    # what the archivist should know of a stored file (a recording without times)
    notes: list[str] = field(default_factory=list)


def import_testimonies(
    session: Session,
    paths: Iterable[Path],
    *,
    keep_existing: bool = False,
    replace: bool = False,
    max_bytes: int | None = None,
    store: Any = None,
) -> ImportReport:
    """Validate and store testimony files, each in a unit of work of its own with its
    revision (by `revisions.IMPORT_AUTHOR`), its change-log row and the links the rules
    propose. The caller brings the index up to date once after (`index_follower.follow_commit`).

    With `keep_existing`, a testimony already in the database is left as it is. Otherwise the
    file replaces it, unless an archivist has changed it since it was last imported: then
    the file is refused, unless `replace` is given (and the history says so). A file larger
    than `max_bytes` (the form's limit, `MAX_TRANSCRIPT_BYTES`) is refused unread.

    A file's `recording` (`recording_files`) is kept in `store` (a `MediaStore`), checked
    first; a file naming one is refused when no store is given.
    """
    report = ImportReport()
    for path in translation_file.testimony_paths_for(paths):
        new_sha = None
        try:
            # each file in its own unit of work: a bad file leaves the others stored
            with UnitOfWork(session, index=False) as work:
                stored = _import_one(
                    session, work, path, report, max_bytes, keep_existing, replace, store
                )
                if stored is None:
                    work.discard()  # skipped or refused: nothing to commit
                else:
                    testimony, new_sha, planned = stored
        except InvalidFile as invalid:
            recording_files.forget_unused(session, store, new_sha)
            report.invalid.append(invalid)
            continue
        if stored is None or not work.committed:
            continue
        report.stored.append(testimony)
        note = recording_files.untimed_note(testimony) if planned is not None else None
        if note:
            report.notes.append(note)
            _queue_alignment(session, testimony)
    return report


def _queue_alignment(session: Session, testimony: Testimony) -> None:
    """A recording imported without times is queued for automatic alignment."""
    try:
        align_jobs.queue(session, testimony.id, revisions.IMPORT_AUTHOR)
    except align_jobs.AlignmentRefused:
        pass


def _import_one(
    session: Session,
    work: UnitOfWork,
    path: Path,
    report: ImportReport,
    max_bytes: int | None,
    keep_existing: bool,
    replace: bool,
    store: Any,
) -> tuple[Testimony, str | None, Any] | None:
    """Store one testimony file, and its texts in other languages from the files beside it,
    in `work`; None when it is left as it is (said in `report`); else the testimony, the
    SHA-256 of a recording file new to the store, and the plan of its recording. `work` is
    discarded when the file changes nothing."""
    parsed = read_testimony_file(path, max_bytes)
    slug = parsed.meta["slug"]
    existing = session.scalar(select(Testimony).where(Testimony.slug == slug))
    if existing is not None and keep_existing:
        report.skipped.append(slug)
        return None
    planned = recording_files.plan(parsed, store)
    overridden = existing and revisions.changed_since_import(session, existing)
    if overridden and not replace:
        report.refused.append(_refusal(path, slug, overridden))
        return None
    before = revisions.snapshot(existing) if existing is not None else None
    if existing is not None:
        revisions.keep_first_state(session, existing)
    testimony = store_testimony(session, parsed)
    link_testimony(session, testimony)
    session.flush()
    translated = translation_file.store_translations_beside(testimony, path)
    session.flush()
    new_sha = None
    if planned is not None:
        new_sha = recording_files.bring_in(session, testimony, planned, store, str(path))
        session.flush()
    if before == revisions.snapshot(testimony):
        work.discard()
        report.unchanged.append(slug)
        return testimony, new_sha, planned
    summary = f"{'Replaced by' if existing else 'Imported from'} the file {path.name}"
    if overridden:
        summary += f" (with --replace, over revision {overridden.id} by {overridden.author})"
    if planned is not None:
        summary += f", with its recording {planned.path.name}"
    if translated:
        summary += f", with its texts in {', '.join(translated)}"
    work.record(testimony, "imported", revisions.IMPORT_AUTHOR, summary)
    return testimony, new_sha, planned


def _refusal(path: Path, slug: str, revision: Any) -> str:
    when = revision.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{path}: not imported: the testimony '{slug}' was changed in the archive by "
        f"{revision.author} on {when} ({revision.summary}) since it was last imported, and "
        "the file would undo that. Give --replace to replace it all the same (its history "
        "keeps both)."
    )
