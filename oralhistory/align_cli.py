"""The alignment commands: `flask align ID|SLUG` aligns a testimony's transcript to its
recording in the foreground and prints the result per passage; `flask align-worker` runs the
queued jobs (for a deployment that keeps the work out of the web processes:
`ORALHISTORY_ALIGN_WORKER=off` there)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .collection.timecodes import clock_text
from .record.models import Testimony
from .services import align_jobs, alignment
from .web import db
from .web.i18n import translated

CLI_AUTHOR = "flask align"


def init_app(app: Flask) -> None:
    """Add `align` and `align-worker` to the app's commands."""
    app.cli.add_command(align_command)
    app.cli.add_command(align_worker_command)


def _testimony(session, which: str) -> Testimony:
    found = None
    if which.isdigit() and int(which) < 2**31:
        found = session.get(Testimony, int(which))
    if found is None:
        found = session.scalar(select(Testimony).where(Testimony.slug == which))
    if found is None:
        raise click.ClickException(f"There is no testimony with the number or slug '{which}'.")
    return found


def _clock(seconds: float | None) -> str:
    return clock_text(round(seconds, 2)) if seconds is not None else "—"


@click.command("align")
@click.argument("which", metavar="ID|SLUG")
@with_appcontext
@click.option("--accept", is_flag=True, help="Make the aligned times the passages' own.")
def align_command(which: str, accept: bool) -> None:
    """Align a testimony's transcript to its recording now, and print where each passage
    starts. The result is kept as a proposal for the archivists (the edit page), unless
    --accept makes it the passages' times at once (a revision by "flask align")."""
    session = db.session()
    testimony = _testimony(session, which)
    if testimony.recording is None:
        raise click.ClickException(
            f"The testimony '{testimony.slug}' has no recording: there is nothing to align to."
        )
    problem = alignment.problem()
    if problem is not None:
        raise click.ClickException(str(problem))
    try:
        job = align_jobs.queue(session, testimony.id, CLI_AUTHOR)
    except align_jobs.AlignmentRefused as refused:
        raise click.ClickException(str(refused.message)) from None
    if not align_jobs.claim(session, job.id):
        raise click.ClickException(
            f"A worker is aligning this testimony already (job {job.id}): see the edit page."
        )
    factory = current_app.extensions["oralhistory.sessionmaker"]
    align_jobs.run(factory, Path(current_app.config["MEDIA_DIR"]), job.id)
    session.expire_all()
    job = session.get(align_jobs.AlignmentJob, job.id)
    if job.state != "done":
        raise click.ClickException(f"The alignment failed: {job.message}")
    view = align_jobs.job_view(session, job)
    click.echo(f"{testimony.slug}: aligned to its recording (job {job.id}).")
    for passage in view["passages"]:
        now = _clock(passage["start"])
        if passage["proposed_start"] is None:
            click.echo(f"{passage['anchor']:>6}  {'':>9}  (not aligned; now {now})")
            continue
        click.echo(
            f"{passage['anchor']:>6}  {_clock(passage['proposed_start']):>9}  "
            f"to {_clock(passage['proposed_end'])}  (now {now})"
        )
    if not accept:
        click.echo("Proposed only: accept it on the testimony's edit page, or with --accept.")
        return
    saved = align_jobs.accept(session, job.id, CLI_AUTHOR)
    click.echo("The times are stored, as aligned." if saved else "Nothing changed.")
    if saved and saved.index_warning:
        click.echo(saved.index_warning, err=True)


@click.command("align-worker")
@with_appcontext
@click.option("--until-idle", is_flag=True, help="Stop when no job is left.")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.5),
    default=5.0,
    show_default=True,
    help="Seconds between looks for a new job while none waits.",
)
def align_worker_command(until_idle: bool, poll: float) -> None:
    """Run the queued alignment jobs, one by one; jobs a restart cut off run again.

    A worker of its own process is not woken by the web server when a job is queued: it
    looks every `--poll` seconds (one small query), so that an archivist's job starts soon."""
    problem = alignment.problem()
    if problem is not None:
        raise click.ClickException(translated(problem))
    factory = current_app.extensions["oralhistory.sessionmaker"]
    ran = align_jobs.work(
        factory, Path(current_app.config["MEDIA_DIR"]), until_idle=until_idle, poll_seconds=poll
    )
    click.echo(f"Ran {ran} alignment job(s).")
