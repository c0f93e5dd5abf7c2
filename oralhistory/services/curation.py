"""The archivist's work on the record: adding a testimony through the form, correcting it,
withdrawing it.

A testimony from the form goes the way a file goes: its fields become the front matter that
the importer validates (`curation_form`), its text is split into passages (`form_input`),
`importer.store_testimony` stores it and `linking.link_testimony` proposes its links. Every
change is a unit of work (`unit_of_work.UnitOfWork`): the record, its revision and its
change-log row commit together, and only then is the search index in line. What archivists
read of the record is `archive_reading`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..collection import timecodes
from ..collection.front_matter import testimony_meta
from ..collection.testimony_file import TestimonyFile
from ..collection.testimony_rows import store_testimony
from ..errors import FormProblems, InvalidFile
from ..messages import _
from ..record import revisions, submissions
from ..record.models import Testimony, utcnow
from ..record.unit_of_work import Saved, UnitOfWork
from . import language_corrections
from .archive_reading import get_testimony
from .curation_form import (
    REASON_RULE,
    field_message,
    latest_revision_id,
    meta_from_form,
    text_value,
)
from .form_input import Form, Upload, corrected_passages, new_passages
from .linking import link_testimony

IMPORT_AUTHOR = revisions.IMPORT_AUTHOR
# `Saved` and `get_testimony` are named here too, for the callers that know them from here
__all__ = [
    "FormProblems",
    "Saved",
    "add_testimony",
    "correct_testimony",
    "describe_change",
    "get_testimony",
    "reinstate_testimony",
    "withdraw_testimony",
]


def add_testimony(
    session: Session, form: Form, upload: Upload | None, author: str, limit: int
) -> Saved:
    """Store a testimony from the archivist's form, with a first revision, and index it.

    Raises `FormProblems` naming every wrong field; then nothing is stored. A form whose
    one-time key was stored before raises `submissions.AlreadySent` and stores nothing.
    """
    key = _submission_key(session, form)
    errors: dict[str, str] = {}
    meta = meta_from_form(session, form, {}, errors)
    passages = new_passages(form, upload, limit, errors)
    if errors:
        raise FormProblems(errors)
    name = upload.filename if upload is not None else "the form"
    try:
        with UnitOfWork(session) as work:
            submission = submissions.claim(session, key, "added", author)
            testimony = store_testimony(
                session, TestimonyFile(name, meta, passages, from_file=False)
            )
            link_testimony(session, testimony)
            work.record(testimony, "added", author, "Added through the archive’s form")
            if submission is not None:
                submission.testimony_id = testimony.id
    except (InvalidFile, IntegrityError) as error:
        said = _("The testimony could not be stored: %(why)s", why=str(error))
        raise FormProblems({"": said}) from None
    return Saved(testimony, work.index_warning)


def _submission_key(session: Session, form: Form) -> str | None:
    """The form's one-time key, once sure it was not stored before (see `submissions`)."""
    try:
        key = submissions.key_of(form.get(submissions.FIELD))
    except ValueError as problem:
        raise FormProblems({"": problem.args[0]}) from None
    submissions.check(session, key)
    return key


def _keep_first_state(session: Session, testimony: Testimony) -> None:
    # A testimony from a file may have no revision yet: keep its state as first stored, so
    # that the first correction can be compared with what was there before it.
    revisions.keep_first_state(session, testimony)


def describe_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed between two snapshots, in a few words: "title, passages p-2, p-5"."""
    changed = [
        key.replace("_", " ")
        for key in after
        if key != "passages" and before.get(key) != after.get(key)
    ]
    old, new = before.get("passages", []), after.get("passages", [])
    if len(old) != len(new):
        changed.append(f"passages ({len(old)} before, {len(new)} now)")
    elif old != new:
        changed.append("passages " + ", ".join(a["anchor"] for a, b in zip(old, new) if a != b))
    return ", ".join(changed)


def correct_testimony(
    session: Session, testimony_id: int, form: Form, author: str, limit: int
) -> Saved | None:
    """Apply the correction form to a testimony: metadata and passages. Records a revision
    saying what changed, commits, and updates the index. Returns None when nothing changed.

    Raises `FormProblems` naming every wrong field, or when another archivist has changed
    the testimony since the form was opened; then nothing is stored. A form whose one-time
    key was stored before raises `submissions.AlreadySent` and stores nothing.
    """
    testimony = get_testimony(session, testimony_id)
    key = _submission_key(session, form)
    errors: dict[str, str] = {}
    opened_at = (form.get("revision") or "").strip()
    latest = latest_revision_id(session, testimony.id)
    if opened_at and opened_at != str(latest):
        errors["revision"] = _(
            "Someone changed this testimony after you opened this form; your corrections were "
            "not saved. Look at its history, then open the form again."
        )
    meta = meta_from_form(session, form, testimony_meta(testimony), errors)
    passages = corrected_passages(form, testimony, limit, errors)
    other_texts = language_corrections.corrected_texts(testimony, form, passages, errors)
    duration = testimony.recording.duration if testimony.recording is not None else None
    times, time_errors = timecodes.times_from_form(form, testimony.passages, duration)
    errors.update(time_errors)
    if errors:
        raise FormProblems(errors)
    before = revisions.snapshot(testimony)
    try:
        with UnitOfWork(session) as work:
            submissions.claim(session, key, "corrected", author, testimony.id)
            _keep_first_state(session, testimony)
            store_testimony(session, TestimonyFile("the form", meta, passages, from_file=False))
            link_testimony(session, testimony)
            timecodes.set_manual(testimony.passages, times)
            language_corrections.store_texts(testimony, other_texts)
            session.flush()
            after = revisions.snapshot(testimony)
            if after == before:
                work.discard()
            else:
                note = text_value(form, "note")
                change = "Changed " + describe_change(before, after)
                summary = f"{note} ({change})" if note else change
                work.record(testimony, "corrected", author, summary)
    except (InvalidFile, IntegrityError) as error:
        said = _("The correction could not be stored: %(why)s", why=str(error))
        raise FormProblems({"": said}) from None
    if not work.committed:
        return None
    return Saved(testimony, work.index_warning)


def _check_reason(reason: str) -> None:
    problem = REASON_RULE(reason)
    if problem:
        raise FormProblems({"reason": field_message("reason", problem)})


def withdraw_testimony(session: Session, testimony_id: int, reason: str, author: str) -> Saved:
    """Withdraw a testimony (consent revoked): it leaves the public site and the index at
    once, and stays in the record for archivists with who withdrew it, when and why."""
    testimony = get_testimony(session, testimony_id)
    reason = reason.strip()
    if not reason:
        raise FormProblems({"reason": _("Give the reason for withdrawing the testimony.")})
    _check_reason(reason)
    if testimony.withdrawn_at is not None:
        raise FormProblems({"reason": _("This testimony has already been withdrawn.")})
    with UnitOfWork(session) as work:
        _keep_first_state(session, testimony)
        testimony.withdrawn_at = utcnow()
        testimony.withdrawn_by = author
        testimony.withdrawn_reason = reason
        work.record(testimony, "withdrawn", author, f"Withdrawn: {reason}")
    return Saved(testimony, work.index_warning)


def reinstate_testimony(session: Session, testimony_id: int, reason: str, author: str) -> Saved:
    """Bring a withdrawn testimony back (consent given again, or withdrawn by mistake)."""
    testimony = get_testimony(session, testimony_id)
    reason = reason.strip()
    if not reason:
        raise FormProblems({"reason": _("Give the reason for bringing the testimony back.")})
    _check_reason(reason)
    if testimony.withdrawn_at is None:
        raise FormProblems({"reason": _("This testimony has not been withdrawn.")})
    with UnitOfWork(session) as work:
        testimony.withdrawn_at = testimony.withdrawn_by = testimony.withdrawn_reason = None
        work.record(testimony, "reinstated", author, f"Reinstated: {reason}")
    return Saved(testimony, work.index_warning)
