"""The words of texts and the spans of their tokens, read through quick analyzers
(`quick.QuickAnalyzer`) and kept per process: a passage's normalised words, its "did you
mean" words, and the characters a snippet marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache, partial

from whoosh.analysis.analyzers import Analyzer

from .analysis import VOCABULARY_MINSIZE, base_analyzer
from .quick import QuickAnalyzer
from .token_steps import token_spans
from .word_lists import ENGLISH_STOP_WORDS

_QUICK: dict[int, tuple[Analyzer, QuickAnalyzer]] = {}


def quick_spans(analyzer: Analyzer):
    """A function giving the (text, startchar, endchar) of the tokens `analyzer(text,
    chars=True, positions=True, mode="index", removestops=False)` gives, for marking the
    words a query matched, from a `QuickAnalyzer` of the same chain (kept for the analyzers
    of the index in use)."""
    if not isinstance(analyzer, QuickAnalyzer):
        kept = _QUICK.get(id(analyzer))
        if kept is None or kept[0] is not analyzer:
            if len(_QUICK) > 8:
                _QUICK.clear()
            items = getattr(analyzer, "items", None)
            kept = _QUICK[id(analyzer)] = (analyzer, QuickAnalyzer(*items) if items else None)
        if kept[1] is None:  # not a chain: its own tokens
            return partial(token_spans, analyzer)
        analyzer = kept[1]
    return analyzer.spans


_QUICK_BASE = QuickAnalyzer(base_analyzer())


@lru_cache(maxsize=1024)
def text_words(text: str) -> tuple[str, ...]:
    """The normalised words of a text (as `name_tokens`), kept for the texts read last: a
    passage's are read for its testimony's "did you mean" words, then for its fingerprint."""
    return tuple(_QUICK_BASE.words(text))


def vocabulary_words(texts: Iterable[str]) -> set[str]:
    """The "did you mean" words of `texts`, as the vocabulary's analyzer indexes them: their
    words less the stop words and those shorter than three letters (its `StopFilter`)."""
    return {
        word
        for text in texts
        for word in text_words(text)
        if len(word) >= VOCABULARY_MINSIZE and word not in ENGLISH_STOP_WORDS
    }
