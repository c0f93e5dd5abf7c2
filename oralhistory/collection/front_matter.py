"""A stored testimony as the front matter of its file, and its passages as the file's text:
what an export writes and what the correction form starts from."""

from __future__ import annotations

from typing import Any, Protocol

from ..record.models import Narrator, Testimony


class WrittenPassage(Protocol):
    """A passage as a transcript file holds it (a stored `Passage`, or the importer's
    `PassageText`)."""

    text: str
    editor_note: str | None


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


def passage_source(passage: WrittenPassage) -> str:
    """A passage written as in a transcript file: its text, then its `[Ed.: ...]` note."""
    note = f" [Ed.: {passage.editor_note}]" if passage.editor_note else ""
    return passage.text + note
