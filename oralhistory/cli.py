"""The command line: `flask --app oralhistory init | import | reindex | check | create-archivist
| db | export | backup | restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .collection import collection_file
from .collection.exporter import export_archive, restore_archive
from .record import name_spellings
from .record.unit_of_work import UnitOfWork
from .services import indexing
from .services.importer import (
    InvalidFile,
    import_testimonies,
    read_timeline_file,
    store_timeline,
    testimony_paths,
)
from .services.linking import link_testimonies
from .web import db, index_follower, search_app


def init_app(app: Flask) -> None:
    """Register the archive's `flask` commands on `app`."""
    for command in (
        init_command,
        import_command,
        reindex_command,
        check_command,
        create_archivist_command,
        set_password_command,
        db_group,
        export_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)


def _load_timeline(session) -> None:
    path = Path(current_app.config["TRANSCRIPTS_DIR"]) / "timeline.yaml"
    if path.exists():
        with UnitOfWork(session, index=False) as work:
            store_timeline(session, read_timeline_file(path))
            if session.new or any(session.is_modified(row) for row in session.dirty):
                work.log("timeline", summary=f"Timeline loaded from {path.name}")


def _load_names(session) -> None:
    """Hold `names.yaml` of `TRANSCRIPTS_DIR` in the record, a change of kind `names` when it
    differs from what the record holds (the index is rebuilt with it, on every server)."""
    path = Path(current_app.config["TRANSCRIPTS_DIR"]) / name_spellings.FILE_NAME
    try:
        with UnitOfWork(session, index=False) as work:
            if name_spellings.store_names(session, path):
                work.log("names", summary=f"Spellings of names loaded from {path.name}")
    except name_spellings.NamesProblem as problem:
        raise click.ClickException(str(problem)) from None


def _media_store():
    from .collection.recording_files import MediaStore

    config = current_app.config
    return MediaStore(Path(config["MEDIA_DIR"]), int(config["MAX_RECORDING_BYTES"]))


def _follow(session) -> None:
    """The one ending of every command that writes: the index follows what it committed."""
    warning = index_follower.follow_commit(session)
    if warning:
        click.echo(warning, err=True)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the schema, import `transcripts/`, and bring the index up to date.
    Safe to run again."""
    db.upgrade_schema()
    session = db.session()
    had_index = search_app.archive_index().exists()
    transcripts = Path(current_app.config["TRANSCRIPTS_DIR"])
    _load_names(session)
    try:
        _load_timeline(session)
        collection_file.load_collection_file(session, transcripts / collection_file.FILE_NAME)
        # An export's own record of its testimonies comes first: they keep their numbers.
        restored = restore_archive(session, transcripts, _media_store())
    except InvalidFile as invalid:
        raise click.ClickException(invalid.report()) from None
    report = import_testimonies(
        session,
        testimony_paths(transcripts),
        keep_existing=True,
        max_bytes=current_app.config["MAX_TRANSCRIPT_BYTES"],
        store=_media_store(),
    )
    report.stored[:0] = restored
    report.skipped = [slug for slug in report.skipped if slug not in {t.slug for t in restored}]
    for invalid in report.invalid:
        click.echo(invalid.report(), err=True)
    for note in report.notes:
        click.echo(note)
    # Testimonies kept as they were still get what a changed timeline now proposes.
    with UnitOfWork(session, index=False) as work:
        for testimony_id in link_testimonies(session):
            work.log("links", testimony_id=testimony_id, summary="Links follow the timeline")
    _follow(session)
    if not had_index and search_app.archive_index().exists():
        count = len(search_app.archive_index().indexed_versions())
        click.echo(f"Built the search index: {count} passages.")
    click.echo(
        f"Imported {len(report.stored)} testimonies; {len(report.skipped)} already in the "
        f"archive were left as they are."
    )
    if report.invalid:
        raise click.ClickException(f"{len(report.invalid)} file(s) could not be imported.")


@click.command("import")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a testimony even when an archivist has changed it since it was imported.",
)
def import_command(paths: tuple[Path, ...], replace: bool) -> None:
    """Import testimony files. A file with the slug of a stored testimony replaces it, unless
    an archivist has changed that testimony since it was last imported (see --replace)."""
    db.upgrade_schema()
    session = db.session()
    # the collection's own description may come with its testimonies
    described = [path for path in paths if path.name == collection_file.FILE_NAME]
    try:  # every such file checked before anything is stored
        contents = [collection_file.read_collection_file(path) for path in described]
    except (InvalidFile, OSError) as error:
        report = error.report() if isinstance(error, InvalidFile) else str(error)
        raise click.ClickException(f"{report}\nNothing was imported.") from None
    for content in contents:
        changed = collection_file.store_collection(session, content)
        click.echo(f"The collection's description is {'loaded' if changed else 'unchanged'}.")
    paths = tuple(path for path in paths if path not in described)
    # the form's limit on a transcript holds for a file too
    report = import_testimonies(
        session,
        paths,
        replace=replace,
        max_bytes=current_app.config["MAX_TRANSCRIPT_BYTES"],
        store=_media_store(),
    )
    _follow(session)
    for testimony in report.stored:
        recorded = ", with its recording" if testimony.recording is not None else ""
        click.echo(f"Imported {testimony.slug} ({len(testimony.passages)} passages{recorded}).")
    for note in report.notes:
        click.echo(note)
    for slug in report.unchanged:
        click.echo(f"{slug} is in the archive as the file has it: nothing changed.")
    for message in [invalid.report() for invalid in report.invalid] + report.refused:
        click.echo(message, err=True)
    if report.invalid or report.refused:
        raise click.ClickException(
            f"{len(report.invalid) + len(report.refused)} file(s) not imported; nothing of "
            "them was stored."
        )


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    count = indexing.rebuild(db.session(), search_app.archive_index())
    click.echo(f"Rebuilt the search index: {count} passages.")


@click.command("check")
@with_appcontext
@click.option("--repair", is_flag=True, help="Bring the index in line with the record.")
def check_command(repair: bool) -> None:
    """Check every recording's file against its size and SHA-256, compare the record and the
    search index passage by passage, and report what is wrong."""
    from .record.fixity import check_recordings

    session = db.session()
    checked, damaged = check_recordings(session, _media_store().directory)
    for line in damaged:
        click.echo(line)
    if not damaged:
        click.echo(f"Every recording is as recorded: {checked} file(s) checked.")
    _report_incoming()
    _check_index(session, repair)
    if damaged:
        raise click.ClickException(
            f"{len(damaged)} recording(s) missing or altered: put the file back from a backup "
            "(`flask restore` or a copy from an export), or replace the recording"
        )


def _report_incoming() -> None:
    from .record import media
    from .web.views.media import REMOVED_AT_START

    for name, size in current_app.extensions.get(REMOVED_AT_START, []):
        click.echo(
            f"Removed a half-received upload left by an interrupted process: "
            f".incoming/{name} ({size} bytes)"
        )
    for path, size, idle in media.incoming_files(_media_store().directory):
        click.echo(
            f"An upload is being received, or was cut off {int(idle // 60)} min ago: "
            f".incoming/{path.name} ({size} bytes); it is removed after an hour"
        )


def _check_index(session, repair: bool) -> None:
    from .services.check import check_index, repair_index

    drift = check_index(session, search_app.archive_index())
    for line in drift.lines():
        click.echo(line)
    if drift.clean:
        click.echo(f"The index agrees with the record: {drift.passages} passages.")
        return
    if not repair:
        raise click.ClickException("the index does not agree with the record: run check --repair")
    repaired = repair_index(session, search_app.archive_index(), drift)
    click.echo(f"Repaired: {repaired}.")
    after = check_index(session, search_app.archive_index())
    if not after.clean:
        raise click.ClickException("the index still does not agree with the record")
    click.echo(f"The index agrees with the record: {after.passages} passages.")


@click.group("db")
def db_group() -> None:
    """The database's schema (Alembic migrations)."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade_command() -> None:
    """Upgrade the database to the current schema, keeping every row."""
    db.upgrade_schema()
    click.echo(f"The database is at revision {db.schema_revision()}.")


@db_group.command("current")
@with_appcontext
def db_current_command() -> None:
    """Print the database's schema revision."""
    click.echo(db.schema_revision() or "none: run `flask --app oralhistory db upgrade`")


@db_group.command("revision")
@with_appcontext
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision_command(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    with db.engine().begin() as connection:
        command.revision(db.alembic_config(connection), message=message, autogenerate=True)


@click.command("create-archivist")
@with_appcontext
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_archivist_command(username: str, password: str) -> None:
    """Create an archivist account (asks for the password when not given)."""
    from .errors import AccountError
    from .services.accounts import create_archivist

    try:
        create_archivist(db.session(), username, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created archivist '{username}'.")


@click.command("export")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--include-restricted",
    is_flag=True,
    help="Also write restricted and withdrawn testimonies (never for a public download).",
)
def export_command(directory: Path, include_restricted: bool) -> None:
    """Write the whole archive as files that `init` (TRANSCRIPTS_DIR=DIRECTORY) reads back."""
    try:
        written = export_archive(
            db.session(), directory, include_restricted, _media_store().directory
        )
    except (FileExistsError, OSError) as error:
        raise click.ClickException(f"Nothing was exported: {error}") from None
    left_out = (
        "" if include_restricted else " (public ones only: restricted and withdrawn left out)"
    )
    click.echo(f"Exported {len(written)} testimonies{left_out} to {directory}.")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(username: str, password: str) -> None:
    """Give an archivist a new password; every session of theirs ends."""
    from .errors import AccountError
    from .services.accounts import set_password

    db.upgrade_schema()  # sessions are kept in a table older archives lack
    try:
        set_password(db.session(), username, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for '{username}'; all of their sessions have ended.")


@click.command("backup")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--include-accounts",
    is_flag=True,
    help="Also keep the archivists' accounts (user names and password hashes).",
)
def backup_command(directory: Path, include_accounts: bool) -> None:
    """Write the whole record, restricted and withdrawn testimony included, as a BagIt bag
    with SHA-256 manifests that `restore` reads back."""
    from .collection.backup import BackupError, backup_archive

    try:
        report = backup_archive(
            db.session(),
            directory,
            schema_revision=db.schema_revision(),
            include_accounts=include_accounts,
            media_dir=_media_store().directory,
        )
    except (BackupError, OSError) as error:
        raise click.ClickException(f"Nothing was backed up: {error}") from None
    accounts = "with" if include_accounts else "without"
    click.echo(
        f"Backed up {report.rows.get('testimony', 0)} testimonies and "
        f"{sum(report.rows.values())} rows of {len(report.rows)} tables, {accounts} the "
        f"archivists' accounts, to {directory}."
    )


@click.command("restore")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def restore_command(directory: Path) -> None:
    """Check a backup made by `backup` against its manifests, then rebuild this empty archive
    from it, search index included."""
    from .collection.backup import BackupError, restore_archive

    db.upgrade_schema()
    session = db.session()
    try:
        report = restore_archive(
            session,
            directory,
            schema_revision=db.schema_revision(),
            media_dir=_media_store().directory,
        )
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    count = indexing.rebuild(session, search_app.archive_index())
    click.echo(
        f"Restored {report.rows.get('testimony', 0)} testimonies and "
        f"{sum(report.rows.values())} rows from {directory}; rebuilt the search index: "
        f"{count} passages."
    )
    if not report.accounts:
        click.echo("The backup holds no accounts: add one with `flask create-archivist`.")
