"""Listening while reading: an archivist's "this passage starts here" (a POST with the
player's time, under /archive/), and the player of the permanent passage page, which starts
at the passage's start or at `?t=`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, request
from flask_babel import gettext

from ...collection import timecodes
from ...record import media
from ...record.models import Testimony
from ...services import listening_times
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from . import urls
from .archive import require_archivist
from .common import listening_from
from .media import media_dir

archive_bp = Blueprint("archive_listening", __name__, url_prefix="/archive")
archive_bp.before_request(require_archivist)


def init_app(app: Flask) -> None:
    """The "starts here" route."""
    app.register_blueprint(archive_bp)


@archive_bp.post("/testimonies/<int:testimony_id>/passages/<anchor>/start")
def start_here(testimony_id: int, anchor: str):
    """Store the time the archivist is listening at as the passage's start."""
    back = urls.testimony(testimony_id, anchor)
    page = request.form.get("page", "")
    if page.isdigit() and int(page) > 1:
        back = urls.testimony(testimony_id, anchor, page=page)
    try:
        seconds = listening_times.read_seconds(request.form.get("start"))
        saved = listening_times.start_here(
            db.session(), testimony_id, anchor, seconds, current_viewer().archivist or ""
        )
    except timecodes.TimesRefused as refused:
        db.session().rollback()
        flash(gettext("The time was not stored: %(why)s", why=translated(refused.message)), "error")
        return redirect(back, 303)
    if saved is None:
        flash(gettext("The passage already starts there."))
    else:
        flash(
            gettext(
                "Passage %(anchor)s now starts at %(time)s; the change is kept in the "
                "testimony’s history.",
                anchor=anchor,
                time=timecodes.clock_text(seconds),
            )
        )
        if saved.index_warning:
            flash(saved.index_warning, "error")
    return redirect(back, 303)


def passage_player(testimony_id: int, found: dict[str, Any]) -> dict[str, Any] | None:
    """The player of a permanent passage page (the viewer may read the testimony: `found`
    comes from `citable.get_passage`): the recording's address and type and the moment to
    start at (`?t=`, else the passage's start); None when there is nothing to play."""
    if found.get("status") != "current":
        return None
    testimony = db.session().get(Testimony, testimony_id)
    recording = testimony.recording if testimony is not None else None
    if recording is None or not media.available(media_dir(), recording.sha256, recording.size):
        return None
    passage = next((p for p in testimony.passages if p.anchor == found["anchor"]), None)
    moment = listening_from()
    if moment is None:
        moment = passage.start if passage is not None else None
    if moment is None:
        return None
    return {
        "url": urls.recording(testimony_id),
        "media_type": recording.media_type,
        "tag": "video" if recording.media_type.startswith("video/") else "audio",
        "moment": moment,
    }
