"""The whole archive as files, and back: what `flask export DIR` writes and `flask init` reads.

An export is a `transcripts/` directory (`testimonies/*.md`, `timeline.yaml`, `names.yaml`,
`collection.yaml`)
written from the record as it stands now (an archivist's corrections included), plus
`archive.json`, which holds what those files cannot: each testimony's number, its withdrawal,
its context links with the archivists' decisions, its revisions and its rows of the change log
(so that harvesters' datestamps survive). `init` with
`TRANSCRIPTS_DIR` pointed at an export reads `archive.json` first (`restore_archive`), so that
the rebuilt archive answers every public page exactly as the original did.

Restricted and withdrawn testimonies are written only when the operator asks for them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..errors import InvalidFile
from ..record import changes, name_spellings
from ..record.kinds import AccessLevel
from ..record.models import (
    ChangeLog,
    ContextLink,
    Event,
    Figure,
    Place,
    Revision,
    Source,
    Testimony,
)
from ..record.unit_of_work import UnitOfWork
from . import collection_file, recording_files, translation_file
from .file_yaml import dump_yaml as _yaml
from .front_matter import passage_source, testimony_meta
from .testimony_file import read_testimony_file
from .testimony_rows import store_testimony, upsert_narrator

STATE_FILE = "archive.json"
STATE_FORMAT = 1
LINK_FIELDS = ("kind", "target", "status", "origin", "reason", "passage_digest", "decided_by")


def testimony_file(testimony: Testimony, recording: dict[str, Any] | None = None) -> str:
    """The testimony as a `testimonies/*.md` file: front matter (naming its `recording`
    files when given), then its passages word for word."""
    body = "\n\n".join(passage_source(passage) for passage in testimony.passages)
    meta = testimony_meta(testimony)
    if recording:
        meta["recording"] = recording
    return f"---\n{_yaml(meta)}---\n{body}\n"


def timeline_data(session: Session) -> dict[str, Any]:
    """Sources, places, events and figures as `timeline.yaml` holds them."""
    places = list(session.scalars(select(Place).order_by(Place.id)))
    written: list[Place] = []
    while places:  # a parent must be listed before the places within it
        ready = [p for p in places if p.parent is None or p.parent in written]
        written += ready or places  # a cycle cannot come from the file format; never loop
        places = [p for p in places if p not in written]
    return {
        "sources": [
            {k: getattr(s, k) for k in ("slug", "title", "publisher", "date", "url", "note")}
            for s in session.scalars(select(Source).order_by(Source.id))
        ],
        "places": [
            {
                "slug": p.slug,
                "name": p.name,
                "name_arabic": p.name_arabic,
                "variants": list(p.variants),
                "parent": p.parent.slug if p.parent else None,
                "kind": p.kind,
            }
            for p in written
        ],
        "events": [
            {
                "slug": e.slug,
                "date": e.date.isoformat(),
                "end_date": e.end_date.isoformat() if e.end_date else None,
                "date_precision": e.date_precision,
                "title": e.title,
                "summary": e.summary,
                "places": list(e.place_slugs),
                "sources": [dict(cited) for cited in e.sources],
                "cues": list(e.cues),
                "organisations": list(e.organisations),
            }
            for e in session.scalars(select(Event).order_by(Event.id))
        ],
        "figures": [
            {
                "slug": f.slug,
                "title": f.title,
                "event": f.event_slug,
                "values": [dict(value) for value in f.values],
            }
            for f in session.scalars(select(Figure).order_by(Figure.id))
        ],
    }


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def testimony_state(
    testimony: Testimony, revisions: list[Revision], logged: list[ChangeLog]
) -> dict[str, Any]:
    """What the testimony's file does not hold: its number, withdrawal, links, revisions and
    changes."""
    return {
        "slug": testimony.slug,
        "id": testimony.id,
        "created_at": _when(testimony.created_at),
        "corrected_at": _when(testimony.corrected_at),
        "source_file": testimony.source_file,
        "withdrawn_at": _when(testimony.withdrawn_at),
        "withdrawn_by": testimony.withdrawn_by,
        "withdrawn_reason": testimony.withdrawn_reason,
        "times": recording_files.times_state(testimony),
        "context_links": [
            {
                "id": link.id,
                "anchor": link.anchor,
                **{name: getattr(link, name) for name in LINK_FIELDS},
                "created_at": _when(link.created_at),
                "decided_at": _when(link.decided_at),
            }
            for link in sorted(testimony.context_links, key=lambda link: link.id)
        ],
        "revisions": [
            {
                "id": r.id,
                "author": r.author,
                "created_at": _when(r.created_at),
                "summary": r.summary,
                "snapshot": r.snapshot,
            }
            for r in revisions
        ],
        "changes": [
            {
                "kind": c.kind,
                "revision_id": c.revision_id,
                "author": c.author,
                "summary": c.summary,
                "changed_at": _when(c.changed_at),
            }
            for c in logged
        ],
    }


def exported_testimonies(session: Session, include_restricted: bool) -> list[Testimony]:
    """The testimonies an export holds: the public ones, or every one when asked."""
    query = select(Testimony).order_by(Testimony.id)
    if not include_restricted:
        query = query.where(
            Testimony.access == AccessLevel.PUBLIC, Testimony.withdrawn_at.is_(None)
        )
    return list(session.scalars(query))


def export_archive(
    session: Session,
    directory: Path,
    include_restricted: bool,
    media_dir: Path | None = None,
) -> list[Testimony]:
    """Write the archive into `directory`, which must not exist yet or be empty, each
    recording (from `media_dir`) beside its testimony with its times as WebVTT, and their
    SHA-256 in `recordings.sha256`.

    The files are written beside it and moved into place at the end: an export that fails
    leaves nothing behind (OSError naming a recording that is missing or altered). Returns
    the testimonies written.
    """
    with written_whole(directory) as partial:
        return _write_export(session, partial, include_restricted, media_dir)


@contextmanager
def written_whole(directory: Path) -> Iterator[Path]:
    """A new directory to write into, beside `directory` (absent or empty), moved into its
    place when the block ends cleanly and removed if it raises: nothing half-written stays.
    Raises FileExistsError when `directory` holds anything."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(f"{directory} is not an empty directory")
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        yield partial
        if directory.exists():
            directory.rmdir()
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _write_export(
    session: Session,
    directory: Path,
    include_restricted: bool,
    media_dir: Path | None,
) -> list[Testimony]:
    folder = directory / "testimonies"
    folder.mkdir()
    testimonies = exported_testimonies(session, include_restricted)
    states = []
    for testimony in testimonies:
        recording = None
        if testimony.recording is not None:
            if media_dir is None:
                raise OSError(f"the recording of {testimony.slug}: no media directory given")
            recording = recording_files.write_recording(testimony, folder, media_dir)
        text = testimony_file(testimony, recording)
        (folder / f"{testimony.slug}.md").write_text(text, encoding="utf-8")
        for name, content in translation_file.translation_files(testimony).items():
            (folder / name).write_text(content, encoding="utf-8")
        revisions = session.scalars(
            select(Revision).where(Revision.testimony_id == testimony.id).order_by(Revision.id)
        )
        logged = session.scalars(
            select(ChangeLog).where(ChangeLog.testimony_id == testimony.id).order_by(ChangeLog.id)
        )
        states.append(testimony_state(testimony, list(revisions), list(logged)))
    recording_files.write_sums(directory, testimonies)
    (directory / "timeline.yaml").write_text(_yaml(timeline_data(session)), encoding="utf-8")
    names = name_spellings.names_text(session)
    if names is not None:  # as it was loaded, byte for byte
        (directory / name_spellings.FILE_NAME).write_bytes(names.encode("utf-8"))
    collection_file.write_collection_file(session, directory)
    state = {
        "format": STATE_FORMAT,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "includes_restricted": include_restricted,
        "testimonies": states,
    }
    (directory / STATE_FILE).write_text(
        json.dumps(state, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return testimonies


# --- reading an export back -----------------------------------------------------------------


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def read_state(directory: Path) -> list[dict[str, Any]]:
    """The testimonies' state in an export's `archive.json` ([] when there is none)."""
    path = directory / STATE_FILE
    if not path.exists():
        return []
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidFile(str(path), [(None, f"is not JSON ({error})")]) from None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise InvalidFile(str(path), [(None, f"is not an export of format {STATE_FORMAT}")])
    return sorted(state["testimonies"], key=lambda entry: entry["id"])


def _restore(
    session: Session, directory: Path, entry: dict[str, Any], store: Any
) -> tuple[Testimony, str | None]:
    path = directory / "testimonies" / f"{entry['slug']}.md"
    parsed = read_testimony_file(path)
    planned = recording_files.plan(parsed, store)
    # The testimony keeps its number: its URL is what readers cite.
    testimony = Testimony(
        id=entry["id"],
        slug=entry["slug"],
        narrator=upsert_narrator(session, parsed.meta["narrator"]),
        title=parsed.meta["title"],
    )
    session.add(testimony)
    session.flush()
    store_testimony(session, parsed)
    session.flush()
    translation_file.store_translations_beside(testimony, path)
    new_sha = None
    if planned is not None:
        new_sha = recording_files.bring_in(session, testimony, planned, store, parsed.name)
    recording_files.restore_times(testimony, entry.get("times") or [])
    testimony.context_links.clear()  # the rules' proposals give way to the exported links
    session.flush()
    testimony.context_links = [
        ContextLink(
            id=link["id"],
            position=int(link["anchor"].removeprefix("p-")),
            **{name: link[name] for name in LINK_FIELDS},
            created_at=_time(link["created_at"]),
            decided_at=_time(link["decided_at"]),
        )
        for link in entry["context_links"]
    ]
    session.flush()
    for revision in entry["revisions"]:
        session.add(
            Revision(
                id=revision["id"],
                testimony_id=testimony.id,
                author=revision["author"],
                created_at=_time(revision["created_at"]),
                summary=revision["summary"],
                snapshot=revision["snapshot"],
            )
        )
    testimony.source_file = entry["source_file"]
    testimony.created_at = _time(entry["created_at"])
    testimony.corrected_at = _time(entry["corrected_at"])
    testimony.withdrawn_at = _time(entry["withdrawn_at"])
    testimony.withdrawn_by = entry["withdrawn_by"]
    testimony.withdrawn_reason = entry["withdrawn_reason"]
    # The change log keeps when each change was made: harvesters' datestamps come from it.
    logged = entry.get("changes") or [
        {"kind": "imported", "summary": "Restored from an export", "changed_at": None}
    ]
    for change in logged:
        row = changes.log(
            session,
            change["kind"],
            testimony_id=testimony.id,
            revision_id=change.get("revision_id"),
            author=change.get("author"),
            summary=change.get("summary"),
        )
        row.changed_at = _time(change["changed_at"]) or row.changed_at
    return testimony, new_sha


def restore_archive(session: Session, directory: Path, store: Any = None) -> list[Testimony]:
    """Store the testimonies an export's `archive.json` describes, as they were, their
    recordings kept in `store` (a `recording_files.MediaStore`), in one unit of work.

    A testimony already in the database (same slug) is left as it is, so `init` may run
    twice. Raises `InvalidFile` naming the file at fault; then nothing is stored.
    """
    restored: list[Testimony] = []
    kept: list[str | None] = []
    try:
        with UnitOfWork(session, index=False):  # the caller brings the index up to date
            for entry in read_state(directory):
                if session.scalar(select(Testimony.id).where(Testimony.slug == entry["slug"])):
                    continue
                testimony, new_sha = _restore(session, directory, entry, store)
                restored.append(testimony)
                kept.append(new_sha)
                session.flush()
                _follow_sequences(session)
    except (KeyError, TypeError, ValueError) as error:
        _forget(session, store, kept)
        path = str(directory / STATE_FILE)
        raise InvalidFile(path, [(None, f"does not describe a testimony ({error!r})")]) from None
    except InvalidFile:
        _forget(session, store, kept)
        raise
    return restored


def _forget(session: Session, store: Any, kept: list[str | None]) -> None:
    # the unit of work was rolled back: the recordings' files it brought in go too
    for sha256 in kept:
        recording_files.forget_unused(session, store, sha256)


def _follow_sequences(session: Session) -> None:
    # Rows stored with their own numbers leave PostgreSQL's sequences behind; SQLite follows.
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (Testimony, ContextLink, Revision):
        name = table.__tablename__
        highest = session.scalar(select(func.max(table.id))) or 1
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
            {"table": name, "value": highest},
        )
