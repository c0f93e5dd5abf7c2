"""Each word analysed once per process: `QuickAnalyzer`, for reading passages again.

A snippet marks the words a query matched by analysing the passage again; a fingerprint reads
a passage's normalised words. Both run often on text already seen word by word.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.analyzers import Analyzer, CompositeAnalyzer

from .analysis import (
    ENGLISH_STOP_WORDS,
    VOCABULARY_MINSIZE,
    ApostropheFilter,
    ArabicFilter,
    ArticleFilter,
    SpellingFilter,
    base_analyzer,
)
from .transliteration import AlefMaqsuraFilter, CaseTokenizer, NameKeyFilter

# Filters that read and change one token at a time, by its text alone (the spelling filter,
# which reads several words together, is the one that does not).
_ONE_WORD_FILTERS = (
    LowercaseFilter,
    CharsetFilter,
    ApostropheFilter,
    AlefMaqsuraFilter,
    ArabicFilter,
    ArticleFilter,
    StopFilter,
    StemFilter,
)
_CACHED_WORDS = 200_000  # per cache: it is emptied when it holds more


class QuickAnalyzer(CompositeAnalyzer):
    """A composite analyzer that gives the very tokens its chain gives, sooner: the index's
    analyzers are made quick (`documents.build_schema`), and a passage read again to mark
    what a query matched is too (`quick_tokens`).

    Running a text through the chain passes every word through every filter. Here the words
    are split by the tokenizer; each word's passage through the one-word filters before the
    spelling filter, and through those after it, is looked up (worked out the first time the
    word is seen); the spelling filter reads the words in order as in the chain; and the stop
    filter's dropping and renumbering is done as it does it. A chain of the name keys ends in
    their filter, which reads each token as the tokenizer marked it: it runs last, as in the
    chain. A chain of another shape, or a call with options this does not follow, runs as a
    plain composite analyzer.
    """

    def __init__(self, *composables):
        super().__init__(*composables)
        tokenizer, filters = self.items[0], self.items[1:]
        self._last = filters[-1:] if filters and isinstance(filters[-1], NameKeyFilter) else []
        filters = filters[: len(filters) - len(self._last)]
        spelling = [i for i, f in enumerate(filters) if isinstance(f, SpellingFilter)]
        at = spelling[0] if spelling else len(filters)
        self._spelling = filters[at] if spelling else None
        self._before, self._after = filters[:at], filters[at + 1 :]
        self._quick = (
            isinstance(tokenizer, (RegexTokenizer, CaseTokenizer))
            and len(spelling) <= 1
            and all(type(f) in _ONE_WORD_FILTERS for f in self._before + self._after)
            # words are renumbered last: after a spelling filter's words of several words
            and not (spelling and any(isinstance(f, StopFilter) for f in self._before))
        )
        self._renumber = any(isinstance(f, StopFilter) and f.renumber for f in filters)
        # word -> (what the filters make of it, stopped), None when they drop it
        self._seen_before: dict[str, tuple[str, bool] | None] = {}
        self._seen_after: dict[str, tuple[str, bool] | None] = {}

    # An index keeps its analyzers pickled with its schema: the chain, not the words seen.
    def __getstate__(self):
        return {"items": self.items}

    def __setstate__(self, state):
        self.__init__(*state["items"])

    def __eq__(self, other):
        return type(other) is type(self) and self.items == other.items

    __hash__ = None

    def __call__(self, value, no_morph=False, **options):
        if not self._quick or no_morph or options.get("keeporiginal"):
            return super().__call__(value, no_morph=no_morph, **options)
        return self._tokens(value, options)

    def _tokens(self, value, options) -> Iterator[Token]:
        tokens = _through(self.items[0](value, **options), self._before, self._seen_before)
        if self._spelling is not None:
            tokens = self._spelling(tokens)
            tokens = _through(tokens, self._after, self._seen_after)
        for last in self._last:
            tokens = last(tokens)
        if options.get("removestops", True):
            tokens = (token for token in tokens if not token.stopped)
        yield from _renumbered(tokens) if self._renumber else tokens


def _through(
    tokens: Iterable[Token], filters: list, seen: dict[str, tuple[str, bool] | None]
) -> Iterator[Token]:
    for token in tokens:
        if token.text in seen:
            found = seen[token.text]
        else:
            if len(seen) > _CACHED_WORDS:
                seen.clear()
            found = seen[token.text] = _one_word(filters, token.text)
        if found is not None:
            token.text, token.stopped = found
            yield token


def _renumbered(tokens: Iterable[Token]) -> Iterator[Token]:
    """Positions as `StopFilter(renumber=True)` gives them: the first word kept keeps its
    own, and each next one kept has the next."""
    pos = None
    for token in tokens:
        if token.positions and not token.stopped:
            pos = token.pos if pos is None else pos + 1
            token.pos = pos
        yield token


def _one_word(filters: list, text: str) -> tuple[str, bool] | None:
    """What one-word filters make of a word alone: (text, stopped), or None when dropped."""
    token = Token(positions=False, chars=False, removestops=False, mode="index")
    token.text, token.stopped, token.boost = text, False, 1.0
    tokens: Iterable[Token] = [token]
    for f in filters:
        tokens = f(tokens)
    out = [(t.text, t.stopped) for t in tokens]
    assert len(out) <= 1, "a one-word filter made several words of one"
    return out[0] if out else None


_QUICK: dict[int, tuple[Analyzer, QuickAnalyzer]] = {}


def quick_tokens(analyzer: Analyzer):
    """A function giving the tokens `analyzer(text, chars=True, positions=True,
    mode="index", removestops=False)` gives, for marking the words a query matched, from a
    `QuickAnalyzer` of the same chain (kept for the analyzers of the index in use)."""
    if not isinstance(analyzer, QuickAnalyzer):
        kept = _QUICK.get(id(analyzer))
        if kept is None or kept[0] is not analyzer:
            if len(_QUICK) > 8:
                _QUICK.clear()
            items = getattr(analyzer, "items", None)
            kept = _QUICK[id(analyzer)] = (analyzer, QuickAnalyzer(*items) if items else analyzer)
        analyzer = kept[1]
    options = {"positions": True, "chars": True, "mode": "index", "removestops": False}
    return lambda text: analyzer(text, **options)


_QUICK_BASE = QuickAnalyzer(base_analyzer())


@lru_cache(maxsize=1024)
def text_words(text: str) -> tuple[str, ...]:
    """The normalised words of a text (as `name_tokens`), kept for the texts read last: a
    passage's are read for its testimony's "did you mean" words, then for its fingerprint."""
    return tuple(token.text for token in _QUICK_BASE(text))


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """The "did you mean" words of `texts`, as the vocabulary's analyzer indexes them: their
    words less the stop words and those shorter than three letters (its `StopFilter`)."""
    return {
        word
        for text in texts
        for word in text_words(text)
        if len(word) >= VOCABULARY_MINSIZE and word not in ENGLISH_STOP_WORDS
    }
