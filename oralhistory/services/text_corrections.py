"""The archivist's form for a testimony's text in another language: add it, or correct it.

One paragraph for each passage, in reading order (a closing `[Ed.: ...]` is that paragraph's
editor's note), checked as a translation file is: a text that does not pair with the passages
is refused, naming the first paragraph that does not pair, and nothing is stored. A change is
a revision and a change-log row, as every correction is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ..collection import validation as valid
from ..collection.front_matter import passage_source
from ..collection.testimony_file import split_passages
from ..messages import _
from ..record import languages, revisions
from ..record.language_models import TEXT_KINDS
from ..record.models import Testimony
from ..record.unit_of_work import UnitOfWork
from . import curation, curation_form
from .curation import FormProblems, Saved

_LANGUAGE_RULE = valid.language_tag(10)
_TRANSLATOR_RULE = valid.line(300)


def form_values(session: Session, testimony: Testimony, code: str | None) -> dict[str, Any]:
    """The form filled in with the testimony's text in `code` as it stands (empty for a
    language it is not held in yet)."""
    held = next((o for o in testimony.other_languages if o.code == code), None)
    values: dict[str, Any] = {
        "language": code or "",
        "kind": held.kind if held else "translation",
        "translator": (held.translator if held else None) or "",
        "text": "",
        "revision": str(curation_form.latest_revision_id(session, testimony.id)),
    }
    if held is not None:
        values["text"] = "\n\n".join(
            passage_source(text)
            for passage in testimony.passages
            for text in passage.texts
            if text.language == code
        )
    return values


def save_text(
    session: Session, testimony_id: int, form: Mapping[str, str], author: str
) -> Saved | None:
    """Hold the testimony's text in the form's language (added or corrected); commit with a
    revision, and the index follows. None when nothing changed. Raises `FormProblems`
    naming each wrong field; then nothing is stored."""
    testimony = curation.get_testimony(session, testimony_id)
    errors: dict[str, str] = {}
    opened_at = (form.get("revision") or "").strip()
    if opened_at and opened_at != str(curation_form.latest_revision_id(session, testimony.id)):
        errors["revision"] = _(
            "Someone changed this testimony after you opened this form; your text was not "
            "saved. Copy it, look at the testimony's history, then open the form again."
        )
    code = (form.get("language") or "").strip()
    kind = (form.get("kind") or "").strip()
    translator = (form.get("translator") or "").strip() or None
    problem = _LANGUAGE_RULE(code) if code else _("Give the text's language (such as ar).")
    if problem:
        errors["language"] = _("Language: %(problem)s", problem=problem)
    if kind not in TEXT_KINDS:
        errors["kind"] = _("Say whether the text is the original or a translation.")
    if translator and _TRANSLATOR_RULE(translator):
        errors["translator"] = _("Translator: %(problem)s", problem=_TRANSLATOR_RULE(translator))
    paragraphs = split_passages(form.get("text") or "")
    if not paragraphs:
        errors["text"] = _("Type the text: one paragraph for each passage, in order.")
    if "language" not in errors and "kind" not in errors:
        refused = languages.language_problem(testimony, code, kind)
        if refused:
            errors["language"] = refused
    if paragraphs and "text" not in errors:
        paired = languages.pairing_problem(
            [p.text for p in testimony.passages], [p.text for p in paragraphs]
        )
        if paired:
            errors["text"] = paired[1]
    if errors:
        raise FormProblems(errors)
    before = revisions.snapshot(testimony)
    held_before = any(o.code == code for o in testimony.other_languages)
    with UnitOfWork(session) as work:
        revisions.keep_first_state(session, testimony)
        languages.set_text(
            testimony, code, kind, translator, [(p.text, p.editor_note) for p in paragraphs]
        )
        session.flush()
        if revisions.snapshot(testimony) == before:
            work.discard()
        else:
            note = (form.get("note") or "").strip()
            summary = f"{'Corrected' if held_before else 'Added'} the text in {code}"
            work.record(testimony, "corrected", author, f"{note} ({summary})" if note else summary)
    return Saved(testimony, work.index_warning) if work.committed else None
