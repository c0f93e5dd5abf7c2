"""How text becomes search terms: the same rules at index time and at query time.

Names from Aleppo are written many ways. The analyzer folds case and accents, drops the Arabic
article written apart (al-, el-, a-, ash- ...) or attached (الـ), normalises Arabic script
(alef forms, taa marbuta, alef maqsura, diacritics, tatweel), and maps every spelling the
gazetteer knows to one canonical form, so that any spelling finds passages using another.
The word lists it reads are in `word_lists`; the spelling table is built in `spellings`.
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

from .word_lists import (
    ARABIC_PREFIXES,
    ARABIC_PROCLITICS,
    ARTICLE_PREFIXES,
    ARTICLES,
    ENGLISH_STOP_WORDS,
)

# Arabic letters with their combining marks and tatweel stay inside one token.
TOKEN_PATTERN = r"[\w\u0610-\u061A\u064B-\u065F\u0670\u0640]+(?:['’ʼ‘][\w]+)?"

ARABIC_LETTER = re.compile("[\u0600-\u06ff]")  # compiled once: tested on every token
ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")


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
    A word with the article attached ("almasri", "assalheen", "وحلب") is read without it when
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

    "almasri" and "elmasri" give "masri"; the assimilated article written attached
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
