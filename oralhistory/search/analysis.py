"""How text becomes search terms: the same rules at index time and at query time.

Names from Aleppo are written many ways. The analyzer folds case and accents, drops the Arabic
article written apart (al-, el-, a-, ash- ...) or attached (الـ), normalises Arabic script
(alef forms, taa marbuta, alef maqsura, diacritics, tatweel), and maps every spelling the
gazetteer knows to one canonical form, so that any spelling finds passages using another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

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
TOKEN_PATTERN = r"[\w\u0610-\u061A\u064B-\u065F\u0670\u0640]+(?:['’ʼ‘][\w]+)?"

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
# Conjunctions and prepositions written onto the word that follows (and, so, in, for, like).
ARABIC_PROCLITICS = ("و", "ف", "ب", "ل", "ك")
# English words that some spellings of names coincide with; never rewrite them.
ENGLISH_WORDS = frozenset(
    [
        "said",
        "tall",
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
        "area",
        "bridge",
        "brigade",
        "camp",
        "crossing",
        "housing",
        "junction",
        "market",
        "quarter",
        "road",
        "square",
        "street",
        "town",
        "village",
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


class ApostropheFilter(Filter):
    """Write every apostrophe as ' (don’t, don't) and drop the English possessive 's."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text.replace("’", "'").replace("ʼ", "'").replace("‘", "'")
            token.text = text[:-2] if text.endswith("'s") and len(text) > 3 else text
            yield token


class ArticleFilter(Filter):
    """Drop the Arabic article when transliteration writes it as a word of its own."""

    def __call__(self, tokens):
        for token in tokens:
            if token.text not in ARTICLES:
                yield token


class SpellingFilter(Filter):
    """Replace each spelling the gazetteer knows with its canonical form.

    The table maps a spelling to its canonical form, each one word or several separated by
    spaces. A spelling of several words is replaced only when all its words come together, so
    that "Sheikh Said" becomes "sheikh saeed" while the English word "said" alone stays as it is.
    A word with the article attached ("alhalabi", "assalheen", "وحلب") is read without it when
    the rest is a spelling the table knows.

    The table is kept with the index's schema, so that a query is analysed with the very
    table its index was built with; `reindex` takes up a changed gazetteer.
    """

    def __init__(self, table: dict[str, str] | None = None):
        self.table = dict(table or {})
        self._derive()

    def _derive(self) -> None:
        self.words = {key: value for key, value in self.table.items() if " " not in key}
        self.phrases = {
            tuple(key.split()): value for key, value in self.table.items() if " " in key
        }
        self.longest = max(map(len, self.phrases), default=1)
        self.starts = {phrase[0] for phrase in self.phrases}  # words a phrase may begin with
        self.known = set(self.words).union(*(value.split() for value in self.table.values()))
        self._canonical: dict[str, str] = {}

    def __getstate__(self):
        return {"table": self.table}

    def __setstate__(self, state):
        # Indexes keep a pickled copy of this filter; derive what an older copy lacks.
        self.__dict__.update(state)
        self._derive()

    def __eq__(self, other):
        return isinstance(other, SpellingFilter) and self.table == other.table

    def canonical(self, word: str) -> str:
        """The canonical form of one word (several words when the gazetteer says so)."""
        if word not in self._canonical:
            if word in self.words:
                self._canonical[word] = self.words[word]
            else:
                rest = without_attached_article(word, self.known)
                self._canonical[word] = self.words.get(rest, rest) if rest else word
        return self._canonical[word]

    def __call__(self, tokens):
        window = []  # copies of the tokens that may still begin a spelling of several words
        for token in tokens:
            if not window and token.text not in self.starts:
                yield from self._emit(token)  # the common case: no copy, no look-ahead
                continue
            window.append(token.copy())
            if len(window) == self.longest:
                yield from self._emit_first(window)
        while window:
            yield from self._emit_first(window)

    def _emit(self, token) -> Iterable:
        value = self.canonical(token.text)
        return (token,) if value == token.text else _retext(token, [token], value)

    def _emit_first(self, window: list) -> Iterable:
        if window[0].text in self.starts:
            for n in range(len(window), 1, -1):
                value = self.phrases.get(tuple(token.text for token in window[:n]))
                if value:
                    covered = window[:n]
                    del window[:n]
                    return _retext(covered[0], covered, value)
        return self._emit(window.pop(0))


def _retext(first, covered: list, value: str) -> Iterable:
    """Yield the words of `value` as tokens spanning the text that `covered` spanned."""
    words = value.split()
    for i, word in enumerate(words):
        token = first if i == 0 else first.copy()
        token.text = word
        if i == len(words) - 1 and hasattr(covered[-1], "endchar"):
            token.endchar = covered[-1].endchar
        yield token


def without_attached_article(word: str, known: set[str]) -> str | None:
    """`word` without an attached Arabic article or proclitic, when the rest is a known word.

    "alhalabi" and "elhalabi" give "halabi"; the assimilated article written attached
    ("assalheen", "ashshaar") gives "salheen", "shaar"; in Arabic script the conjunctions and
    prepositions written onto a name ("وحلب", "بحلب") give "حلب".
    """
    candidates = []
    if word[:2] in ARTICLE_PREFIXES:
        candidates.append(word[2:])
    for n in (1, 2):
        if word[:1] in ("a", "e") and word[1 : 1 + n] == word[1 + n : 1 + 2 * n]:
            candidates.append(word[1 + n :])
    if word[:1] in ARABIC_PROCLITICS:
        candidates.append(word[1:])
    return next((rest for rest in candidates if len(rest) >= 3 and rest in known), None)


def base_analyzer() -> Analyzer:
    """Words split and normalised (case, accents, apostrophes, Arabic letters, articles)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | ApostropheFilter()
        | ArabicFilter()
        | ArticleFilter()
    )


_BASE_ANALYZER = base_analyzer()


def name_tokens(name: str) -> list[str]:
    """The normalised words of a name, before spellings are unified."""
    return list(_name_tokens(name))


@lru_cache(maxsize=20000)
def _name_tokens(name: str) -> tuple[str, ...]:
    # Names (the gazetteer's above all) are normalised again and again: once is enough.
    return tuple(token.text for token in _BASE_ANALYZER(name))


def spelling_table(groups: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Build the spelling -> canonical form table from (canonical name, spellings) groups.

    Names of the same number of words are aligned word by word ("Hajj Qassim" -> "haj qasim"),
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


def text_analyzer(table: dict[str, str] | None = None) -> Analyzer:
    """Analyzer for the searchable text: normalised, spellings unified, English stemming."""
    return (
        base_analyzer()
        | SpellingFilter(table)
        | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=1)
        # Each word is stemmed once per process by the quick analyzers' own look-ups
        # (`quick.QuickAnalyzer`): Whoosh's cache of stems, which drops its least used tenth
        # whenever it is full, would cost more than it saves (cachesize None: none).
        | StemFilter(stemfn=porter_stem, ignore=canonical_words(table or {}), cachesize=None)
    )


def canonical_words(table: dict[str, str]) -> set[str]:
    """Every word of the canonical forms: names, which are never stemmed."""
    return {word for value in table.values() for word in value.split()}


VOCABULARY_MINSIZE = 3  # letters: shorter words are never suggested


def vocabulary_analyzer() -> Analyzer:
    """Analyzer for the "did you mean" vocabulary: real words, not stems."""
    return base_analyzer() | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=VOCABULARY_MINSIZE)
