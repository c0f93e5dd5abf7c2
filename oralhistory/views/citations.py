"""Permanent addresses and citations: a passage by its anchor, a testimony at a revision,
"cite this" pages with their downloads, and the sitemap."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urljoin

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from .. import citable, citation, db, metadata
from ..auth import current_viewer
from ..records import NotFound

bp = Blueprint("citations", __name__)
api_bp = Blueprint("citations_api", __name__, url_prefix="/api")


METADATA = {
    "testimony": metadata.testimony_metadata,
    "narrator": metadata.narrator_metadata,
    "event": metadata.event_metadata,
}


@bp.app_template_global()
def page_metadata(kind: str, page: dict) -> dict:
    """Dublin Core pairs and JSON-LD for a testimony's, narrator's or event's page."""
    return METADATA[kind](page, lambda path: urljoin(request.host_url, path))


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _item(testimony_id: int, anchor: str | None) -> tuple[dict, dict]:
    """The CSL item citing the testimony or one of its passages now, and the page's facts."""
    session = db.session()
    testimony = citable.visible_testimony(session, testimony_id, current_viewer())
    passage = None
    if anchor is not None:
        passage = citable.find_passage(testimony, anchor)
        if passage is None:
            # a removed passage answers at its own address, which says where its words went
            citable.get_passage(session, testimony_id, anchor, current_viewer())
            raise NotFound(
                f"passage {anchor} was removed from testimony {testimony_id}: "
                "cite the revision that holds its words"
            )
        url = url_for(".passage", testimony_id=testimony_id, anchor=anchor, _external=True)
    else:
        url = url_for("pages.testimony", testimony_id=testimony_id, _external=True)
    revision = citable.current_revision(session, testimony)
    item = citation.csl_item(
        testimony,
        url=url,
        revision=revision,
        accessed=_today(),
        archive=current_app.config["ARCHIVE_NAME"],
        passage=passage,
    )
    page = {
        "testimony_id": testimony_id,
        "title": testimony.title,
        "narrator": testimony.narrator.name,
        "anchor": anchor,
        "url": url,
        "revision": revision,
        "revision_url": url_for(
            ".revision", testimony_id=testimony_id, number=revision, _anchor=anchor
        ),
    }
    return item, page


@bp.get("/testimonies/<int:testimony_id>/passages/<anchor>")
def passage(testimony_id: int, anchor: str):
    found = citable.get_passage(db.session(), testimony_id, anchor, current_viewer())
    return render_template("passage.html", found=found)


@api_bp.get("/testimonies/<int:testimony_id>/passages/<anchor>")
def passage_json(testimony_id: int, anchor: str):
    return jsonify(citable.get_passage(db.session(), testimony_id, anchor, current_viewer()))


@bp.get("/testimonies/<int:testimony_id>/revisions/<int:number>")
def revision(testimony_id: int, number: int):
    found = citable.get_revision(db.session(), testimony_id, number, current_viewer())
    return render_template("revision.html", revision=found)


@api_bp.get("/testimonies/<int:testimony_id>/revisions/<int:number>")
def revision_json(testimony_id: int, number: int):
    return jsonify(citable.get_revision(db.session(), testimony_id, number, current_viewer()))


@bp.get("/testimonies/<int:testimony_id>/cite")
@bp.get("/testimonies/<int:testimony_id>/passages/<anchor>/cite")
def cite(testimony_id: int, anchor: str | None = None):
    item, page = _item(testimony_id, anchor)
    return render_template("cite.html", page=page, styles=citation.all_styles(item))


@bp.get("/testimonies/<int:testimony_id>/citation.<kind>")
@bp.get("/testimonies/<int:testimony_id>/passages/<anchor>/citation.<kind>")
def download(testimony_id: int, kind: str, anchor: str | None = None):
    formats = {extension: name for name, (_type, extension) in citation.DOWNLOADS.items()}
    if kind not in formats:
        raise NotFound(f"there is no citation as .{kind[:10]}: ask for .json, .ris or .bib")
    item, _page = _item(testimony_id, anchor)
    name = formats[kind]
    if name == "csl-json":
        body = json.dumps(citation.csl_json(item), ensure_ascii=False, indent=2) + "\n"
    else:
        body = citation.ris(item) if name == "ris" else citation.bibtex(item)
    media_type = citation.DOWNLOADS[name][0]
    filename = f"{item['id']}.{kind}"
    return Response(
        body,
        content_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/sitemap.xml")
def sitemap():
    pages = metadata.sitemap_pages(db.session())
    xml = render_template("sitemap.xml", pages=pages)
    return Response(xml, content_type="application/xml; charset=utf-8")
