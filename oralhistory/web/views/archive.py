"""The archivists' pages under /archive/ (HTML) and /api/archive/ (JSON): sign-in required."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from ...record import submissions
from ...services import archive_reading, curation, curation_form, form_input, recordings
from .. import db
from ..auth import current_viewer
from ..i18n import translated
from . import urls
from .common import whole_number
from .guards import refuse_unless_archivist

bp = Blueprint("archive", __name__, url_prefix="/archive")
api_bp = Blueprint("archive_api", __name__, url_prefix="/api/archive")


# the archivists-only guard, under the name the archive's other blueprints know it by
require_archivist = refuse_unless_archivist
bp.before_request(require_archivist)
api_bp.before_request(require_archivist)


def _author() -> str:
    return current_viewer().archivist or ""


def _limit() -> int:
    return current_app.config["MAX_TRANSCRIPT_BYTES"]


def _upload() -> form_input.Upload | None:
    file = request.files.get("transcript_file")
    if file is None or not file.filename:
        return None
    # Read one byte past the limit: enough to know the file is too large.
    return form_input.Upload(file.filename, file.stream.read(_limit() + 1))


def _typed() -> dict:
    """What the archivist typed, to fill the form in again."""
    values = request.form.to_dict()
    values["events"] = request.form.getlist("events")
    return values


def _form_page(
    values: dict,
    errors: dict,
    testimony=None,
    status: int = 200,
    *,
    kept_only: dict | None = None,
    narrators: list | None = None,
):
    """The testimony form, filled in with `values`; `kept_only` (with `narrators`) shows back
    a form sent by someone no longer signed in, with nothing of the record but the timeline."""
    session = db.session()
    # A form shown again after a problem keeps its key (nothing was stored under it),
    # unless it is not one the archive gives.
    if not submissions.KEY.fullmatch(values.get(submissions.FIELD) or ""):
        values[submissions.FIELD] = submissions.new_key()
    choices = curation_form.choices(session)
    if narrators is not None:
        choices["narrators"] = narrators
    return render_template(
        "archive/archive_form.html",
        values=values,
        errors=errors,
        testimony=kept_only or (archive_reading.archive_summary(testimony) if testimony else None),
        kept_only=kept_only is not None,
        recording=recordings.archive_view(testimony) if testimony else None,
        recording_limit_gb=current_app.config["MAX_RECORDING_BYTES"] / 1024**3,
        labels=curation_form.LABELS,
        limit_mb=_limit() / (1024 * 1024),
        **choices,
    ), status


def _after_save(saved: curation.Saved, message: str):
    flash(message)
    if saved.index_warning:
        flash(saved.index_warning, "error")
    return redirect(urls.testimony(saved.testimony.id))


def _sent_before(sent: submissions.AlreadySent):
    """The answer to a form sent a second time: where the first one's change is."""
    if sent.kind == "corrected":
        flash(gettext("This correction had already been sent and saved; it was not saved again."))
    else:
        flash(gettext("This testimony had already been sent and stored; it was not stored again."))
    return redirect(urls.testimony(sent.testimony_id))


def _revision_arg(name: str) -> int | None:
    return whole_number(request.args.get(name), f"‘{name}’ (the number of a revision)")


@bp.get("/")
def index():
    """The archivists' list of every testimony, restricted and withdrawn ones too."""
    return render_template(
        "archive/archive_index.html", testimonies=archive_reading.list_testimonies(db.session())
    )


@bp.route("/testimonies/new", methods=["GET", "POST"])
def new_testimony():
    """The form for a new testimony (GET) and saving it (POST)."""
    if request.method == "GET":
        return _form_page({"access": "public", "language": "en", "events": []}, {})
    try:
        saved = curation.add_testimony(db.session(), request.form, _upload(), _author(), _limit())
    except submissions.AlreadySent as sent:
        return _sent_before(sent)
    except curation.FormProblems as problems:
        return _form_page(_typed(), problems.errors, status=400)
    return _after_save(saved, gettext("The testimony is added; it can be found by search now."))


@bp.route("/testimonies/<int:testimony_id>/edit", methods=["GET", "POST"])
def edit_testimony(testimony_id: int):
    """The correction form of a testimony (GET) and saving the correction (POST)."""
    session = db.session()
    testimony = curation.get_testimony(session, testimony_id)
    if request.method == "GET":
        return _form_page(curation_form.form_values(session, testimony), {}, testimony)
    try:
        saved = curation.correct_testimony(session, testimony_id, request.form, _author(), _limit())
    except submissions.AlreadySent as sent:
        return _sent_before(sent)
    except curation.FormProblems as problems:
        status = 409 if "revision" in problems.errors else 400
        return _form_page(_typed(), problems.errors, testimony, status)
    if saved is None:
        flash(gettext("Nothing was changed."))
        return redirect(urls.testimony(testimony_id))
    return _after_save(
        saved, gettext("The correction is saved and kept in the testimony’s history.")
    )


@bp.post("/testimonies/<int:testimony_id>/withdraw")
def withdraw(testimony_id: int):
    # Withdrawal takes a testimony off the site at once: the first POST asks to confirm it.
    """Withdraw a testimony, after a page asking to confirm it."""
    reason = request.form.get("reason", "").strip()
    if reason and request.form.get("confirm") != "yes":
        testimony = curation.get_testimony(db.session(), testimony_id)
        return render_template(
            "archive/archive_withdraw.html",
            testimony=archive_reading.archive_summary(testimony),
            reason=reason,
        )
    return _change_withdrawal(
        curation.withdraw_testimony, testimony_id, gettext("The testimony is withdrawn.")
    )


@bp.post("/testimonies/<int:testimony_id>/reinstate")
def reinstate(testimony_id: int):
    """Put a withdrawn testimony back on the site."""
    return _change_withdrawal(
        curation.reinstate_testimony, testimony_id, gettext("The testimony is reinstated.")
    )


def _change_withdrawal(change, testimony_id: int, done: str):
    try:
        saved = change(db.session(), testimony_id, request.form.get("reason", ""), _author())
    except curation.FormProblems as problems:
        flash(translated(problems.errors["reason"]), "error")
        return redirect(url_for(".edit_testimony", testimony_id=testimony_id, _anchor="withdrawal"))
    return _after_save(saved, done)


@bp.get("/testimonies/<int:testimony_id>/history")
def history(testimony_id: int):
    """A testimony's revisions, and the difference between two of them."""
    found = archive_reading.testimony_history(
        db.session(), testimony_id, _revision_arg("older"), _revision_arg("newer")
    )
    return render_template("archive/archive_history.html", history=found)


@api_bp.get("/testimonies")
def testimonies_json():
    """`/api/archive/testimonies`: every testimony, for archivists."""
    return jsonify(archive_reading.list_testimonies(db.session()))


@api_bp.get("/testimonies/<int:testimony_id>/history")
def history_json(testimony_id: int):
    """`/api/archive/testimonies/<id>/history`: the revisions and a difference, as JSON."""
    found = archive_reading.testimony_history(
        db.session(), testimony_id, _revision_arg("older"), _revision_arg("newer")
    )
    return jsonify(found)
