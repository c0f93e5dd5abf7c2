"""How text becomes search terms: the same rules at index time and at query time.

Names from Aleppo are written many ways. The analyzer folds case and accents, drops the Arabic
article written apart (al-, el-, a-, ash- ...) or attached (الـ), normalises Arabic script
(alef forms, taa marbuta, alef maqsura, diacritics, tatweel), and maps every spelling the
gazetteer knows to one canonical form, so that any spelling finds passages using another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.analyzers import Analyzer
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

# Arabic letters with their combining marks and tatweel stay inside one token.
TOKEN_PATTERN = r"[\w\u0610-\u061A\u064B-\u065F\u0670\u0640]+(?:['’][\w]+)?"

# The Arabic article and its assimilated forms, as transliterations write them apart.
ARTICLES = frozenset(
    [
        "al",
        "el",
        "il",
        "ul",
        "a",
        "e",
        "ad",
        "ed",
        "ash",
        "esh",
        "as",
        "es",
        "at",
        "et",
        "az",
        "ez",
        "an",
        "en",
        "ar",
        "er",
        "ath",
        "adh",
        "ath",
        "dh",
        "l",
    ]
)
ARTICLE_PREFIXES = ("al", "el")
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")  # compiled once: tested on every token
ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
# English words that some spellings of names coincide with; never rewrite them.
ENGLISH_WORDS = frozenset(
    [
        "said",
        "bab",
        "ain",
        "tal",
        "sham",
        "ash",
        "as",
        "at",
        "an",
        "in",
        "on",
        "of",
        "the",
        "and",
        "to",
    ]
)

# Words of place names that describe rather than name; translations move them about.
GENERIC_WORDS = frozenset(
    [
        "east",
        "eastern",
        "west",
        "western",
        "north",
        "northern",
        "south",
        "southern",
        "city",
        "countryside",
        "rural",
        "governorate",
        "province",
        "district",
        "neighbourhood",
        "neighborhood",
        "besieged",
        "old",
        "new",
        "شرق",
        "غرب",
        "شمال",
        "جنوب",
        "ريف",
        "محافظه",
        "مدينه",
        "حي",
    ]
)

ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "he",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "were",
        "will",
        "with",
        "i",
        "we",
        "you",
        "they",
        "our",
        "us",
        "me",
        "my",
    ]
)


def normalise_arabic(word: str) -> str:
    """Fold Arabic-script spelling differences that readers do not hear as different."""
    word = ARABIC_DIACRITICS.sub("", word)
    word = re.sub("[أإآٱ]", "ا", word).replace("ة", "ه").replace("ى", "ي")
    for prefix in ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


class ArabicFilter(Filter):
    """Normalise Arabic-script tokens; leave Latin tokens alone."""

    def __call__(self, tokens):
        for token in tokens:
            if ARABIC_LETTER.search(token.text):
                token.text = normalise_arabic(token.text)
            yield token


class ArticleFilter(Filter):
    """Drop the Arabic article when transliteration writes it as a word of its own."""

    def __call__(self, tokens):
        for token in tokens:
            if token.text not in ARTICLES:
                yield token


class SpellingFilter(Filter):
    """Replace each spelling the gazetteer knows with its canonical form.

    The table is kept with the index's schema, so that a query is analysed with the very
    table its index was built with; `reindex` takes up a changed gazetteer.
    """

    def __init__(self, table: dict[str, str] | None = None):
        self.table = dict(table or {})

    def __eq__(self, other):
        return isinstance(other, SpellingFilter) and self.table == other.table

    def __call__(self, tokens):
        table = self.table
        for token in tokens:
            text = token.text
            if text in table:
                token.text = table[text]
            elif text.startswith(ARTICLE_PREFIXES) and text[2:] in table:
                token.text = table[text[2:]]
            elif text.startswith(ARTICLE_PREFIXES) and text[2:] in table.values():
                token.text = text[2:]
            yield token


def _base_analyzer() -> Analyzer:
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | ArabicFilter()
        | ArticleFilter()
    )


def name_tokens(name: str) -> list[str]:
    """The normalised words of a name, before spellings are unified."""
    return [token.text for token in _base_analyzer()(name)]


def spelling_table(groups: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Build the variant -> canonical word table from (canonical name, spellings) groups.

    One-word names map whole. Longer names are aligned word by word when they have the same
    number of words, except for generic words (east, countryside, governorate ...), which a
    translation may reorder: "Aleppo governorate" is not word for word "محافظة حلب".
    """
    table: dict[str, str] = {}
    for canonical, spellings in groups:
        canonical_words = name_tokens(canonical)
        for spelling in spellings:
            words = name_tokens(spelling)
            if len(words) != len(canonical_words):
                continue
            if len(words) > 1 and GENERIC_WORDS.intersection(words + canonical_words):
                continue
            for variant, target in zip(words, canonical_words, strict=True):
                if variant != target and variant not in ENGLISH_WORDS and len(variant) > 1:
                    table.setdefault(variant, target)
    # A canonical word is never itself rewritten (keeps the table free of chains).
    return {variant: target for variant, target in table.items() if variant not in table.values()}


def text_analyzer(table: dict[str, str] | None = None) -> Analyzer:
    """Analyzer for the searchable text: normalised, spellings unified, English stemming."""
    return (
        _base_analyzer()
        | SpellingFilter(table)
        | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=1)
        | StemFilter(stemfn=porter_stem, ignore=set((table or {}).values()))
    )


def vocabulary_analyzer() -> Analyzer:
    """Analyzer for the "did you mean" vocabulary: real words, not stems."""
    return _base_analyzer() | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=3)
