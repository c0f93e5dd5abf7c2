"""The review queue of proposed links: `/archive/links` (HTML, and the form that decides many
links at once) and `/api/archive/links` (JSON).

Archivists only, behind the archive's sign-in guard.
"""

from __future__ import annotations

import re

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from ...errors import BadParameter
from ...messages import _
from ...services import linking, records, review
from ...services.records import NotFound
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from . import urls
from .common import WHOLE_NUMBER, whole_number
from .guards import refuse_unless_archivist, wants_json

bp = Blueprint("review", __name__, url_prefix="/archive")
api_bp = Blueprint("review_api", __name__, url_prefix="/api/archive")
FILTERS = ("testimony", "event", "place", "rule")


bp.before_request(refuse_unless_archivist)
api_bp.before_request(refuse_unless_archivist)


def _whole_number(name: str, default: int | None) -> int | None:
    value = whole_number(request.values.get(name), f"'{name}'")
    return default if value is None else value


def _asked() -> review.QueueRequest:
    """The queue's filters and page from the query string (or the form that came back)."""
    text = {
        name: request.values.get(name, "").strip() or None for name in ("event", "place", "rule")
    }
    return review.QueueRequest(
        testimony=_whole_number("testimony", None),
        page=_whole_number("page", 1) or 0,
        per_page=_whole_number("per_page", review.QUEUE_PER_PAGE) or 0,
        **text,
    )


def _with_urls(queue: dict) -> dict:
    for link in queue["links"]:
        testimony, passage = link["testimony"], link["passage"]
        testimony["url"] = urls.testimony(testimony["id"])
        passage["url"] = urls.testimony(testimony["id"], passage["anchor"])
        link["url"] = (urls.event if link["kind"] == "event" else urls.place)(link["slug"])
    return queue


def _queue(asked: review.QueueRequest) -> dict:
    return _with_urls(review.proposed_links(db.session(), asked))


def _marked(segments: list[dict], words: set[str]) -> list[dict]:
    """The passage's segments with the words the rules matched in it as marked pieces."""
    # words across a publisher's [insertion] are marked on either side of it
    words = {part.strip() for w in words for part in re.split(r"[\[\]]", w) if part.strip()}
    if not words:
        return segments
    found = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    marked = []
    for segment in segments:
        pieces, at = [], 0
        for match in found.finditer(segment["text"]):
            pieces.append({"text": segment["text"][at : match.start()], "marked": False})
            pieces.append({"text": match.group(), "marked": True})
            at = match.end()
        pieces.append({"text": segment["text"][at:], "marked": False})
        marked.append({**segment, "pieces": [p for p in pieces if p["text"]]})
    return marked


def _by_passage(links: list[dict]) -> list[dict]:
    """The page's links under their passages, each passage shown once, in the queue's order."""
    groups: dict[str, dict] = {}
    for link in links:
        passage = link["passage"]
        group = groups.setdefault(
            passage["url"],
            {
                "testimony": link["testimony"],
                "passage": {**passage, "segments": records.passage_segments(passage["text"])},
                "links": [],
            },
        )
        group["links"].append(link)
    for group in groups.values():
        words = {
            r["words"] for link in group["links"] for r in link["reason"] or [] if r.get("words")
        }
        group["passage"]["segments"] = _marked(group["passage"]["segments"], words)
    return list(groups.values())


def _page(queue: dict | None, error: str | None = None, status: int = 200):
    passages = _by_passage(queue["links"]) if queue else []
    return render_template(
        "archive/review.html", queue=queue, passages=passages, error=error
    ), status


@bp.get("/links")
def queue_page():
    """The review queue of proposed context links, filtered and paged."""
    try:
        queue = _queue(_asked())
    except (linking.LinkError, BadParameter) as error:
        why = translated(error.args[0])
        return _page(None, gettext("The queue cannot be shown: %(why)s.", why=why), 400)
    return _page(queue)


@api_bp.get("/links")
def queue_json():
    """`/api/archive/links`: the review queue as JSON."""
    try:
        return jsonify(_queue(_asked()))
    except (linking.LinkError, BadParameter) as error:
        return jsonify(error=f"The queue cannot be shown: {error}."), 400


def _back_to_queue():
    """The queue as the archivist was looking at it (filters and page) when the form was sent."""
    kept = {name: request.form[name] for name in (*FILTERS, "page") if request.form.get(name)}
    return redirect(url_for("review.queue_page", **kept), 303)


@bp.post("/links")
def decide_many():
    """Confirm or reject the ticked links at once, back to the queue as it was."""
    decision = request.form.get("decision", "")
    raw = request.form.getlist("link")
    try:
        if not all(WHOLE_NUMBER.fullmatch(value.strip()) for value in raw):
            raise linking.LinkError(_("'link' must be the numbers of the links ticked"))
        ids = [int(value) for value in raw]
        decided = linking.decide_links(db.session(), ids, decision, current_viewer().archivist)
    except (linking.LinkError, NotFound) as error:
        status = 404 if isinstance(error, NotFound) else 400
        if wants_json():
            return jsonify(error=f"No link was changed: {error}."), status
        flash(gettext("No link was changed: %(why)s.", why=translated(error.args[0])), "error")
        return _back_to_queue()
    links, warning = decided.links, decided.index_warning
    testimonies = len({link.testimony_id for link in links})
    if wants_json():
        return jsonify(
            index_warning=warning,
            message=f"{len(links)} {'link' if len(links) == 1 else 'links'} "
            f"{linking.DECISIONS[decision]}, in {testimonies} "
            f"{'testimony' if testimonies == 1 else 'testimonies'}.",
            links=[{"id": link.id, "status": link.status} for link in links],
        )
    in_testimonies = ngettext("in %(num)d testimony", "in %(num)d testimonies", testimonies)
    if decision == "confirm":
        message = ngettext(
            "%(num)d link confirmed, %(where)s.",
            "%(num)d links confirmed, %(where)s.",
            len(links),
            where=in_testimonies,
        )
    else:
        message = ngettext(
            "%(num)d link rejected, %(where)s.",
            "%(num)d links rejected, %(where)s.",
            len(links),
            where=in_testimonies,
        )
    flash(message, "success")
    if warning:
        flash(warning, "error")
    return _back_to_queue()
