"""Which language of a passage a search matched, and its snippet in that language.

A passage's document holds its main text (`text`) and its words in its testimony's other
languages (`translation`, each kept by language in `translations`), analysed alike. A hit
matched in the main text (or its note, or what the archive says of its narrator) is shown
from the main text; one matched only in another language is shown from that language's text,
and says which (`None`: the main text).
"""

from __future__ import annotations

from . import marks, snippets

# the fields that hold the main text's words: a match there is shown from the main text
MAIN_TEXT_FIELDS = frozenset(["text", "note"])


def matched_language(
    results, hit, matched_in: list[str], want: marks.Wanted, text_spans: list | None
) -> tuple[str, str] | None:
    """(language, snippet) when the hit matched in another language than its main text's
    alone; else None. `text_spans`: where the name keys stand in the main text, when the hit
    matched by keys alone (`snippets.key_spans`)."""
    translations = hit.get("translations") or []
    if not translations or MAIN_TEXT_FIELDS & set(matched_in) or text_spans:
        return None
    schema = results.searcher.schema
    if "translation" in matched_in:
        for code, text in translations:
            marked = snippets.field_snippet(results, "translation", text)
            if "<mark>" in marked:
                return code, marked
    if "name_keys" in matched_in:  # a name in another language, by its key
        for code, text in translations:
            spans = snippets.key_spans(schema, text, want)
            if spans:
                return code, snippets.key_snippet(text, spans)
    return None
