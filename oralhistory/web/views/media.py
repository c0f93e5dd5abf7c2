"""Recordings over HTTP: `GET/HEAD /testimonies/<id>/recording` serves a testimony's recording
to whoever may read the testimony (Range, ETag, conditional requests), and the archivists'
form under /archive/ adds, replaces or removes it.

A recording upload is the one request larger than `MAX_CONTENT_LENGTH`: `ArchiveRequest`
gives the upload route, for signed-in archivists only, the limit `MAX_RECORDING_BYTES`, and
streams its file into the media directory while hashing it (`media.Incoming`) instead of
into memory or the system's temporary folder. Whatever of it is not kept by the end of the
request is removed (`_discard_incoming`).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from flask import (
    Blueprint,
    Flask,
    Request,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext

from ...messages import _
from ...record import media
from ...record.models import MAX_ROW_ID, Testimony
from ...services import curation, recordings, records
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from . import urls
from .answers import discard_request_body, error_response
from .archive import require_archivist

bp = Blueprint("media", __name__)
archive_bp = Blueprint("archive_media", __name__, url_prefix="/archive")
archive_bp.before_request(require_archivist)

UPLOAD_ENDPOINT = "archive_media.upload_recording"
# room for the form's other fields and the multipart boundaries around the file
FORM_ALLOWANCE = 64 * 1024
_INCOMING = "oralhistory.incoming"
EXTENSIONS = media.EXTENSIONS


UNAVAILABLE = _("The recording cannot be played right now.")


def with_availability(found: dict) -> dict:
    """A testimony's dict (`testimony_pages.get_testimony`) with its recording marked
    `available` or not (`media.available`: the file is there, whole as far as is known)."""
    recording = found.get("recording")
    if recording is not None:
        recording["available"] = media.available(
            media_dir(), recording["sha256"], recording["size"]
        )
    return found


def media_dir() -> Path:
    """The directory recordings are kept in (`MEDIA_DIR`)."""
    return Path(current_app.config["MEDIA_DIR"])


def _recording_limit() -> int:
    return int(current_app.config["MAX_RECORDING_BYTES"])


class ArchiveRequest(Request):
    """Flask's request, with a recording upload's own size limit and file stream."""

    def _takes_recording(self) -> bool:
        rule = self.url_rule
        return rule is not None and rule.endpoint == UPLOAD_ENDPOINT and _is_archivist()

    @property
    def max_content_length(self) -> int | None:
        """The largest request taken: the recording's limit for its upload, else Flask's."""
        if self._max_content_length is None and self._takes_recording():
            return _recording_limit() + FORM_ALLOWANCE
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        if not self._takes_recording():
            return super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        incoming = media.Incoming(media_dir(), _recording_limit())
        self.environ.setdefault(_INCOMING, []).append(incoming)
        return incoming  # type: ignore[return-value]


def _is_archivist() -> bool:
    try:
        return current_viewer().is_archivist
    except Exception:  # a request without a usable session uploads nothing large
        return False


def _discard_incoming(_error: BaseException | None) -> None:
    # An upload refused, cut off, or failed anywhere leaves no file behind.
    for incoming in request.environ.pop(_INCOMING, []):
        incoming.discard()


def _too_large(_error=None):
    discard_request_body()
    return error_response(
        413,
        _(
            "The recording is too large: the archive takes recordings of at most %(size)s GB. "
            "Nothing was stored.",
            size=format(_recording_limit() / 1024**3, ".3g"),
        ),
    )


def clock(seconds: float | None) -> str:
    """A duration as a clock reads it: 2:05, or 1:02:05 past an hour; empty when unknown."""
    if seconds is None:
        return ""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


REMOVED_AT_START = "oralhistory.incoming_removed"


def _remove_stale_incoming(app: Flask) -> None:
    # uploads a killed process left half-received; `flask check` reports them
    try:
        removed = media.remove_stale_incoming(Path(app.config["MEDIA_DIR"]))
    except OSError:
        app.logger.warning("the media directory's .incoming/ could not be cleared", exc_info=True)
        removed = []
    for name, size in removed:
        app.logger.warning("removed a half-received upload: %s (%s bytes)", name, size)
    app.extensions[REMOVED_AT_START] = removed


def init_app(app: Flask) -> None:
    """The request class that streams recordings, the clean-up after each request, the
    routes, and the `clock` filter."""
    _remove_stale_incoming(app)
    app.request_class = ArchiveRequest
    app.teardown_request(_discard_incoming)
    app.register_blueprint(bp)
    app.register_blueprint(archive_bp)
    app.add_template_filter(clock, "clock")


# --- serving ---------------------------------------------------------------------------------


@bp.get("/testimonies/<int:testimony_id>/recording")
def recording(testimony_id: int):
    """The recording, to whoever may read the testimony: a restricted testimony's is not found
    by anyone else, a withdrawn one's is gone (410), as the testimony's page answers."""
    session = db.session()
    found = session.get(Testimony, testimony_id) if 0 < testimony_id <= MAX_ROW_ID else None
    testimony = records.readable(current_viewer(), found, testimony_id)
    kept = testimony.recording
    if kept is None:
        raise records.NotFound(f"testimony {testimony_id} has no recording")
    path = media.path_of(media_dir(), kept.sha256)
    if not media.available(media_dir(), kept.sha256, kept.size):
        current_app.logger.error(
            "the recording of testimony %s is missing or altered: %s", testimony_id, path
        )
        return error_response(503, UNAVAILABLE)
    download = request.args.get("download") is not None
    download_name = f"{testimony.slug}-recording{EXTENSIONS.get(kept.media_type, '')}"
    if current_app.config.get("MEDIA_ACCEL"):
        response = _accelerated(kept, download, download_name)
    else:
        response = send_file(
            path,
            mimetype=kept.media_type,
            as_attachment=download,
            download_name=download_name,
            conditional=True,
            etag=kept.sha256,
            last_modified=kept.created_at,
        )
    # Caches may keep it, but ask each time: a withdrawal or a restriction takes effect at once.
    scope = "public" if testimony.is_public else "private"
    response.headers["Cache-Control"] = f"{scope}, no-cache"
    return response


def _accelerated(kept, download: bool, download_name: str):
    """The answer that lets nginx send the recording: no body, and `X-Accel-Redirect` to the
    file's place under the internal location `MEDIA_ACCEL` (deploy/nginx.conf), which nginx
    serves with Range and conditional requests. The access check has been made."""
    prefix = "/" + current_app.config["MEDIA_ACCEL"].strip("/") + "/"
    response = current_app.response_class(b"", mimetype=kept.media_type)
    response.headers["X-Accel-Redirect"] = f"{prefix}{kept.sha256[:2]}/{kept.sha256}"
    response.headers["Accept-Ranges"] = "bytes"
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


# --- the archivists' form --------------------------------------------------------------------


def _back_to_form(testimony_id: int):
    return redirect(
        url_for("archive.edit_testimony", testimony_id=testimony_id, _anchor="recording"), 303
    )


@archive_bp.post("/testimonies/<int:testimony_id>/recording")
def upload_recording(testimony_id: int):
    """Attach, or replace, a testimony's recording from the archivist's upload."""
    file = request.files.get("recording")
    if file is None or not file.filename or not isinstance(file.stream, media.Incoming):
        flash(gettext("Choose the recording’s file first; nothing was stored."), "error")
        return _back_to_form(testimony_id)
    had_one = curation.get_testimony(db.session(), testimony_id).recording is not None
    try:
        saved = recordings.attach(
            db.session(),
            testimony_id,
            file.stream,
            file.filename,
            current_viewer().archivist or "",
            media_dir(),
        )
    except recordings.RecordingRefused as refused:
        flash(translated(refused.message), "error")
        return _back_to_form(testimony_id)
    flash(
        gettext("The recording is replaced; the change is kept in the testimony’s history.")
        if had_one
        else gettext("The recording is added; the change is kept in the testimony’s history.")
    )
    if saved.index_warning:
        flash(saved.index_warning, "error")
    return redirect(urls.testimony(testimony_id), 303)


@archive_bp.post("/testimonies/<int:testimony_id>/recording/remove")
def remove_recording(testimony_id: int):
    """Remove a testimony's recording, as a revision kept in its history."""
    try:
        recordings.remove(db.session(), testimony_id, current_viewer().archivist or "", media_dir())
    except recordings.RecordingRefused as refused:
        flash(translated(refused.message), "error")
        return _back_to_form(testimony_id)
    flash(gettext("The recording is removed; the change is kept in the testimony’s history."))
    return _back_to_form(testimony_id)


@archive_bp.errorhandler(413)
@archive_bp.errorhandler(media.TooLarge)
def upload_too_large(error):
    """An upload over its limit: refused as any archivists' page refuses a stranger, else a 413
    naming the limit."""
    if not _is_archivist():  # refused at the general limit, before the sign-in check
        return require_archivist()
    return _too_large(error)
