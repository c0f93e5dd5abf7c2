"""A testimony's languages: its main text (`Passage.text`, in `Testimony.language`) and the
others it is held in (`language_models`), each `original` or `translation`, paired with the
main text passage by passage.

The main text's kind comes from the testimony's front matter: a `translation` when it names an
`original_language` other than its `language` (the first collection is English translated
from Arabic), else the `original`. The main text has no translator's credit of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..messages import Message, _
from .language_models import TEXT_KINDS, LanguageText, TestimonyLanguage
from .models import Passage, Testimony

OPENING_CHARS = 60


def main_kind(testimony: Testimony) -> str:
    """Whether the main text is the testimony's `original` or a `translation`."""
    original = testimony.original_language
    if original and original.lower() != (testimony.language or "en").lower():
        return "translation"
    return "original"


def languages(testimony: Testimony) -> list[dict[str, Any]]:
    """Every language the testimony is held in, the main text's first: `code`, `kind`,
    `translator`."""
    main = {"code": testimony.language or "en", "kind": main_kind(testimony), "translator": None}
    return [main] + [
        {"code": other.code, "kind": other.kind, "translator": other.translator}
        for other in testimony.other_languages
    ]


def texts(passage: Passage, main_language: str) -> dict[str, str]:
    """The passage's words in each language it is held in, the main text's first."""
    return {main_language: passage.text} | {held.language: held.text for held in passage.texts}


def opening(text: str) -> str:
    """The first words of a paragraph, to name it in a message."""
    if len(text) <= OPENING_CHARS:
        return text
    return text[:OPENING_CHARS].rsplit(" ", 1)[0] + " …"


def pairing_problem(main: Sequence[str], other: Sequence[str]) -> tuple[int, Message] | None:
    """Why the paragraphs `other` (a text in another language) do not pair one for one with
    the passages `main`, naming the first that does not pair: (its index in `other`, or the
    index past its end when a passage is left without a paragraph; the message). None when
    they pair."""
    if len(main) == len(other):
        return None
    if len(other) > len(main):
        index = len(main)
        return index, _(
            "paragraph %(number)d (‘%(opening)s’) pairs with no passage: the text has "
            "%(paragraphs)d paragraphs and the testimony %(passages)d passages, one "
            "paragraph for each passage, in order",
            number=index + 1,
            opening=opening(other[index]),
            paragraphs=len(other),
            passages=len(main),
        )
    index = len(other)
    return index, _(
        "passage %(number)d of the testimony (‘%(opening)s’) has no paragraph to pair with: "
        "the text has %(paragraphs)d paragraphs and the testimony %(passages)d passages, one "
        "paragraph for each passage, in order",
        number=index + 1,
        opening=opening(main[index]),
        paragraphs=len(other),
        passages=len(main),
    )


def language_problem(testimony: Testimony, code: str, kind: str) -> Message | None:
    """Why the testimony cannot hold a text in `code` of `kind` beside the ones it has."""
    if kind not in TEXT_KINDS:
        return _("the kind must be ‘original’ or ‘translation’, not ‘%(kind)s’", kind=kind)
    if code.lower() == (testimony.language or "en").lower():
        return _("the testimony's main text is already in ‘%(code)s’", code=code)
    if kind == "original":
        others = [o for o in testimony.other_languages if o.code.lower() != code.lower()]
        if main_kind(testimony) == "original" or any(o.kind == "original" for o in others):
            return _("the testimony already has its original text; this one is a translation")
        if testimony.original_language and code.lower() != testimony.original_language.lower():
            return _(
                "the testimony says its original is in ‘%(original)s’, not ‘%(code)s’",
                original=testimony.original_language,
                code=code,
            )
    return None


def set_text(
    testimony: Testimony,
    code: str,
    kind: str,
    translator: str | None,
    paragraphs: Sequence[tuple[str, str | None]],
) -> bool:
    """Hold the testimony's text in `code`: `paragraphs` (text, editor's note), one for each
    passage in reading order (checked before: `pairing_problem`, `language_problem`). Return
    whether anything changed."""
    held = next((o for o in testimony.other_languages if o.code == code), None)
    changed = False
    if held is None:
        held = TestimonyLanguage(code=code, kind=kind, translator=translator)
        testimony.other_languages.append(held)
        changed = True
    elif (held.kind, held.translator) != (kind, translator):
        held.kind, held.translator = kind, translator
        changed = True
    for passage, (text, note) in zip(testimony.passages, paragraphs, strict=True):
        mine = next((t for t in passage.texts if t.language == code), None)
        if mine is None:
            passage.texts.append(LanguageText(language=code, text=text, editor_note=note))
            changed = True
        elif (mine.text, mine.editor_note) != (text, note):
            mine.text, mine.editor_note = text, note
            changed = True
    return changed


def drop_text(testimony: Testimony, code: str) -> bool:
    """No longer hold the testimony in `code`; return whether it was held."""
    held = [o for o in testimony.other_languages if o.code == code]
    if not held:
        return False
    testimony.other_languages.remove(held[0])
    for passage in testimony.passages:
        passage.texts = [t for t in passage.texts if t.language != code]
    return True


def snapshot(testimony: Testimony) -> dict[str, Any]:
    """What a revision keeps of the other languages (nothing when there are none, so that
    revisions from before them compare equal)."""
    if not testimony.other_languages:
        return {}
    return {
        "texts": [
            {
                "language": other.code,
                "kind": other.kind,
                "translator": other.translator,
                "passages": [
                    {"anchor": p.anchor, "text": t.text, "editor_note": t.editor_note}
                    for p in testimony.passages
                    for t in p.texts
                    if t.language == other.code
                ],
            }
            for other in testimony.other_languages
        ]
    }


def snapshot_lines(texts: list[dict[str, Any]]) -> list[str]:
    """A revision's other languages as lines to compare (`revisions.difference`)."""
    lines = []
    for held in texts:
        code = held["language"]
        credit = f", translated by {held['translator']}" if held.get("translator") else ""
        lines.append(f"text in {code}: {held['kind']}{credit}")
        for passage in held["passages"]:
            lines.append(f"{passage['anchor']} [{code}]: {passage['text']}")
            if passage.get("editor_note"):
                lines.append(
                    f"{passage['anchor']} [{code}] editor's note: {passage['editor_note']}"
                )
    return lines


def editor_notes(passage: Passage, main_language: str) -> dict[str, str]:
    """The passage's editor's notes in each language that has one, the main text's first."""
    notes = {main_language: passage.editor_note} | {
        held.language: held.editor_note for held in passage.texts
    }
    return {code: note for code, note in notes.items() if note}


def revision_languages(testimony: Testimony, state: dict[str, Any]) -> list[dict[str, Any]]:
    """The languages a revision's snapshot (`state`) holds the testimony in, the main text's
    first (its language and kind as the testimony has them now: revisions do not keep them)."""
    main = languages(testimony)[0]
    return [main] + [
        {"code": held["language"], "kind": held["kind"], "translator": held.get("translator")}
        for held in state.get("texts") or []
    ]


def revision_texts(state: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A revision's passages in its other languages: anchor -> {code: text}."""
    found: dict[str, dict[str, str]] = {}
    for held in state.get("texts") or []:
        for passage in held["passages"]:
            found.setdefault(passage["anchor"], {})[held["language"]] = passage["text"]
    return found
