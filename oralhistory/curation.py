"""The archivist's work on the record: adding a testimony through the form, correcting it,
withdrawing it.

A testimony from the form goes the way a file goes: its fields become the front matter that
the importer validates (`importer.check_testimony_meta`), its text is split into passages by
`importer.split_passages`, `importer.store_testimony` stores it and `linking.link_testimony`
proposes its links. Every change is a unit of work (`unit_of_work.UnitOfWork`): the record, its
revision and its change-log row commit together, and only then is the search index in line.
"""

from __future__ import annotations

import copy
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import language_corrections, problems, revisions, submissions, timecodes
from .errors import FormProblems
from .importer import (
    NARRATOR_FIELDS,
    InvalidFile,
    PassageText,
    TestimonyFile,
    check_testimony_meta,
    split_passages,
    store_testimony,
)
from .linking import link_testimony
from .messages import _
from .models import MAX_ROW_ID, Event, Narrator, Revision, Testimony, utcnow
from .records import NotFound, testimony_summary
from .unit_of_work import UnitOfWork
from .validation import LONG_TEXT, long_passage, text, too_large, transcript_problem

log = logging.getLogger(__name__)

TRANSCRIPT_EXTENSIONS = (".txt", ".md")
IMPORT_AUTHOR = revisions.IMPORT_AUTHOR

LABELS = {
    "narrator": _("Narrator"),
    "narrator_name": _("New narrator’s name"),
    "narrator_name_arabic": _("Name in Arabic script"),
    "narrator_age": _("Age at the interview"),
    "narrator_origin": _("From"),
    "narrator_residence": _("Lives in"),
    "narrator_roles": _("Roles and work"),
    "narrator_biography": _("Biography"),
    "title": _("Title"),
    "interview_date": _("Interview date"),
    "interviewers": _("Interviewers"),
    "source": _("Source"),
    "source_title": _("Published as"),
    "source_date": _("Date of publication"),
    "source_url": _("Address of the source"),
    "editing_note": _("Editing note"),
    "rights": _("Rights"),
    "access": _("Access"),
    "language": _("Language"),
    "events": _("Events"),
    "transcript": _("Transcript"),
    "transcript_file": _("Transcript file"),
    "reason": _("Reason"),
    "revision": _("Revision"),
}

# Each form field and the place in a testimony's front matter it fills.
FIELD_PATHS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "interview_date": ("interview_date",),
    "interviewers": ("interviewers",),
    "source": ("citation", "publisher"),
    "source_title": ("citation", "title"),
    "source_date": ("citation", "date"),
    "source_url": ("citation", "url"),
    "editing_note": ("citation", "editing_note"),
    "rights": ("rights",),
    "access": ("access",),
    "language": ("language",),
    "events": ("events",),
}
NARRATOR_FIELD_PATHS: dict[str, tuple[str, ...]] = {
    "narrator_name": ("narrator", "name"),
    "narrator_name_arabic": ("narrator", "name_arabic"),
    "narrator_age": ("narrator", "age_at_interview"),
    "narrator_origin": ("narrator", "origin"),
    "narrator_residence": ("narrator", "residence"),
    "narrator_roles": ("narrator", "roles"),
    "narrator_biography": ("narrator", "biography"),
}
_PATH_FIELDS = {path: name for name, path in {**FIELD_PATHS, **NARRATOR_FIELD_PATHS}.items()}


class Form(Protocol):
    """What the service reads of a submitted form (a Werkzeug `MultiDict` fits)."""

    def __contains__(self, key: object) -> bool: ...
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


@dataclass
class Upload:
    """An uploaded transcript file: its name as sent, and at most limit + 1 of its bytes."""

    filename: str
    data: bytes


@dataclass
class Saved:
    """A change that was committed; `index_warning` says if the index could not follow."""

    testimony: Testimony
    index_warning: str | None = None


# --- from the record to a form, and back ----------------------------------------------------


def narrator_meta(narrator: Narrator) -> dict[str, Any]:
    """A stored narrator as testimony front matter, so that storing it again changes nothing."""
    return {
        "slug": narrator.slug,
        "name": narrator.name,
        "name_arabic": narrator.name_arabic,
        "name_arabic_note": narrator.name_arabic_note,
        "spellings": list(narrator.spellings),
        "age_at_interview": narrator.age_at_interview,
        "origin": narrator.origin,
        "residence": narrator.residence,
        "roles": list(narrator.roles),
        "biography": narrator.biography,
    }


def testimony_meta(testimony: Testimony) -> dict[str, Any]:
    """A stored testimony as the front matter of its file: the base that a correction changes."""
    return {
        "slug": testimony.slug,
        "title": testimony.title,
        "narrator": narrator_meta(testimony.narrator),
        "interview_date": testimony.interview_date.isoformat()
        if testimony.interview_date
        else None,
        "interview_date_precision": testimony.interview_date_precision,
        "interview_date_note": testimony.interview_date_note,
        "language": testimony.language,
        "original_language": testimony.original_language,
        "interviewers": list(testimony.interviewers),
        "citation": dict(testimony.citation),
        "rights": testimony.rights,
        "access": testimony.access,
        "events": [link.event.slug for link in testimony.event_links],
    }


def passage_source(passage: PassageText | Any) -> str:
    """A passage written as in a transcript file: its text, then its `[Ed.: ...]` note."""
    note = f" [Ed.: {passage.editor_note}]" if passage.editor_note else ""
    return passage.text + note


def form_values(session: Session, testimony: Testimony) -> dict[str, Any]:
    """The correction form filled in with the testimony as it stands."""
    citation = testimony.citation
    values: dict[str, Any] = {
        "narrator": testimony.narrator.slug,
        "title": testimony.title,
        "interview_date": testimony.interview_date.isoformat() if testimony.interview_date else "",
        "interviewers": ", ".join(testimony.interviewers),
        "source": citation.get("publisher", ""),
        "source_title": citation.get("title", ""),
        "source_date": citation.get("date", ""),
        "source_url": citation.get("url", ""),
        "editing_note": citation.get("editing_note", ""),
        "rights": testimony.rights or "",
        "access": testimony.access,
        "language": testimony.language,
        "events": [link.event.slug for link in testimony.event_links],
        "transcript": "\n\n".join(passage_source(p) for p in testimony.passages),
        "revision": str(latest_revision_id(session, testimony.id)),
    }
    for passage in testimony.passages:
        values[f"passage_{passage.position}"] = passage_source(passage)
        values[f"start_{passage.position}"] = timecodes.clock_text(passage.start)
    values.update(language_corrections.form_values(testimony))
    return values


def choices(session: Session) -> dict[str, Any]:
    """What the form offers to choose from: every narrator and every event."""
    return {
        "narrators": [
            {"slug": n.slug, "name": n.name}
            for n in session.scalars(select(Narrator).order_by(Narrator.name))
        ],
        "events": [
            {"slug": e.slug, "date": e.date.isoformat(), "title": e.title}
            for e in session.scalars(select(Event).order_by(Event.date, Event.id))
        ],
    }


def slugify(text: str) -> str:
    """Lower-case Latin letters and digits joined by hyphens; accents dropped, other scripts
    left out (so the result may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _unique_slug(session: Session, model: type, base: str) -> str:
    # room for "-N" within the narrator's slug column (120)
    base = base[:110].rstrip("-")
    slug, number = base, 1
    while session.scalar(select(model.id).where(model.slug == slug)):
        number += 1
        slug = f"{base}-{number}"
    return slug


def _text(form: Form, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def _items(value: str | None, separator: str) -> list[str] | None:
    items = [item.strip() for item in re.split(separator, value or "") if item.strip()]
    return items or None


def _form_value(form: Form, name: str) -> Any:
    """A form field as the front matter holds it: text, a list, or None when left empty."""
    if name == "events":
        return [slug for slug in form.getlist("events") if slug.strip()]
    value = _text(form, name)
    if name == "interviewers":
        return _items(value, r"[,\n;]")
    if name == "narrator_roles":
        return _items(value, r"\n")
    if name == "narrator_age" and value and re.fullmatch(r"[0-9]{1,3}", value):
        return int(value)
    return value


def _put(meta: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        meta = meta.setdefault(key, {})
    meta[path[-1]] = value


def _narrator(session: Session, form: Form, meta: dict[str, Any], errors: dict[str, str]):
    """Put the chosen narrator, or a new one, into `meta`. A form that names neither keeps
    the narrator of `meta` (a correction that does not touch it)."""
    chosen, new_name = _text(form, "narrator"), _text(form, "narrator_name")
    if chosen and new_name:
        errors["narrator"] = _(
            "Choose a narrator from the list or give a new narrator’s name, not both."
        )
    elif chosen:
        narrator = session.scalar(select(Narrator).where(Narrator.slug == chosen))
        if narrator is None:
            errors["narrator"] = _(
                "There is no narrator ‘%(slug)s’: choose one from the list.", slug=chosen
            )
        else:
            meta["narrator"] = narrator_meta(narrator)
    elif new_name:
        # a name is looked up only once it is one the record could hold; a name it could not
        # is reported with the other fields' problems
        name_rule = NARRATOR_FIELDS["name"][0]
        if name_rule(new_name) is None and session.scalar(
            select(Narrator.slug).where(func.lower(Narrator.name) == new_name.lower())
        ):
            errors["narrator_name"] = _(
                "There is already a narrator called %(name)s: choose them from the list.",
                name=new_name,
            )
        meta["narrator"] = {
            "slug": _unique_slug(session, Narrator, slugify(new_name) or "narrator")
        }
        for name, path in NARRATOR_FIELD_PATHS.items():
            _put(meta, path, _form_value(form, name))
    elif "narrator" in form or "narrator" not in meta:
        errors["narrator"] = _("Choose a narrator from the list, or give a new narrator’s name.")


REASON_RULE = text(LONG_TEXT)


def _message(name: str, problem: str) -> str:
    # a file names the field by its path ("'citation.date' ..."); the form by its label
    return problems.for_field(LABELS[name], problem)


def _meta_from_form(
    session: Session, form: Form, base: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """`base` with the fields the form sent; a field the form did not send keeps its value."""
    meta = copy.deepcopy(base)
    for name, path in FIELD_PATHS.items():
        if name in form:
            _put(meta, path, _form_value(form, name))
    # "Published as" is kept as given: left empty, readers are shown the title as it is
    # at the time they read, never one copied here that a later title would leave behind.
    meta["language"] = meta.get("language") or "en"
    new_narrator = bool(_text(form, "narrator_name"))
    _narrator(session, form, meta, errors)
    for slug in meta.get("events") or []:
        if not session.scalar(select(Event.id).where(Event.slug == slug)):
            errors.setdefault(
                "events", _("There is no event ‘%(slug)s’ in the timeline.", slug=slug)
            )
    meta["slug"] = meta.get("slug") or _testimony_slug(session, meta)
    for path, problem in check_testimony_meta(meta):
        name = _PATH_FIELDS.get(path[:2]) or _PATH_FIELDS.get(path[:1])
        if path[:1] == ("narrator",) and not (new_narrator and name):
            name = "narrator"
        if name is None:  # a field the form cannot show: say it whole
            errors.setdefault(
                "", _("The stored testimony has a problem: %(problem)s.", problem=problem)
            )
        else:
            errors.setdefault(name, _message(name, problem))
    return meta


# --- the transcript -------------------------------------------------------------------------


def _sentence(problem: ValueError) -> str:
    return problems.Sentence(problem.args[0])


def read_transcript_file(upload: Upload, limit: int) -> str:
    """The text of an uploaded transcript; raise `ValueError` saying why it cannot be used."""
    extension = PurePath(upload.filename).suffix.lower()
    if extension not in TRANSCRIPT_EXTENSIONS:
        raise ValueError(
            _(
                "‘%(name)s’ is not a .txt or .md file: save the transcript as plain text",
                name=upload.filename,
            )
        )
    if len(upload.data) > limit:
        raise ValueError(too_large(f"‘{upload.filename}’", limit))
    if b"\x00" in upload.data:
        raise ValueError(
            _(
                "‘%(name)s’ is a binary file (or UTF-16 text), not plain text: save the "
                "transcript as UTF-8 plain text",
                name=upload.filename,
            )
        )
    try:
        return upload.data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            _(
                "‘%(name)s’ is not UTF-8 text (the bytes at position %(position)s cannot be "
                "read as UTF-8): save it with the UTF-8 encoding",
                name=upload.filename,
                position=error.start,
            )
        ) from None


def _check_transcript(text: str, limit: int) -> list[PassageText]:
    if len(text.encode("utf-8")) > limit:
        raise ValueError(too_large(_("the transcript"), limit))
    if "\x00" in text:
        raise ValueError(_("the transcript holds NUL characters: it is not plain text"))
    control = transcript_problem(text.replace("\r\n", "\n").replace("\r", "\n"))
    if control:
        raise ValueError(
            _("%(problem)s (on its line %(line)s)", problem=control[1], line=control[0] + 1)
        )
    if text.lstrip("\ufeff").lstrip().startswith("---\n"):
        raise ValueError(
            _(
                "the transcript begins with ‘---’ like a testimony file with front matter: give "
                "only the testimony’s words here, or import the file with `flask import`"
            )
        )
    passages = split_passages(text)
    if not passages:
        raise ValueError(_("the transcript is empty: paste the testimony’s words or upload a file"))
    too_long = long_passage([passage.text for passage in passages])
    if too_long:
        raise ValueError(too_long[1])
    return passages


def _new_passages(form: Form, upload: Upload | None, limit: int, errors: dict[str, str]):
    pasted = form.get("transcript") or ""
    if upload is not None and pasted.strip():
        errors["transcript"] = _("Paste the transcript or upload a file, not both.")
        return []
    field = "transcript_file" if upload is not None else "transcript"
    try:
        text = read_transcript_file(upload, limit) if upload is not None else pasted
        return _check_transcript(text, limit)
    except ValueError as problem:
        errors[field] = _sentence(problem)
        return []


def _corrected_passages(form: Form, testimony: Testimony, limit: int, errors: dict[str, str]):
    """The passages the correction form asks for: from the passage boxes, or from the
    whole-transcript box when that is what was changed."""
    current = [PassageText(p.text, p.editor_note) for p in testimony.passages]
    try:
        one_by_one = _check_transcript(
            "\n\n".join(
                form.get(f"passage_{p.position}", passage_source(p)) for p in testimony.passages
            ),
            limit,
        )
        whole = (
            _check_transcript(form.get("transcript"), limit) if "transcript" in form else current
        )
    except ValueError as problem:
        errors["transcript"] = _sentence(problem)
        return current
    if whole != current and one_by_one != current and whole != one_by_one:
        errors["transcript"] = _(
            "You changed both the passages one by one and the whole transcript; "
            "save one kind of change at a time."
        )
    return whole if whole != current else one_by_one


# --- writing --------------------------------------------------------------------------------


def _testimony_slug(session: Session, meta: dict[str, Any]) -> str:
    year = (meta.get("interview_date") or "")[:4]
    title_words = "-".join(slugify(meta.get("title") or "").split("-")[:6])
    parts = [
        (meta.get("narrator") or {}).get("slug") or "testimony",
        year if year.isdigit() else "",
        title_words,
    ]
    return _unique_slug(session, Testimony, "-".join(part for part in parts if part))


def add_testimony(
    session: Session, form: Form, upload: Upload | None, author: str, limit: int
) -> Saved:
    """Store a testimony from the archivist's form, with a first revision, and index it.

    Raises `FormProblems` naming every wrong field; then nothing is stored. A form whose
    one-time key was stored before raises `submissions.AlreadySent` and stores nothing.
    """
    key = _submission_key(session, form)
    errors: dict[str, str] = {}
    meta = _meta_from_form(session, form, {}, errors)
    passages = _new_passages(form, upload, limit, errors)
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


def get_testimony(session: Session, testimony_id: int) -> Testimony:
    """Any testimony, restricted or withdrawn too: for archivists' pages only."""
    testimony = session.get(Testimony, testimony_id) if 0 < testimony_id <= MAX_ROW_ID else None
    if testimony is None:
        raise NotFound(_("there is no testimony %(number)s", number=testimony_id))
    return testimony


def latest_revision_id(session: Session, testimony_id: int) -> int:
    """The id of the testimony's latest revision, 0 when it has none."""
    latest = select(func.max(Revision.id)).where(Revision.testimony_id == testimony_id)
    return session.scalar(latest) or 0


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
    meta = _meta_from_form(session, form, testimony_meta(testimony), errors)
    passages = _corrected_passages(form, testimony, limit, errors)
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
                note = _text(form, "note")
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
        raise FormProblems({"reason": _message("reason", problem)})


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


# --- reading, for archivists ----------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def archive_summary(testimony: Testimony) -> dict[str, Any]:
    """A testimony as the archive's own pages list it: withdrawal and corrections included."""
    return {
        **testimony_summary(testimony),
        "narrator": {
            "slug": testimony.narrator.slug,
            "name": testimony.narrator.name,
            "name_arabic": testimony.narrator.name_arabic,
        },
        "created_at": _when(testimony.created_at),
        "corrected_at": _when(testimony.corrected_at),
        "withdrawn_at": _when(testimony.withdrawn_at),
        "withdrawn_by": testimony.withdrawn_by,
        "withdrawn_reason": testimony.withdrawn_reason,
        "anchors": [passage.anchor for passage in testimony.passages],
        "other_languages": [held.code for held in testimony.other_languages],
    }


def list_testimonies(session: Session) -> list[dict[str, Any]]:
    """Every testimony in the record, restricted and withdrawn too, newest first."""
    query = select(Testimony).order_by(Testimony.id.desc())
    return [archive_summary(t) for t in session.scalars(query)]


def testimony_history(
    session: Session, testimony_id: int, older: int | None = None, newer: int | None = None
) -> dict[str, Any]:
    """The testimony's revisions (who, when, what) and the difference between two of them:
    by default the latest and the one before it."""
    testimony = get_testimony(session, testimony_id)
    kept = revisions.history(session, testimony_id)
    by_id: dict[int, Revision] = {r.id: r for r in kept}
    for asked in (older, newer):
        if asked is not None and asked not in by_id:
            raise NotFound(f"testimony {testimony_id} has no revision {asked}")
    if newer is None and kept:
        newer = kept[-1].id
    if older is None and len(kept) > 1:
        older = kept[-2].id if newer == kept[-1].id else kept[0].id
    comparison = None
    if older is not None and newer is not None:
        first, second = sorted((older, newer))
        comparison = {
            "older": first,
            "newer": second,
            "lines": revisions.difference(by_id[first].snapshot, by_id[second].snapshot),
            "changes": revisions.word_difference(by_id[first].snapshot, by_id[second].snapshot),
            "by_language": revisions.word_differences_by_language(
                by_id[first].snapshot, by_id[second].snapshot, testimony.language or "en"
            ),
        }
    return {
        "testimony": archive_summary(testimony),
        "revisions": [
            {
                "id": r.id,
                "number": number,
                "author": r.author,
                "created_at": _when(r.created_at),
                "summary": r.summary,
            }
            for number, r in enumerate(kept, start=1)
        ],
        "comparison": comparison,
    }
