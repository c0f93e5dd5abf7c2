"""Downloads, OAI-PMH and the API's description: what other programs and archives read."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    stream_with_context,
)

from ...formats import downloads, oai
from ...formats.openapi import openapi_document
from ...search import QueryError
from ...services import searching, testimony_pages
from .. import db, search_app
from ..auth import csrf, current_viewer
from . import urls
from .citing import cite_now, cite_undated
from .common import search_request

bp = Blueprint("interop", __name__)


def _download(body, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if current_viewer().is_archivist:  # it may hold restricted testimony: keep it off caches
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/testimonies/<int:testimony_id>/export.txt")
def testimony_text(testimony_id: int):
    """The testimony as plain text, its citation first and every passage under its permanent
    address."""
    session = db.session()
    testimony = testimony_pages.testimony_head(session, testimony_id, current_viewer(), cite_now)
    # Sent as it is read: a long testimony is never held whole.
    passages = testimony_pages.text_passages(session, testimony_id)
    text = downloads.testimony_text(testimony, passages, urls.FULL)
    return _download(
        stream_with_context(text), "text/plain; charset=utf-8", f"{testimony['slug']}.txt"
    )


@bp.get("/testimonies/<int:testimony_id>/export.json")
def testimony_json(testimony_id: int):
    """The testimony with every passage, as a JSON file."""
    session = db.session()
    viewer = current_viewer()
    slug = testimony_pages.testimony_head(session, testimony_id, viewer, cite_now)["slug"]
    # every passage, sent a page at a time as it is made
    body = testimony_pages.whole_testimony_json(
        session, testimony_id, viewer, cite_now, current_app.json.dumps
    )
    return _download(stream_with_context(body), "application/json", f"{slug}.json")


@bp.get("/search.csv")
def search_csv():
    """A search's hits (up to 1,000) as CSV with each passage's permanent address and citation."""
    asked = search_request()
    if not any((asked.q.strip(), asked.narrator, asked.place, asked.event)):
        raise QueryError("say what to look for: 'q', or a 'narrator', 'place' or 'event'")
    session, index = db.session(), search_app.archive_index()

    def results(page: int, per_page: int) -> dict:
        return searching.search_page(session, index, replace(asked, page=page, per_page=per_page))

    total, rows = downloads.search_rows(session, results, urls.FULL, cite_now)
    # A byte-order mark, so that spreadsheets read the Arabic script as UTF-8.
    response = _download(
        "\ufeff" + downloads.rows_csv(rows), "text/csv; charset=utf-8", "search-results.csv"
    )
    response.headers["X-Total-Count"] = str(total)
    return response


def repository() -> oai.Repository:
    """The OAI-PMH repository as configured (`ORALHISTORY_OAI_*`)."""
    config = current_app.config
    return oai.Repository(
        name=config.get("OAI_REPOSITORY_NAME", "Testimony Archive"),
        base_url=urls.oai(absolute=True),
        admin_email=config.get("OAI_ADMIN_EMAIL", "archivist@example.org"),
        identifier=config.get("OAI_REPOSITORY_IDENTIFIER") or urls.public_host(),
        secret=config["SECRET_KEY"],
        page_size=int(config.get("OAI_PAGE_SIZE", 50)),
        addresses=urls.FULL,
        cite=cite_undated,
    )


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # harvesters POST their requests; they change nothing
def oai_pmh():
    """The OAI-PMH 2.0 endpoint, GET or POST."""
    values = request.form if request.method == "POST" else request.args
    args = {name: values.getlist(name) for name in values}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    body = oai.respond(db.session(), repository(), args, now)
    return Response(body, content_type="text/xml; charset=utf-8")


@bp.get("/api/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of the JSON answers."""
    return jsonify(openapi_document(urls.full("")))
