"""A key for Arabic names however they are written: in Latin letters or in Arabic script.

Every newspaper, agency and family writes the collection's names its own way: Qasim, Kassem,
Qassem, Kasim; Ramousah, Ramouseh, Ramosa, الراموسة. The gazetteer lists some spellings; the
key catches the rest. It keeps a name's consonants as Arabic hears them: q, k and c are one
sound; dh, th, z and d another; kh one letter, sh and ch another; the vowels, and the letters
that write long vowels (w, y, و, ي, ا), ayn and hamza and their marks (' ʿ ‘), and the final -ah
and -eh (taa marbuta) are dropped, and doubled letters written once. The same is done from
Arabic script, letter by letter, so a Latin spelling nobody listed and an Arabic spelling of a
name stored only in Latin letters meet on the same key.

The key is made for names only: the gazetteer's names and spellings, narrators' names, names
of organisations and the capitalised words of the collection at index time, and at query time
any word that is not an English word. An English word keeps its own meaning ("chasm" is not
read as Qasim), and the index stores no key for one, so the totals of common words do not
change. The analyzer below is used for indexing the `names_key` field and for reading the
query's words alike; only which words count as names differs, since a reader types names
without capitals.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, Tokenizer
from whoosh.analysis.analyzers import Analyzer
from whoosh.support.charset import accent_map

from .analysis import (
    ARABIC_LETTER,
    TOKEN_PATTERN,
    ApostropheFilter,
    ArabicFilter,
    ArticleFilter,
)
from .word_lists import ENGLISH_STOP_WORDS, ENGLISH_WORDS, GENERIC_WORDS

# Latin letters and pairs of letters, as the Arabic consonant they write; any other letter
# stands for itself, and vowels (with w and y) for nothing.
_LATIN = {
    "kh": "x",
    "gh": "g",
    "sh": "s",
    "ch": "s",
    "dj": "j",
    "zh": "d",
    "dh": "d",
    "th": "d",
    "ph": "f",
    "ck": "k",
    "q": "k",
    "c": "k",
    "z": "d",
    "p": "b",
    "v": "f",
}
_LATIN_UNITS = re.compile("|".join(sorted(_LATIN, key=len, reverse=True)) + "|.")
_LATIN_VOWELS = frozenset("aeiouyw")
_ARABIC = {
    "ب": "b",
    "ت": "t",
    "ث": "d",
    "ج": "j",
    "ح": "h",
    "خ": "x",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "d",
    "س": "s",
    "ش": "s",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "d",
    "غ": "g",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "پ": "b",
    "چ": "j",
    "گ": "g",
    "ڤ": "f",
}  # every other letter (alef, waw, ya, ayn, hamza) writes a vowel or nothing
# A final long i (the nisba -ī, ي) and its feminine -iya (ية, يا), as Latin letters write them:
# Masri, Masry, Shamee; Syria, Suriya, Amiriyah, Haidariyeh, Syrie, Turkey.
_FINAL_I = re.compile(r"(?:[^aeiouy][iy]|ee|ii|ey|ie|i?y[ae]h?|i[ae]h?)$")
# ayn, hamza and the marks transliterations write them with
_MARKS = re.compile("['ʿʾ‘’ʼ`]")
# A key of fewer letters than this says too little to match anything by.
MIN_KEY = 2


@lru_cache(maxsize=50000)
def name_key(word: str) -> str:
    """The key of one word, already normalised (lower case, accents folded, no article).

    "qasim", "kassem", "qassem" and "قاسم" all give "ksm"; "ramousah", "ramouseh" and
    "راموسه" give "rms". A final long i (the -i of "Masri", ي; the -iya of "Amiriyah", ية)
    is kept as "y", so that the family name "Masri" (msry) stays apart from the country "Misr"
    (msr), and al-Amiriyah (mry) from Omar (mr). An empty string when the word has no
    letters to key on.
    """
    word = _MARKS.sub("", word)
    if ARABIC_LETTER.search(word):
        final_i = word.endswith(("ي", "يه", "يا"))
        word = word.removesuffix("ه")  # taa marbuta (folded to ه), as the final -ah is
        letters = [_ARABIC.get(char, "a") for char in word]
    else:
        final_i = bool(_FINAL_I.search(word))
        if word.endswith("h") and word[-2:-1] in _LATIN_VOWELS:  # -ah, -eh
            word = word[:-1]
        letters = [_LATIN.get(unit, unit) for unit in _LATIN_UNITS.findall(word)]
        if not all(letter.isalpha() for letter in letters):
            return ""  # a word with digits is no name
    # A letter written twice running is one letter; vowels between keep both ("hanano").
    single = [letter for i, letter in enumerate(letters) if i == 0 or letters[i - 1] != letter]
    key = "".join(letter for letter in single if letter not in _LATIN_VOWELS)
    return key + "y" if final_i and key else key


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    # Loaded on first use (0.1 s, a few MB): web2's common nouns, without its proper names.
    from english_words import get_english_words_set

    return frozenset(word for word in get_english_words_set(["web2"]) if word.islower())


@lru_cache(maxsize=50000)
def is_english(word: str) -> bool:
    """Whether `word` (lower case) is an English word, or a plain inflection of one."""
    if word in ENGLISH_WORDS or word in ENGLISH_STOP_WORDS or word in GENERIC_WORDS:
        return True
    words = _dictionary()
    stems = [word]
    for ending, replacement in (
        ("s", ""),
        ("es", ""),
        ("ies", "y"),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("'s", ""),
    ):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stems.append(word[: -len(ending)] + replacement)
    return any(stem in words for stem in stems)


class AlefMaqsuraFilter(Filter):
    """Write alef maqsura (ى, a final a: مصطفى) as alef, before `ArabicFilter` folds it into
    ya, so that its key is that of "Mustafa" and not of a name ending in -i."""

    def __call__(self, tokens):
        for token in tokens:
            if "ى" in token.text:
                token.text = token.text.replace("ى", "ا")
            yield token


class CaseTokenizer(Tokenizer):
    """Words as `TOKEN_PATTERN` finds them, each marked with whether it is capitalised inside
    a sentence (not its first word): in running text, that is how a name looks."""

    _words = RegexTokenizer(TOKEN_PATTERN)
    _sentence_end = re.compile(r"(?:^|[.!?:;\"“”‘(\[\n—–]\s*|\s['’]\s*)$")

    def __call__(self, value, **options):
        for token in self._words(value, **dict(options, chars=True)):
            text = token.text
            before = value[max(0, token.startchar - 3) : token.startchar]
            token.capitalised = (
                text[:1].isupper()
                and not text.isupper()
                and token.startchar > 0
                and not self._sentence_end.search(before)
            )
            yield token


class NameKeyFilter(Filter):
    """Replace each name-like word with its key; drop every other word.

    `known` holds the words of every name the gazetteer lists (normalised): those are names
    wherever they stand. At index time a word is also a name when it is capitalised inside a
    sentence and is not an English word, or is in Arabic script; at query time, when it is
    not an English word.
    """

    def __init__(self, known: frozenset[str] | set[str] = frozenset()):
        self.known = frozenset(known)

    def __eq__(self, other):
        return isinstance(other, NameKeyFilter) and self.known == other.known

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if not self._name_like(token, text):
                continue
            key = name_key(text)
            if len(key) >= MIN_KEY:
                token.text = key
                yield token

    def _name_like(self, token, text: str) -> bool:
        if len(text) < 3 or text in ENGLISH_WORDS or text in GENERIC_WORDS:
            return False
        if text in self.known or ARABIC_LETTER.search(text):
            return True
        if getattr(token, "mode", "") == "query":
            return not is_english(text)
        return getattr(token, "capitalised", False) and not is_english(text)


def name_key_analyzer(known: frozenset[str] | set[str] = frozenset()) -> Analyzer:
    """Analyzer for the `names_key` field: the keys of the name-like words of a text."""
    return (
        CaseTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | ApostropheFilter()
        | AlefMaqsuraFilter()
        | ArabicFilter()
        | ArticleFilter()
        | NameKeyFilter(known)
    )
