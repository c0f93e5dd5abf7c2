"""The reading side of the archive as HTML pages."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from ...collection import collection_file
from ...errors import BadParameter
from ...search import QueryError
from ...services import (
    collection_summary,
    narrator_pages,
    records,
    searching,
    testimony_pages,
    timeline_pages,
)
from ...services.paging import paging
from ...services.records import page_of
from .. import db, search_app
from ..auth import current_viewer
from ..i18n import current_language
from . import text_languages
from .citing import cite_now
from .common import listening_from, page_number, search_request
from .media import with_availability

# Narrators the home page names; the rest are on /narrators.
HOME_NARRATORS = 24
NARRATORS_PER_PAGE = 100

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """The home page: what the collection is (from its record), a search box, the first
    narrators and the timeline's span."""
    session = db.session()
    return render_template(
        "reading/home.html",
        narrators=narrator_pages.list_narrators(session, current_viewer(), limit=HOME_NARRATORS),
        narrator_count=narrator_pages.count_narrators(session, current_viewer()),
        timeline=timeline_pages.timeline_span(session),
        publishers=collection_summary.publishers(session),
        interviewers=collection_summary.interviewers(session),
        example_place=collection_summary.example_place(session),
        collection=collection_file.collection_for(session, current_language()),
    )


@bp.get("/search")
def search():
    """The search page: its help alone, or a page of results, or what to change in the query."""
    asked = {key: request.args.get(key, "") for key in ("q", "narrator", "place", "event")}
    if not any(value.strip() for value in asked.values()):
        return render_template("reading/search.html", asked=asked, result=None, error=None)
    try:
        result = searching.search_page(db.session(), search_app.archive_index(), search_request())
    except (QueryError, BadParameter) as error:
        return render_template(
            "reading/search.html", asked=asked, result=None, error=str(error)
        ), 400
    return render_template("reading/search.html", asked=asked, result=result, error=None)


@bp.get("/narrators")
def narrators():
    """The narrators, a page at a time."""
    session, viewer = db.session(), current_viewer()
    pages = paging(
        page_number(),
        NARRATORS_PER_PAGE,
        narrator_pages.count_narrators(session, viewer),
        "/narrators",
    )
    return render_template(
        "reading/narrators.html",
        narrators=narrator_pages.list_narrators(session, viewer, pages.offset, pages.per_page),
        narrators_page=pages.as_dict(),
    )


@bp.get("/narrators/<slug>")
def narrator(slug: str):
    """A narrator's profile: biography, testimonies and the events they speak of."""
    return render_template(
        "reading/narrator.html",
        narrator=narrator_pages.get_narrator(db.session(), slug, current_viewer(), cite_now),
    )


@bp.get("/testimonies/<int:testimony_id>")
def testimony(testimony_id: int):
    """A testimony's page: a page of its passages in the chosen text, with its citation."""
    session, viewer = db.session(), current_viewer()
    moment = listening_from()
    heard = testimony_pages.heard_at(session, testimony_id, moment) if moment is not None else None
    page = page_number() or (page_of(heard[0]) if heard else 1)
    found = with_availability(
        testimony_pages.get_testimony(session, testimony_id, viewer, cite_now, page)
    )
    codes = [language["code"] for language in found["languages"]]
    text_choice = text_languages.chosen_text(codes) if len(codes) > 1 else None
    q = request.args.get("q", "").strip()
    error, matches = None, None
    if q:
        shown = text_languages.shown_texts(codes, text_choice)
        try:
            matches = testimony_pages.mark_testimony(
                session, search_app.archive_index(), found, q, shown
            )
        except QueryError as problem:
            error = str(problem)
    elsewhere = (
        testimony_pages.passages_elsewhere(session, testimony_id, found["page"])
        if found["pages"] > 1
        else []
    )
    page = render_template(
        "reading/testimony.html",
        testimony=found,
        text_choice=text_choice,
        elsewhere=elsewhere,
        link_choices=records.link_choices(session) if viewer.is_archivist else None,
        q=q,
        matches=matches,
        error=error,
        moment=moment,
        heard=heard[1] if heard else None,
    )
    response = make_response(page, 400 if error else 200)
    return text_languages.remember_choice(response) if text_choice else response


@bp.get("/timeline")
def timeline():
    """The timeline, or the events at one place and within it."""
    place = request.args.get("place") or None
    return render_template(
        "reading/timeline.html",
        timeline=timeline_pages.list_events(db.session(), current_viewer(), place),
    )


@bp.get("/events/<slug>")
def event(slug: str):
    """An event, with a page of the passages linked to it."""
    return render_template(
        "reading/event.html",
        event=timeline_pages.get_event(db.session(), slug, current_viewer(), page_number()),
    )


@bp.get("/places/<slug>")
def place(slug: str):
    """A place, with its events and a page of the passages linked to it."""
    return render_template(
        "reading/place.html",
        place=timeline_pages.get_place(db.session(), slug, current_viewer(), page_number()),
    )
