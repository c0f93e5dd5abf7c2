"""Backups that can be verified and restored: `flask backup DIR` and `flask restore DIR`.

A backup is a BagIt bag (RFC 8493, written and checked by the Library of Congress's `bagit`
package) with SHA-256 manifests. Its payload holds

- `data/tables/<table>.jsonl`: every row of every table of the record, one JSON object a
  line, tables in the order their foreign keys need (restricted and withdrawn testimony,
  revisions, the change log, context links with their decisions, the timeline). Values are
  plain JSON (times and dates as ISO 8601), so a bag made from SQLite restores into
  PostgreSQL and back. Archivists' accounts are left out unless asked for; their sessions
  and failed sign-ins never go in (a restored archive starts with everyone signed out).
- `data/collection/`: the archive as files, as `flask export --include-restricted` writes
  them, for a reader of the bag who has no copy of this software.

`restore` checks every file against the manifests before it reads one, refuses a bag that
does not match (naming the file), refuses an archive that holds anything already, then
inserts the rows in one transaction and rebuilds the search index from them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy import Date, DateTime, Table, func, select, text
from sqlalchemy.orm import Session

from ..errors import BackupError
from ..record.schema import Base
from ..record.unit_of_work import UnitOfWork
from .exporter import export_archive, written_whole
from .recording_files import restore_media

TABLES = "tables"
COLLECTION = "collection"
ACCOUNT_TABLES = ("archivist",)
# Never kept: a session would let a copy of the bag sign someone in; failed sign-ins pass.
EPHEMERAL_TABLES = ("archivist_session", "login_attempt")
# The one row a new archive is created with (`db.upgrade_schema`), which a restore replaces.
SEEDED_TABLES = ("change_log_head",)
SCHEMA_FIELD = "Oralhistory-Schema-Revision"
ACCOUNTS_FIELD = "Oralhistory-Accounts"
BATCH = 1000


@dataclass
class BackupReport:
    """What a backup holds or a restore put back: rows per table."""

    rows: dict[str, int] = field(default_factory=dict)
    accounts: bool = False
    recordings: int = 0  # recording files put back in the media directory


def _tables(include_accounts: bool) -> list[Table]:
    """The record's tables in the order their foreign keys need, as the bag holds them."""
    left_out = set(EPHEMERAL_TABLES) | (set() if include_accounts else set(ACCOUNT_TABLES))
    return [table for table in Base.metadata.sorted_tables if table.name not in left_out]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _write_table(session: Session, table: Table, path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        query = select(table).order_by(*table.primary_key.columns)
        for row in session.execute(query).mappings():
            record = {name: _plain(value) for name, value in row.items()}
            # keys stay in their order: a revision's snapshot is compared line by line
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def backup_archive(
    session: Session,
    directory: Path,
    *,
    schema_revision: str | None,
    include_accounts: bool = False,
    media_dir: Path | None = None,
) -> BackupReport:
    """Write the whole record into a new bag at `directory` (absent or empty).

    The bag is made beside `directory` and moved into place when whole: a backup that fails
    leaves nothing behind. Raises `BackupError` when `directory` holds files already.
    """
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} is not an empty directory")
    report = BackupReport(accounts=include_accounts)
    with written_whole(directory) as partial:
        (partial / TABLES).mkdir()
        for table in _tables(include_accounts):
            path = partial / TABLES / f"{table.name}.jsonl"
            report.rows[table.name] = _write_table(session, table, path)
        # the recordings go in the collection, and so in the bag's manifest
        export_archive(session, partial / COLLECTION, include_restricted=True, media_dir=media_dir)
        bagit.make_bag(
            str(partial),
            {
                "External-Description": "A backup of an oral-history archive: every table "
                "of its record as JSON Lines, and its collection as files.",
                SCHEMA_FIELD: schema_revision or "none",
                ACCOUNTS_FIELD: "included" if include_accounts else "excluded",
            },
            checksums=["sha256"],
        )
    return report


# --- restoring ------------------------------------------------------------------------------


def _problem(detail: Exception) -> str:
    path = getattr(detail, "path", None)
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{path} does not match its SHA-256 checksum (changed or damaged)"
    if isinstance(detail, bagit.FileMissing):
        return f"{path} is listed in the manifest but missing"
    if isinstance(detail, bagit.UnexpectedFile):
        return f"{path} is not listed in the manifest"
    return str(detail)


def _damaged_files(bag: bagit.Bag) -> list[str]:
    """Each file that differs from the manifests, for a bag whose quick check (the
    Payload-Oxum's count and size of files) failed before any file was named."""
    root = Path(bag.path)
    problems = []
    for name, hashes in sorted(bag.entries.items()):
        expected = hashes.get("sha256")
        path = root / name
        if not path.is_file():
            problems.append(f"{name} is listed in the manifest but missing")
        elif expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            problems.append(f"{name} does not match its SHA-256 checksum (changed or damaged)")
    listed = set(bag.entries)
    problems += [
        f"{name} is not listed in the manifest"
        for name in sorted(bag.payload_files())
        if name not in listed
    ]
    return problems


def verified_bag(directory: Path) -> bagit.Bag:
    """The bag at `directory`, every file checked against its manifests; raise
    `BackupError` naming each file that does not match."""
    if not (directory / "bagit.txt").is_file():
        raise BackupError(f"{directory} is not a backup: it holds no bagit.txt")
    try:
        bag = bagit.Bag(str(directory))
        bag.validate()
    except bagit.BagValidationError as invalid:
        problems = [_problem(detail) for detail in invalid.details]
        problems = problems or _damaged_files(bag) or [invalid.message]
        raise BackupError(
            f"The backup in {directory} is damaged; nothing was restored: " + "; ".join(problems)
        ) from None
    except (bagit.BagError, OSError, UnicodeDecodeError) as error:
        raise BackupError(f"{directory} is not a readable backup: {error}") from None
    return bag


def archive_is_empty(session: Session) -> bool:
    """Whether the archive holds nothing a restore would overwrite."""
    for table in Base.metadata.sorted_tables:
        if table.name in SEEDED_TABLES + EPHEMERAL_TABLES:
            continue
        if session.scalar(select(func.count()).select_from(table)):
            return False
    return True


def _value(table: Table, name: str, value: Any) -> Any:
    if value is None or name not in table.c:
        return value
    kind = table.c[name].type
    if isinstance(kind, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    return value


def _rows(table: Table, path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
                unknown = set(record) - set(table.c.keys())
                if unknown:
                    raise ValueError(f"no column {', '.join(sorted(unknown))}")
                rows.append({k: _value(table, k, v) for k, v in record.items()})
            except (ValueError, TypeError) as error:
                raise BackupError(f"{path}, line {number}: {error}") from None
    return rows


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    # A row may name a parent of its own table stored after it (a place within a place):
    # such columns are filled in once every row is there.
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    first = [{**row, **dict.fromkeys(own)} for row in rows] if own else rows
    for start in range(0, len(first), BATCH):
        session.execute(table.insert(), first[start : start + BATCH])
    key = table.primary_key.columns.keys()[0]
    for row in rows if own else []:
        if any(row.get(name) is not None for name in own):
            values = {name: row.get(name) for name in own}
            session.execute(table.update().where(table.c[key] == row[key]).values(values))


def _follow_sequences(session: Session, tables: list[Table]) -> None:
    """Bring PostgreSQL's id sequences past the restored rows; SQLite follows by itself."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or table.c["id"].autoincrement is False:
            continue
        highest = session.scalar(select(func.max(table.c["id"]))) or 0
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
            {"table": table.name, "next": highest + 1},
        )


def restore_archive(
    session: Session, directory: Path, *, schema_revision: str | None, media_dir: Path | None = None
) -> BackupReport:
    """Put back the record a bag holds into this empty archive, in one transaction, and its
    recordings into `media_dir` (from the bag's collection, checked by its manifest).

    Raises `BackupError` (nothing restored) for a damaged bag, naming the file; for a bag of
    another schema revision; or when the archive holds anything already.
    """
    bag = verified_bag(directory)
    made_at = bag.info.get(SCHEMA_FIELD)
    if made_at != (schema_revision or "none"):
        raise BackupError(
            f"The backup in {directory} was made at schema revision {made_at}, this archive "
            f"is at {schema_revision}: restore it with the version of the archive that made "
            "it, then upgrade (`flask db upgrade`)."
        )
    if not archive_is_empty(session):
        raise BackupError(
            "This archive is not empty: a backup is restored only into a new archive "
            "(point ORALHISTORY_DATABASE_URL at an empty database)."
        )
    report = BackupReport(accounts=bag.info.get(ACCOUNTS_FIELD) == "included")
    folder = directory / "data" / TABLES
    restored: list[Table] = []
    # the backup's own change log comes back with it: no change is logged; the caller rebuilds
    # the index
    with UnitOfWork(session, index=False):
        for table in Base.metadata.sorted_tables:
            path = folder / f"{table.name}.jsonl"
            if not path.exists():
                continue
            rows = _rows(table, path)
            if table.name in SEEDED_TABLES:
                session.execute(table.delete())
            _insert(session, table, rows)
            restored.append(table)
            report.rows[table.name] = len(rows)
        _follow_sequences(session, restored)
        if media_dir is not None:
            try:
                report.recordings = restore_media(directory / "data" / COLLECTION, media_dir)
            except OSError as error:
                raise BackupError(f"The recordings could not be put back: {error}") from None
    return report
