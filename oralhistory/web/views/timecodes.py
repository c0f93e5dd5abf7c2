"""Passage times over HTTP: `GET /testimonies/<id>/transcript.vtt` gives the timed passages
as WebVTT (captions for a video, a transcript for players and other archives) to whoever may
read the testimony, and the archivists' form takes a WebVTT file to set the times.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from ...collection import timecodes
from ...record.models import MAX_ROW_ID, Testimony
from ...services import listening_times, recordings, records
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from . import urls
from .archive import require_archivist

bp = Blueprint("timecodes", __name__)
archive_bp = Blueprint("archive_timecodes", __name__, url_prefix="/archive")
archive_bp.before_request(require_archivist)


def init_app(app: Flask) -> None:
    """The transcript's route, the form's route and the `url_seconds` filter."""
    app.register_blueprint(bp)
    app.register_blueprint(archive_bp)
    app.add_template_filter(timecodes.url_seconds, "url_seconds")


@bp.get("/testimonies/<int:testimony_id>/transcript.vtt")
def transcript_vtt(testimony_id: int):
    """The timed passages as WebVTT, one cue per passage named by its anchor; as the
    testimony's page answers: not found for a restricted one's outsiders, gone when
    withdrawn."""
    session = db.session()
    found = session.get(Testimony, testimony_id) if 0 < testimony_id <= MAX_ROW_ID else None
    testimony = records.readable(current_viewer(), found, testimony_id)
    body = listening_times.transcript_webvtt(session, testimony)
    response = current_app.response_class(body, mimetype="text/vtt")
    scope = "public" if testimony.is_public else "private"
    response.headers["Cache-Control"] = f"{scope}, no-cache"
    return response


@archive_bp.post("/testimonies/<int:testimony_id>/timecodes")
def upload_timecodes(testimony_id: int):
    """Give a testimony's passages their times from a WebVTT or OHMS XML file."""
    back = url_for("archive.edit_testimony", testimony_id=testimony_id, _anchor="timecodes")
    file = request.files.get("timecodes")
    if file is None or not file.filename:
        flash(gettext("Choose the WebVTT file first; nothing was stored."), "error")
        return redirect(back, 303)
    try:
        saved = recordings.import_times(
            db.session(),
            testimony_id,
            file.read(timecodes.MAX_VTT_BYTES + 1),
            file.filename,
            current_viewer().archivist or "",
        )
    except timecodes.TimesRefused as refused:
        flash(
            gettext("The times were not stored: %(why)s", why=translated(refused.message)),
            "error",
        )
        return redirect(back, 303)
    if saved is None:
        flash(gettext("The file gives the passages the times they have already."))
        return redirect(back, 303)
    flash(gettext("The passages’ times are set; the change is kept in the testimony’s history."))
    if saved.index_warning:
        flash(saved.index_warning, "error")
    return redirect(urls.testimony(testimony_id), 303)
