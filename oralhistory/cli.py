"""The command line: `flask --app oralhistory init | import | reindex | create-archivist`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import db, search
from .importer import (
    InvalidFile,
    import_testimonies,
    read_timeline_file,
    store_timeline,
    testimony_paths,
)
from .linking import link_testimonies


def init_app(app: Flask) -> None:
    for command in (
        init_command,
        import_command,
        reindex_command,
        create_archivist_command,
        set_password_command,
    ):
        app.cli.add_command(command)


def _load_timeline(session) -> None:
    path = Path(current_app.config["TRANSCRIPTS_DIR"]) / "timeline.yaml"
    if path.exists():
        store_timeline(session, read_timeline_file(path))
        session.commit()


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the schema, import `transcripts/`, and build the index. Safe to run again."""
    db.create_schema()
    session = db.session()
    try:
        _load_timeline(session)
    except InvalidFile as invalid:
        raise click.ClickException(invalid.report()) from None
    paths = testimony_paths(Path(current_app.config["TRANSCRIPTS_DIR"]))
    report = import_testimonies(session, paths, keep_existing=True)
    for invalid in report.invalid:
        click.echo(invalid.report(), err=True)
    # Testimonies kept as they were still get what a changed timeline now proposes.
    relinked = link_testimonies(session)
    session.commit()
    if not search.archive_index().exists():
        count = search.rebuild_index(session)
        click.echo(f"Built the search index: {count} passages.")
    elif report.stored or relinked:
        search.index_testimonies(session, [t.id for t in report.stored] + relinked)
    click.echo(
        f"Imported {len(report.stored)} testimonies; {len(report.skipped)} already in the "
        f"archive were left as they are."
    )
    if report.invalid:
        raise click.ClickException(f"{len(report.invalid)} file(s) could not be imported.")


@click.command("import")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def import_command(paths: tuple[Path, ...]) -> None:
    """Import testimony files; a file already imported (same slug) is replaced by it."""
    db.create_schema()
    session = db.session()
    report = import_testimonies(session, paths)
    if report.stored:
        search.index_testimonies(session, [t.id for t in report.stored])
    for testimony in report.stored:
        click.echo(f"Imported {testimony.slug} ({len(testimony.passages)} passages).")
    for invalid in report.invalid:
        click.echo(invalid.report(), err=True)
    if report.invalid:
        raise click.ClickException(
            f"{len(report.invalid)} file(s) not imported; nothing of them was stored."
        )


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    count = search.rebuild_index(db.session())
    click.echo(f"Rebuilt the search index: {count} passages.")


@click.command("create-archivist")
@with_appcontext
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_archivist_command(username: str, password: str) -> None:
    """Create an archivist account (asks for the password when not given)."""
    from .auth import AccountError, create_archivist

    try:
        create_archivist(db.session(), username, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created archivist '{username}'.")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(username: str, password: str) -> None:
    """Give an archivist a new password; every session of theirs ends."""
    from .auth import AccountError, set_password

    db.create_schema()
    try:
        set_password(db.session(), username, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for '{username}'; all of their sessions have ended.")
