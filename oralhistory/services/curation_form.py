"""The archivist's testimony form, read: its fields and their labels, the record as the
form's values, and the form as a testimony's front matter checked by the importer's rules
(each problem said against the field's label).

A form's fields become the front matter that the importer validates
(`importer.check_testimony_meta`); a field the form did not send keeps its stored value.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import problems
from ..collection import timecodes
from ..collection.field_rules import NARRATOR_FIELDS, check_testimony_meta
from ..collection.front_matter import narrator_meta, passage_source
from ..collection.validation import LONG_TEXT, text
from ..messages import _
from ..record.models import Event, Narrator, Revision, Testimony
from . import language_corrections
from .form_input import Form

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


def latest_revision_id(session: Session, testimony_id: int) -> int:
    """The id of the testimony's latest revision, 0 when it has none."""
    latest = select(func.max(Revision.id)).where(Revision.testimony_id == testimony_id)
    return session.scalar(latest) or 0


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


def text_value(form: Form, name: str) -> str | None:
    """A text field as sent, stripped; None when left empty."""
    value = (form.get(name) or "").strip()
    return value or None


def _items(value: str | None, separator: str) -> list[str] | None:
    items = [item.strip() for item in re.split(separator, value or "") if item.strip()]
    return items or None


def _form_value(form: Form, name: str) -> Any:
    """A form field as the front matter holds it: text, a list, or None when left empty."""
    if name == "events":
        return [slug for slug in form.getlist("events") if slug.strip()]
    value = text_value(form, name)
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
    chosen, new_name = text_value(form, "narrator"), text_value(form, "narrator_name")
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


def field_message(name: str, problem: str) -> str:
    """`problem` said against the label of the form's field `name`."""
    # a file names the field by its path ("'citation.date' ..."); the form by its label
    return problems.for_field(LABELS[name], problem)


def meta_from_form(
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
    new_narrator = bool(text_value(form, "narrator_name"))
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
            errors.setdefault(name, field_message(name, problem))
    return meta


def _testimony_slug(session: Session, meta: dict[str, Any]) -> str:
    year = (meta.get("interview_date") or "")[:4]
    title_words = "-".join(slugify(meta.get("title") or "").split("-")[:6])
    parts = [
        (meta.get("narrator") or {}).get("slug") or "testimony",
        year if year.isdigit() else "",
        title_words,
    ]
    return _unique_slug(session, Testimony, "-".join(part for part in parts if part))
