"""The spelling table: every spelling the gazetteer knows mapped to its canonical form, built
from its groups of names (`spelling_table`), for the analysis's `SpellingFilter`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .analysis import canonical_words, name_tokens
from .word_lists import ENGLISH_WORDS, GENERIC_WORDS


def spelling_table(groups: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Build the spelling -> canonical form table from (canonical name, spellings) groups.

    Names of the same number of words are aligned word by word ("Hajj Hassan" -> "haj hasan"),
    unless their generic words (east, countryside, governorate ...) stand in different places,
    as a translation may reorder them: "Aleppo governorate" is not word for word "محافظة حلب",
    nor "Rural Damascus" "Damascus countryside"; "western Aleppo" is "west Aleppo". A word
    that is also an English word ("said", "bab") is never rewritten alone: the spelling is
    then kept whole ("sheikh said" -> "sheikh saeed"), as is a spelling of several words for a
    one-word name ("حزب الله" -> "hezbollah"). A spelling that contains the canonical name
    ("Masaken Hanano") needs no entry: its words find the name already.
    """
    table: dict[str, str] = {}
    for canonical, spellings in groups:
        names = name_tokens(canonical)
        for spelling in spellings:
            words = name_tokens(spelling)
            if not words or words == names or set(names) <= set(words):
                continue
            if len(words) > 1 and _generic_at(words) != _generic_at(names):
                continue
            if len(words) == len(names):
                pairs = [(v, t) for v, t in zip(words, names, strict=True) if v != t]
                unsafe = [v for v, t in pairs if _unsafe(v, t)]
                for variant, target in pairs:
                    if variant not in unsafe:
                        table.setdefault(variant, target)
                # A name whose English-looking word is part of it is rewritten whole; a
                # generic word that is not a form of its counterpart keeps its meaning.
                if unsafe and len(words) > 1 and not GENERIC_WORDS.intersection(unsafe):
                    table.setdefault(" ".join(words), " ".join(names))
            elif len(names) == 1:
                table.setdefault(" ".join(words), names[0])
    # A canonical word is never itself rewritten (keeps the table free of chains).
    targets = canonical_words(table)
    return {variant: target for variant, target in table.items() if variant not in targets}


def _unsafe(variant: str, target: str) -> bool:
    # An English word, a lone letter, or a generic word standing for another generic word
    # ("besieged Aleppo" for "east Aleppo") would be rewritten wherever it occurs; of generic
    # words only forms of one another ("western", "west") are.
    if variant in ENGLISH_WORDS or len(variant) < 2:
        return True
    generic = variant in GENERIC_WORDS or target in GENERIC_WORDS
    return generic and not (variant.startswith(target) or target.startswith(variant))


def _generic_at(words: list[str]) -> list[int]:
    return [i for i, word in enumerate(words) if word in GENERIC_WORDS]
