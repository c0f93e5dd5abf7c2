"""Automatic alignment over HTTP, for signed-in archivists only: queue an alignment of a
testimony's transcript to its recording, follow its progress (a page, and JSON for polling),
and accept its proposed times. The work itself runs in a worker thread of the process
(`ORALHISTORY_ALIGN_WORKER=thread`, the default outside tests) or in `flask align-worker`,
never inside a request.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import click
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext

from ...collection import timecodes
from ...services import align_jobs, alignment
from ...services.curation import get_testimony
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from .archive import require_archivist

logger = logging.getLogger(__name__)

archive_bp = Blueprint("archive_alignment", __name__, url_prefix="/archive")
archive_bp.before_request(require_archivist)

_WAKE = "oralhistory.align_wake"
_STOP = "oralhistory.align_stop"
_THREAD = "oralhistory.align_thread"


def init_app(app: Flask) -> None:
    """The archivists' routes, the edit page's panel, and the worker thread (unless
    `ALIGN_WORKER` is "off"; tests start it only when they ask)."""
    app.register_blueprint(archive_bp)
    app.add_template_global(alignment_panel)
    app.add_template_global(alignment_state_words)
    app.add_template_global(timing_words)
    app.add_template_filter(passage_clock, "passage_clock")
    app.extensions[_WAKE] = threading.Event()
    app.extensions[_STOP] = threading.Event()
    configured = app.config.get("ALIGN_WORKER")
    if configured == "thread" and _serving():
        start_worker(app)
    elif configured is None and not app.testing and _under_flask_run():
        start_worker(app)  # `make run`: a server of its own, like `wsgi.py`


def start_in_server(app: Flask) -> None:
    """Start this process's worker thread as a WSGI server does (`wsgi.py`), unless
    `ALIGN_WORKER` is "off" or it runs already; scripts that create the app start none."""
    if app.config.get("ALIGN_WORKER") != "off" and _THREAD not in app.extensions:
        start_worker(app)


def _under_flask_run() -> bool:
    command = click.get_current_context(silent=True)
    return command is not None and command.info_name == "run"


def _serving() -> bool:
    """Whether this process serves the web (a WSGI server, `flask run`, a test's app) rather
    than running another command: `flask align` and `flask import` need no worker of their
    own beside them, and `flask align` must not have its job taken by one."""
    command = click.get_current_context(silent=True)
    return command is None or command.info_name == "run"


def start_worker(app: Flask) -> threading.Thread | None:
    """Start this process's alignment worker thread (None when the aligner is missing: the
    jobs then wait in the queue until it is installed)."""
    if alignment.problem() is not None:
        logger.info("automatic alignment is not installed: no alignment worker")
        return None
    thread = threading.Thread(target=_worker, args=(app,), name="align-worker", daemon=True)
    thread.start()
    app.extensions[_THREAD] = thread
    return thread


def stop_worker(app: Flask) -> None:
    """Ask the worker thread to stop after the job it is running."""
    app.extensions[_STOP].set()
    app.extensions[_WAKE].set()


def _worker(app: Flask) -> None:
    stop, wake = app.extensions[_STOP], app.extensions[_WAKE]
    while not stop.is_set():
        try:
            with app.app_context():
                align_jobs.work(
                    app.extensions["oralhistory.sessionmaker"],
                    Path(app.config["MEDIA_DIR"]),
                    until_idle=False,
                    wake=wake,
                    stop=stop,
                )
        except Exception:  # the database away, a table not made yet: look again later
            logger.warning("the alignment worker will try again", exc_info=True)
            stop.wait(30)


def passage_clock(seconds: float | None) -> str:
    """A passage's start as the alignment page shows it: to the tenth of a second."""
    return timecodes.clock_text(round(seconds, 1)) if seconds is not None else ""


def timing_words(timing: str | None) -> str:
    """Where a passage's time came from, in the reader's language."""
    words = {
        "imported": gettext("from a file"),
        "aligned": gettext("aligned automatically"),
        "manual": gettext("set by hand"),
    }
    return words.get(timing or "", timing or "")


def alignment_state_words(state: str) -> str:
    """A job's state in the reader's language."""
    words = {
        "queued": gettext("waiting for its turn"),
        "running": gettext("running"),
        "done": gettext("finished"),
        "failed": gettext("failed"),
    }
    return words.get(state, state)


def state_sentence(view: dict, problem: object | None) -> str:
    """What the alignment page's live region says of a job: its state and message, and why
    a waiting job waits (no aligner installed, or no worker to take it)."""
    parts = [gettext("State: %(state)s.", state=alignment_state_words(view["state"]))]
    if view["message"]:
        parts.append(translated(view["message"]))
    if view["state"] in ("queued", "running") and problem is not None:
        parts.append(gettext("It will run once the aligner is installed on this server."))
    elif view["untaken"]:
        parts.append(
            gettext(
                "No worker has taken it yet: ask the server’s administrator to start one "
                "(ORALHISTORY_ALIGN_WORKER=thread in the web server, or flask align-worker "
                "beside it)."
            )
        )
    return " ".join(parts)


def alignment_panel(testimony_id: int) -> dict:
    """What the edit page shows of alignment: whether it is available (and if not, why
    and how to install it), and the testimony's latest job."""
    session = db.session()
    problem = alignment.problem()
    job = align_jobs.latest_job(session, testimony_id)
    return {
        "problem": translated(problem) if problem else None,
        "job": align_jobs.job_view(session, job) if job is not None else None,
    }


def _back(testimony_id: int):
    return redirect(url_for("archive.edit_testimony", testimony_id=testimony_id) + "#alignment")


@archive_bp.post("/testimonies/<int:testimony_id>/alignment")
def queue_alignment(testimony_id: int):
    """Queue an alignment of the testimony (the stale and untimed passages, else all)."""
    session = db.session()
    get_testimony(session, testimony_id)
    problem = alignment.problem()
    if problem is not None:
        flash(translated(problem), "error")
        return _back(testimony_id)
    try:
        job = align_jobs.queue(session, testimony_id, current_viewer().archivist or "")
    except align_jobs.AlignmentRefused as refused:
        session.rollback()  # (the refusal came before anything was written)
        flash(translated(refused.message), "error")
        return _back(testimony_id)
    current_app.extensions[_WAKE].set()
    flash(gettext("The alignment is queued; its progress is shown below."))
    return redirect(
        url_for("archive_alignment.alignment_page", testimony_id=testimony_id, job=job.id), 303
    )


def _job_or_404(testimony_id: int):
    session = db.session()
    testimony = get_testimony(session, testimony_id)
    job = align_jobs.latest_job(session, testimony.id)
    return testimony, job


@archive_bp.get("/testimonies/<int:testimony_id>/alignment")
def alignment_page(testimony_id: int):
    """The testimony's latest alignment: progress while it runs, then the proposed start of
    each passage beside its current one, and "Accept"."""
    testimony, job = _job_or_404(testimony_id)
    view = align_jobs.job_view(db.session(), job) if job is not None else None
    problem = alignment.problem()
    if view is not None:
        view["said"] = state_sentence(view, problem)
    return render_template("archive/alignment.html", testimony=testimony, job=view, problem=problem)


@archive_bp.get("/testimonies/<int:testimony_id>/alignment.json")
def alignment_json(testimony_id: int):
    """The latest alignment as JSON, for the page's polling: state, progress, message, the
    state sentence the page says (`said`) and the passages' current and proposed starts;
    `job` is null when none was asked for; `problem` (in the reader's language) says what
    the server lacks to align, when `available` is false."""
    _testimony, job = _job_or_404(testimony_id)
    view = align_jobs.job_view(db.session(), job) if job is not None else None
    problem = alignment.problem()
    if view is not None:
        view["said"] = state_sentence(view, problem)
        view["message"] = translated(view["message"]) if view["message"] else None
    return jsonify(
        job=view, available=problem is None, problem=translated(problem) if problem else None
    )


@archive_bp.post("/alignments/<int:job_id>/accept")
def accept_alignment(job_id: int):
    """Make a finished alignment's times the passages' own (a revision)."""
    session = db.session()
    job = session.get(align_jobs.AlignmentJob, job_id) if job_id < 2**31 else None
    if job is None:
        flash(gettext("There is no such alignment."), "error")
        return redirect(url_for("archive.index"), 303)
    testimony_id = job.testimony_id
    try:
        saved = align_jobs.accept(session, job_id, current_viewer().archivist or "")
    except align_jobs.AlignmentRefused as refused:
        session.rollback()  # (the refusal came before anything was written)
        flash(translated(refused.message), "error")
        return _back(testimony_id)
    if saved is None:
        flash(gettext("The passages have these times already; nothing changed."))
    else:
        flash(
            gettext(
                "The aligned times are the passages’ own now; the change is kept in the "
                "testimony’s history. Correct any of them in the form below."
            )
        )
        if saved.index_warning:
            flash(saved.index_warning, "error")
    return _back(testimony_id)
