"""A correction of a testimony's main text, and its other languages with it.

Each other language pairs with the main text passage by passage. A correction that adds or
removes passages would leave those texts paired with the wrong passages, or short of one, and
their export would no longer import. So such a correction is refused, naming the languages,
unless it corrects their texts in the same step (the correction form's box for each language,
one paragraph per passage of the corrected text): an archive never lets a translation drift
silently away from the words it translates. A correction that keeps the passages may correct
the other languages' boxes too, or leave them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..collection.testimony_file import PassageText, split_passages
from ..messages import _
from ..record import languages
from ..record.anchors import match_passages
from ..record.models import Testimony


def field(code: str) -> str:
    """The correction form's field for the text in `code`."""
    return f"text_{code}"


@dataclass
class OtherText:
    """A text in another language, as the correction will hold it."""

    code: str
    kind: str
    translator: str | None
    paragraphs: list[PassageText]


def form_values(testimony: Testimony) -> dict[str, str]:
    """The correction form's boxes for the other languages, filled in as they stand."""
    from ..collection.front_matter import passage_source

    return {
        field(other.code): "\n\n".join(
            passage_source(text)
            for passage in testimony.passages
            for text in passage.texts
            if text.language == other.code
        )
        for other in testimony.other_languages
    }


def _reshaped(testimony: Testimony, passages: list[PassageText]) -> bool:
    """Whether the correction adds or removes passages (a kept passage keeps its anchor)."""
    current = [passage.text for passage in testimony.passages]
    matches = match_passages(current, [passage.text for passage in passages])
    return None in matches or len(set(matches)) != len(current)


def corrected_texts(
    testimony: Testimony,
    form: Mapping[str, Any],
    passages: list[PassageText],
    errors: dict[str, str],
) -> list[OtherText]:
    """The other languages' texts the correction form gives, each paired with `passages`
    (the corrected main text). Adds to `errors` each box that does not pair, and a refusal
    naming the languages a correction that adds or removes passages would leave unpaired."""
    wanted: list[OtherText] = []
    left: list[str] = []
    reshaped = _reshaped(testimony, passages)
    for other in testimony.other_languages:
        typed = form.get(field(other.code))
        if typed is None:
            if reshaped:
                left.append(other.code)
            continue
        paragraphs = split_passages(typed)
        paired = languages.pairing_problem([p.text for p in passages], [p.text for p in paragraphs])
        if paired:
            errors[field(other.code)] = _(
                "The text in %(code)s: %(problem)s", code=other.code, problem=paired[1]
            )
            continue
        wanted.append(OtherText(other.code, other.kind, other.translator, paragraphs))
    if left:
        errors["transcript"] = _(
            "This correction adds or removes passages, and the text in %(languages)s would no "
            "longer pair with them. Correct that text in the same step, one paragraph for each "
            "passage, or correct the passages one by one without adding or removing any.",
            languages=", ".join(f"‘{code}’" for code in left),
        )
    return wanted


def store_texts(testimony: Testimony, texts: list[OtherText]) -> bool:
    """Hold the corrected texts beside the corrected passages; return whether any changed."""
    changed = False
    for text in texts:
        changed |= languages.set_text(
            testimony,
            text.code,
            text.kind,
            text.translator,
            [(p.text, p.editor_note) for p in text.paragraphs],
        )
    return changed
