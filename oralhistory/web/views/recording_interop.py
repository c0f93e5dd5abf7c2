"""A testimony's recording for other archives' players and tools:
`GET /testimonies/<id>/manifest.json` (IIIF Presentation 3) and
`GET /testimonies/<id>/ohms.xml` (OHMS XML), each to whoever may read the testimony, as its
page answers: not found for a restricted one's outsiders, gone when withdrawn.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify

from ...formats import recording_exports
from ...messages import _
from ...record.models import Testimony
from ...services import testimony_pages
from ...services.records import NotFound
from .. import db
from ..auth import current_viewer
from . import urls
from .citing import permanent_url

bp = Blueprint("recording_interop", __name__)


def init_app(app: Flask) -> None:
    """The manifest's and the OHMS record's routes."""
    app.register_blueprint(bp)


def _with_recording(testimony_id: int) -> Testimony:
    testimony = testimony_pages.readable_testimony(db.session(), testimony_id, current_viewer())
    if testimony.recording is None:
        raise NotFound(_("testimony %(number)s has no recording", number=testimony_id))
    return testimony


def _urls(testimony_id: int) -> recording_exports.RecordingUrls:
    return recording_exports.RecordingUrls(
        page=urls.testimony(testimony_id, absolute=True),
        recording=urls.recording(testimony_id, absolute=True),
        captions=urls.transcript_vtt(testimony_id, absolute=True),
        manifest=urls.manifest(testimony_id, absolute=True),
        passage=lambda anchor: permanent_url(testimony_id, anchor),
    )


def _cached(response, testimony: Testimony):
    scope = "public" if testimony.is_public else "private"
    response.headers["Cache-Control"] = f"{scope}, no-cache"
    return response


@bp.get("/testimonies/<int:testimony_id>/manifest.json")
def manifest(testimony_id: int):
    """The IIIF Presentation 3 Manifest of the testimony's recording and its timed passages."""
    testimony = _with_recording(testimony_id)
    passages = recording_exports.timed_passages(db.session(), testimony)
    document = recording_exports.manifest(testimony, passages, _urls(testimony_id))
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    response.headers["Content-Type"] = (
        'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    )
    if testimony.is_public:  # IIIF viewers on other sites read it
        response.headers["Access-Control-Allow-Origin"] = "*"
    return _cached(response, testimony)


@bp.get("/testimonies/<int:testimony_id>/ohms.xml")
def ohms(testimony_id: int):
    """The testimony as an OHMS XML record indexed by its timed passages."""
    testimony = _with_recording(testimony_id)
    passages = recording_exports.timed_passages(db.session(), testimony)
    body = recording_exports.ohms_xml(testimony, passages, _urls(testimony_id))
    response = current_app.response_class(body, mimetype="application/xml")
    return _cached(response, testimony)
