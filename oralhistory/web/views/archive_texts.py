"""The archivist's page for a testimony's text in another language: /archive/testimonies/<id>/
texts?language=ar shows it to add or correct; sending it saves it with a revision."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request
from flask_babel import gettext

from ...services import archive_reading, curation, text_corrections
from .. import db
from ..auth import current_viewer
from . import urls
from .archive import require_archivist

bp = Blueprint("archive_texts", __name__, url_prefix="/archive")
bp.before_request(require_archivist)


def _page(testimony, values: dict, errors: dict, status: int = 200):
    return render_template(
        "archive/archive_text.html",
        testimony=archive_reading.archive_summary(testimony),
        held_languages=[o.code for o in testimony.other_languages],
        passage_count=len(testimony.passages),
        values=values,
        errors=errors,
    ), status


@bp.route("/testimonies/<int:testimony_id>/texts", methods=["GET", "POST"])
def text_form(testimony_id: int):
    """The form for a testimony's text in another language (GET) and saving it (POST)."""
    session = db.session()
    testimony = curation.get_testimony(session, testimony_id)
    if request.method == "GET":
        code = (request.args.get("language") or "").strip()[:10] or None
        return _page(testimony, text_corrections.form_values(session, testimony, code), {})
    try:
        saved = text_corrections.save_text(
            session, testimony_id, request.form, current_viewer().archivist or ""
        )
    except curation.FormProblems as problems:
        status = 409 if "revision" in problems.errors else 400
        return _page(testimony, request.form.to_dict(), problems.errors, status)
    if saved is None:
        flash(gettext("Nothing was changed."))
    else:
        flash(gettext("The text is saved and kept in the testimony’s history."))
        if saved.index_warning:
            flash(saved.index_warning, "error")
    code = request.form.get("language", "").strip()
    return redirect(urls.testimony(testimony_id, text=code), 303)


def init_app(app: Flask) -> None:
    """The page's routes."""
    app.register_blueprint(bp)
