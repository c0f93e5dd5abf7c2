"""The JSON API: the same dicts the pages render, as JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ...services import narrator_pages, searching, testimony_pages, timeline_pages
from .. import db, search_app
from ..auth import current_viewer
from .citing import cite_now
from .common import page_number, search_request
from .media import with_availability

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    """`/api/search`: a page of hits, facets, suggestion, events and places as JSON."""
    return jsonify(
        searching.search_page(db.session(), search_app.archive_index(), search_request())
    )


@bp.get("/narrators")
def narrators():
    """`/api/narrators`: the narrators the viewer may see."""
    return jsonify(narrator_pages.list_narrators(db.session(), current_viewer()))


@bp.get("/narrators/<slug>")
def narrator(slug: str):
    """`/api/narrators/<slug>`: a narrator with biography, testimonies and events."""
    return jsonify(narrator_pages.get_narrator(db.session(), slug, current_viewer(), cite_now))


@bp.get("/testimonies/<int:testimony_id>")
def testimony(testimony_id: int):
    """`/api/testimonies/<id>`: a testimony with a page of its passages."""
    found = testimony_pages.get_testimony(
        db.session(), testimony_id, current_viewer(), cite_now, page_number() or 1
    )
    return jsonify(with_availability(found))


@bp.get("/events")
def events():
    """`/api/events`: the timeline's events, at `place` when given."""
    place = request.args.get("place") or None
    return jsonify(timeline_pages.list_events(db.session(), current_viewer(), place))


@bp.get("/events/<slug>")
def event(slug: str):
    """`/api/events/<slug>`: an event with a page of the passages linked to it."""
    return jsonify(timeline_pages.get_event(db.session(), slug, current_viewer(), page_number()))


@bp.get("/places/<slug>")
def place(slug: str):
    """`/api/places/<slug>`: a place with its spellings, events and a page of passages."""
    return jsonify(timeline_pages.get_place(db.session(), slug, current_viewer(), page_number()))
