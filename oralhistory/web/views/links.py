"""Archivists' work on context links: confirm, reject or add a passage's link (forms, POST)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request
from flask_babel import gettext

from ...services import linking
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from . import urls
from .guards import login_required, wants_json

bp = Blueprint("links", __name__, url_prefix="/archive")


def _done(decided: linking.Decided, message: str):
    link, warning = decided.link, decided.index_warning
    if wants_json():
        return jsonify(id=link.id, status=link.status, message=message, index_warning=warning)
    flash(message, "success")
    if warning:
        flash(warning, "error")
    return redirect(urls.testimony(link.testimony_id, link.anchor), 303)


def _refused(testimony_id: int, error: linking.LinkError):
    if wants_json():
        return jsonify(error=f"The link was not changed: {error}."), 400
    flash(gettext("The link was not changed: %(why)s.", why=translated(error.args[0])), "error")
    return redirect(urls.testimony(testimony_id), 303)


@bp.post("/links/<int:link_id>/<any(confirm, reject):decision>")
@login_required
def decide(link_id: int, decision: str):
    """Confirm or reject one proposed context link, back to its passage."""
    decided = linking.decide_link(db.session(), link_id, decision, current_viewer().archivist)
    link = decided.link
    if decision == "confirm":
        return _done(
            decided,
            gettext("The link from passage %(number)s was confirmed.", number=link.position),
        )
    return _done(
        decided, gettext("The link from passage %(number)s was rejected.", number=link.position)
    )


@bp.post("/testimonies/<int:testimony_id>/links")
@login_required
def add(testimony_id: int):
    """Add a context link from a passage to an event or a place."""
    form = request.form
    try:
        decided = linking.add_link(
            db.session(),
            testimony_id,
            form.get("passage", ""),
            form.get("target", ""),
            current_viewer().archivist,
            form.get("note", ""),
        )
    except linking.LinkError as error:
        return _refused(testimony_id, error)
    return _done(
        decided,
        gettext(
            "The link from passage %(number)s was added and confirmed.",
            number=decided.link.position,
        ),
    )
