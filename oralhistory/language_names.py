"""Languages as plain values, for pages and citations: the direction a language is written
in, and what a citation says of the language of the text it cites. No record, no Flask."""

from __future__ import annotations

from typing import Any

# Languages written right to left (their primary subtags), and scripts that are.
RTL_LANGUAGES = frozenset(
    "ar arc apc acm acw aeb ajp arq ars ary arz afb ckb dv fa he prs ps sd syr ug ur yi".split()
)
RTL_SCRIPTS = frozenset(["arab", "hebr", "syrc", "thaa", "nkoo", "adlm"])


def direction(code: str) -> str:
    """`rtl` or `ltr`: the direction a text in the language `code` (BCP 47) is written in."""
    subtags = code.lower().split("-")
    if any(subtag in RTL_SCRIPTS for subtag in subtags[1:]):
        return "rtl"
    if any(subtag in {"latn", "cyrl"} for subtag in subtags[1:]):
        return "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


def _english_name(code: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code, sep="-").get_display_name("en") or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def citation_note(held: list[dict[str, Any]], code: str | None = None) -> str | None:
    """What a citation says of the language of the text it cites (`code`, by default the
    main text's), in English as citations are: "English translation from Arabic", "Arabic
    original"; None for the one text of a testimony held in one language, as its original."""
    if not held:
        return None
    cited = next((entry for entry in held if entry["code"] == code), held[0])
    name = _english_name(cited["code"])
    if cited["kind"] == "original":
        return f"{name} original" if len(held) > 1 else None
    original = next((entry for entry in held if entry["kind"] == "original"), None)
    return (
        f"{name} translation from {_english_name(original['code'])}"
        if original
        else (f"{name} translation")
    )


def cited_translator(held: list[dict[str, Any]], code: str | None = None) -> str | None:
    """The translator of the text a citation cites (`code`, by default the main text)."""
    cited = next((entry for entry in held if entry["code"] == code), held[0] if held else None)
    return cited.get("translator") if cited else None
