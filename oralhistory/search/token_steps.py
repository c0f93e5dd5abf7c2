"""What Whoosh's one-word filters make of a word, and a stream of tokens passed through them
with each word's result kept: the steps `quick.QuickAnalyzer` is built from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from whoosh.analysis import Token
from whoosh.analysis.analyzers import Analyzer

CACHED_WORDS = 200_000  # per cache: it is emptied when it holds more
UNSEEN = object()  # not in a cache of words (where None means "no word")


def through(
    tokens: Iterable[Token], filters: list, seen: dict[str, tuple[str, bool] | None]
) -> Iterator[Token]:
    """`tokens` passed through one-word `filters`, each word's result looked up in `seen`
    (worked out the first time it is met); a word the filters drop is dropped."""
    for token in tokens:
        # one lookup: another thread may empty the cache between two
        found = seen.get(token.text, UNSEEN)
        if found is UNSEEN:
            if len(seen) > CACHED_WORDS:
                seen.clear()
            found = seen[token.text] = one_word(filters, token.text)
        if found is not None:
            token.text, token.stopped = found
            yield token


def token_spans(analyzer: Analyzer, text: str) -> list[tuple[str, int, int]]:
    """Each token's (text, startchar, endchar) as `analyzer` gives them for marking (stop
    words kept), from its stream of tokens."""
    options = {"positions": True, "chars": True, "mode": "index", "removestops": False}
    return [(token.text, token.startchar, token.endchar) for token in analyzer(text, **options)]


def renumbered(tokens: Iterable[Token]) -> Iterator[Token]:
    """Positions as `StopFilter(renumber=True)` gives them: the first word kept keeps its
    own, and each next one kept has the next."""
    pos = None
    for token in tokens:
        if token.positions and not token.stopped:
            pos = token.pos if pos is None else pos + 1
            token.pos = pos
        yield token


def one_word(filters: list, text: str) -> tuple[str, bool] | None:
    """What one-word filters make of a word alone: (text, stopped), or None when dropped."""
    token = Token(positions=False, chars=False, removestops=False, mode="index")
    token.text, token.stopped, token.boost = text, False, 1.0
    tokens: Iterable[Token] = [token]
    for f in filters:
        tokens = f(tokens)
    out = [(t.text, t.stopped) for t in tokens]
    assert len(out) <= 1, "a one-word filter made several words of one"
    return out[0] if out else None


@lru_cache(maxsize=2048)
def words_found(expression, text: str) -> list[str]:
    """The matches of a tokenizer's expression in `text`, as strings (not to be changed),
    kept for the texts read last: a passage's text is read by the index's analyzer of words
    and by that of its "did you mean" words."""
    return expression.findall(text)
