"""Archivists' work on context links: confirm, reject or add a passage's link (forms, POST)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext

from .. import changes, db, linking
from ..auth import current_viewer
from ..i18n import translated

bp = Blueprint("links", __name__, url_prefix="/archive")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _signed_out():
    """An anonymous visitor is sent to sign in (a JSON client gets a 401); None for archivists."""
    if current_viewer().is_archivist:
        return None
    if _wants_json():
        return jsonify(error="sign in as an archivist to change links"), 401
    return redirect(f"/login?next={quote(request.path)}")


def _done(link, message: str):
    warning = changes.index_warning(db.session())
    if _wants_json():
        return jsonify(id=link.id, status=link.status, message=message, index_warning=warning)
    flash(message, "success")
    if warning:
        flash(warning, "error")
    anchor = link.anchor
    return redirect(url_for("pages.testimony", testimony_id=link.testimony_id, _anchor=anchor), 303)


def _refused(testimony_id: int, error: linking.LinkError):
    if _wants_json():
        return jsonify(error=f"The link was not changed: {error}."), 400
    flash(gettext("The link was not changed: %(why)s.", why=translated(error.args[0])), "error")
    return redirect(url_for("pages.testimony", testimony_id=testimony_id), 303)


@bp.post("/links/<int:link_id>/<any(confirm, reject):decision>")
def decide(link_id: int, decision: str):
    if (refusal := _signed_out()) is not None:
        return refusal
    link = linking.decide_link(db.session(), link_id, decision, current_viewer().archivist)
    if decision == "confirm":
        return _done(
            link, gettext("The link from passage %(number)s was confirmed.", number=link.position)
        )
    return _done(
        link, gettext("The link from passage %(number)s was rejected.", number=link.position)
    )


@bp.post("/testimonies/<int:testimony_id>/links")
def add(testimony_id: int):
    if (refusal := _signed_out()) is not None:
        return refusal
    form = request.form
    try:
        link = linking.add_link(
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
        link,
        gettext("The link from passage %(number)s was added and confirmed.", number=link.position),
    )
