"""What the archivist's form sends, as the services read it: its fields (`Form`, whatever
the web layer hands over), and its transcript, typed or uploaded (`Upload`): read, checked
(size, plain UTF-8 text, no front matter, passages not too long) and split into passages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Protocol

from .. import problems
from ..collection.front_matter import passage_source
from ..collection.testimony_file import PassageText, split_passages
from ..collection.validation import long_passage, too_large, transcript_problem
from ..messages import _
from ..record.models import Testimony

TRANSCRIPT_EXTENSIONS = (".txt", ".md")


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


def check_transcript(text: str, limit: int) -> list[PassageText]:
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


def new_passages(form: Form, upload: Upload | None, limit: int, errors: dict[str, str]):
    pasted = form.get("transcript") or ""
    if upload is not None and pasted.strip():
        errors["transcript"] = _("Paste the transcript or upload a file, not both.")
        return []
    field = "transcript_file" if upload is not None else "transcript"
    try:
        text = read_transcript_file(upload, limit) if upload is not None else pasted
        return check_transcript(text, limit)
    except ValueError as problem:
        errors[field] = _sentence(problem)
        return []


def corrected_passages(form: Form, testimony: Testimony, limit: int, errors: dict[str, str]):
    """The passages the correction form asks for: from the passage boxes, or from the
    whole-transcript box when that is what was changed."""
    current = [PassageText(p.text, p.editor_note) for p in testimony.passages]
    try:
        one_by_one = check_transcript(
            "\n\n".join(
                form.get(f"passage_{p.position}", passage_source(p)) for p in testimony.passages
            ),
            limit,
        )
        whole = check_transcript(form.get("transcript"), limit) if "transcript" in form else current
    except ValueError as problem:
        errors["transcript"] = _sentence(problem)
        return current
    if whole != current and one_by_one != current and whole != one_by_one:
        errors["transcript"] = _(
            "You changed both the passages one by one and the whole transcript; "
            "save one kind of change at a time."
        )
    return whole if whole != current else one_by_one
