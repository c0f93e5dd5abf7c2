"""Permanent addresses and citations: a passage by its anchor, a testimony at a revision,
"cite this" pages with their downloads, and the sitemap."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
)

from ...formats import citation, metadata
from ...messages import _
from ...services import citable
from ...services.records import NotFound
from .. import db
from ..auth import current_viewer
from . import listening, urls
from .citing import cited_url, today
from .common import WHOLE_NUMBER

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
    return METADATA[kind](page, urls.FULL)


def _asked_revision() -> int | None:
    raw = request.args.get("revision", "").strip()
    if not raw:
        return None
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        abort(
            400,
            description=_(
                "'revision' must be a revision number such as 1, not '%(value)s'.", value=raw[:20]
            ),
        )
    return int(raw)


def _item(testimony_id: int, anchor: str | None) -> tuple[dict, dict]:
    """The CSL item citing the testimony, or one of its passages, at the revision asked for
    (by default the current one), and the facts the citation page shows."""
    session, viewer = db.session(), current_viewer()
    number = _asked_revision()
    if number is None and anchor is not None:
        found = citable.get_passage(session, testimony_id, anchor, viewer)
        if found["status"] == "removed":
            # a removed passage is cited as it last stood, in a revision that holds it
            if not (found["last_held"] and found["last_held_readable"]):
                raise NotFound(
                    _(
                        "passage %(anchor)s was removed and no revision you may read holds it",
                        anchor=anchor,
                    )
                )
            number = found["last_held"]
    if number is None:
        testimony = citable.visible_testimony(session, testimony_id, viewer)
        number = citable.current_revision(session, testimony)
    work = citable.get_revision(session, testimony_id, number, viewer)
    if anchor is not None and not any(p["anchor"] == anchor for p in work["passages"]):
        raise NotFound(
            _(
                "revision %(number)s of testimony %(testimony)s has no %(anchor)s",
                number=work["number"],
                testimony=testimony_id,
                anchor=anchor,
            )
        )
    # the text cited: the main one, or another language it is held in (`?text=ar`)
    if request.args.get("text") in [held["code"] for held in work["languages"]]:
        work["cited_language"] = request.args["text"]
    revision_url = urls.revision(testimony_id, work["number"], anchor)
    url = cited_url(work, anchor)
    item = citation.csl_item(
        work,
        url=url,
        accessed=today(),
        archive=current_app.config["ARCHIVE_NAME"],
        anchor=anchor,
    )
    page = {
        "testimony_id": testimony_id,
        "title": work["title"],
        "language": work.get("language"),
        "anchor": anchor,
        "url": url,
        "revision": work["number"],
        "is_current": work["is_current"],
        "revision_url": revision_url,
    }
    return item, page


@bp.get("/testimonies/<int:testimony_id>/passages/<anchor>")
def passage(testimony_id: int, anchor: str):
    """A passage's permanent page: its words now, or where it was removed."""
    found = citable.get_passage(db.session(), testimony_id, anchor, current_viewer())
    player = listening.passage_player(testimony_id, found)
    return render_template("reading/passage.html", found=found, player=player)


@api_bp.get("/testimonies/<int:testimony_id>/passages/<anchor>")
def passage_json(testimony_id: int, anchor: str):
    """A passage by its permanent anchor, as JSON."""
    return jsonify(citable.get_passage(db.session(), testimony_id, anchor, current_viewer()))


@bp.get("/testimonies/<int:testimony_id>/revisions/<int:number>")
def revision(testimony_id: int, number: int):
    """A testimony as it stood at revision `number`."""
    found = citable.get_revision(db.session(), testimony_id, number, current_viewer())
    return render_template("archive/revision.html", revision=found)


@api_bp.get("/testimonies/<int:testimony_id>/revisions/<int:number>")
def revision_json(testimony_id: int, number: int):
    """A testimony as it stood at revision `number`, as JSON."""
    return jsonify(citable.get_revision(db.session(), testimony_id, number, current_viewer()))


@bp.get("/testimonies/<int:testimony_id>/cite")
@bp.get("/testimonies/<int:testimony_id>/passages/<anchor>/cite")
def cite(testimony_id: int, anchor: str | None = None):
    """How to cite a testimony or one of its passages, in each style."""
    item, page = _item(testimony_id, anchor)
    return render_template("citations/cite.html", page=page, styles=citation.all_styles(item))


@bp.get("/testimonies/<int:testimony_id>/citation.<kind>")
@bp.get("/testimonies/<int:testimony_id>/passages/<anchor>/citation.<kind>")
def download(testimony_id: int, kind: str, anchor: str | None = None):
    """A citation as a file: CSL-JSON (`.json`), RIS (`.ris`) or BibTeX (`.bib`)."""
    formats = {extension: name for name, (_type, extension) in citation.DOWNLOADS.items()}
    if kind not in formats:
        raise NotFound(
            _("there is no citation as .%(kind)s: ask for .json, .ris or .bib", kind=kind[:10])
        )
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
    """`/sitemap.xml`: the public pages."""
    pages = metadata.sitemap_pages(db.session())
    xml = render_template("reading/sitemap.xml", pages=pages)
    return Response(xml, content_type="application/xml; charset=utf-8")
