"""Each word analysed once per process: `QuickAnalyzer`, for indexing and reading passages.

Indexing analyses every passage's words and its names; a snippet marks the words a query
matched by analysing the passage again; a fingerprint reads a passage's normalised words.
All run often on words already seen. The steps the analyzer is built from are in
`token_steps`; the words of texts read through it, kept per process, in `text_words`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.analyzers import CompositeAnalyzer

from .analysis import ApostropheFilter, ArabicFilter, ArticleFilter, SpellingFilter
from .token_steps import (
    CACHED_WORDS,
    UNSEEN,
    one_word,
    renumbered,
    through,
    token_spans,
    words_found,
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
_INDEXING = frozenset({"positions", "boosts", "mode"})  # the options of Whoosh's indexing
_DROPPED = ("", (), False)  # a word the filters before the spelling filter drop


class QuickAnalyzer(CompositeAnalyzer):
    """A composite analyzer that gives the very tokens its chain gives, sooner: the index's
    analyzers are made quick (`documents.build_schema`), and a passage read again to mark
    what a query matched is too (`quick_spans`).

    Running a text through the chain passes every word through every filter. Here the words
    are split by the tokenizer; each word's passage through the one-word filters before the
    spelling filter, and through those after it, is looked up (worked out the first time the
    word is seen); the spelling filter reads the words in order as in the chain; and the stop
    filter's dropping and renumbering is done as it does it. A chain of the name keys ends in
    their filter, which reads each token as the tokenizer marked it: it runs last, as in the
    chain. A chain of another shape, or a call with options this does not follow, runs as a
    plain composite analyzer.

    Where tokens are only read, not passed on, no stream of tokens is made at all: as Whoosh
    indexes a field (`positions`, `_keys`) and as a snippet marks a passage (`spans`), the
    tokenizer's expression finds the words and what each one ends as is looked up whole
    (`_entry`, `_key_entry`), the words that may begin a spelling of several words read with
    the next ones as the spelling filter reads them (`_spelled`).
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
        # a word of a text -> what it is there (`_entry`)
        self._entries: dict[str, tuple[str, tuple[tuple[str, bool], ...], bool]] = {}
        # and, from the same look-up: the words it ends as alone that are not stop words, and
        # the words of a text that may begin a spelling of several words
        self._kept: dict[str, tuple[str, ...]] = {}
        self._begins: set[str] = set()
        self._fused = (
            self._quick
            and type(tokenizer) is RegexTokenizer
            and not tokenizer.gaps
            and not self._last
        )
        # the words of a text, as strings, when the tokenizer's expression has no groups
        self._findall = None
        if self._fused and not tokenizer.expression.groups:
            self._findall = partial(words_found, tokenizer.expression)
        # the name keys: read word by word as well, when indexed
        self._keyed = self._quick and type(tokenizer) is CaseTokenizer and bool(self._last)
        self._key_entries: dict[str, tuple[str | None, str | None, bool]] = {}

    # An index keeps its analyzers pickled with its schema: the chain, not the words seen.
    # Each new generation of the index (each commit) is read with its schema unpickled
    # again: an analyzer of a chain this process already uses is that very one, with every
    # word it has seen (`shared_analyzer`), so a commit leaves no search, and no indexing,
    # to look up every word anew.
    def __reduce__(self):
        return (shared_analyzer, tuple(self.items))

    def __setstate__(self, state):  # an analyzer pickled by an earlier version
        self.__init__(*state["items"])

    def __eq__(self, other):
        return type(other) is type(self) and self.items == other.items

    __hash__ = None

    def __call__(self, value, no_morph=False, **options):
        if not self._quick or no_morph or options.get("keeporiginal"):
            return super().__call__(value, no_morph=no_morph, **options)
        if options.get("positions") and _INDEXING.issuperset(options):  # as Whoosh indexes
            if self._fused:
                return self._indexed(self.positions(value), options)
            if self._keyed and options.get("mode") == "index":
                # the tokenizer of names reads each word's characters
                return self._indexed(self._keys(value), options, chars=True)
        return self._tokens(value, options)

    def indexed(self, text: str) -> list[tuple[str, int]] | None:
        """Each token's (text, pos), as Whoosh indexes a field of `text` (`self(text,
        positions=True, boosts=True, mode="index")`); None for a chain read otherwise."""
        if self._fused:
            return self.positions(text)
        if self._keyed:
            return [(key, pos) for key, pos, _, _ in self._keys(text)]
        return None

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """Each token's (text, startchar, endchar), as `self(text, chars=True,
        positions=True, mode="index", removestops=False)` gives them: for marking."""
        if not self._fused:
            return token_spans(self, text)
        return [(word, start, end) for word, _, start, end, _ in self._read(text)]

    def positions(self, text: str) -> list[tuple[str, int]]:
        """Each token's (text, pos), as `self(text, positions=True, mode="index")` gives
        them: for indexing (a chain `_fused` only)."""
        found = self._kept_words(text)
        if found is not None:  # each word of the text, as the words kept of it
            if not self._renumber:
                return [(word, pos) for pos, words in enumerate(found) for word in words]
            kept = list(chain.from_iterable(found))
            first = next((pos for pos, words in enumerate(found) if words), 0)
            return list(zip(kept, range(first, first + len(kept))))
        read = self._read(text, chars=False)
        kept = [(word, pos) for word, stopped, _, _, pos in read if not stopped]
        if self._renumber and kept:
            first = kept[0][1]
            return [(word, first + n) for n, (word, _) in enumerate(kept)]
        return kept

    def words(self, text: str) -> list[str]:
        """The tokens' texts alone (a chain `_fused` only)."""
        found = self._kept_words(text)
        if found is None:
            return [word for word, stopped, *_ in self._read(text, chars=False) if not stopped]
        return list(chain.from_iterable(found))

    def _kept_words(self, text: str) -> list[tuple[str, ...]] | None:
        """For each word of `text` (each match of the tokenizer's expression), the words kept
        of it, looked up without a loop in Python: None when a word was never seen or may
        begin a spelling of several words (read then by `_read`)."""
        if self._findall is None:
            return None
        raws = self._findall(text)
        try:
            found = list(map(self._kept.__getitem__, raws))
        except KeyError:
            return None
        return found if self._begins.isdisjoint(raws) else None

    def _read(self, text: str, chars: bool = True) -> list[tuple[str, bool, int, int, int]]:
        """The chain's tokens of `text`, stop words kept, as (text, stopped, startchar,
        endchar, pos), numbered as the tokenizer numbers the words: without a stream of
        tokens, the words matched by the tokenizer's expression and each one looked up.
        Without `chars`, every token's startchar and endchar are 0."""
        entries, words, begins = self._entries, [], False
        if chars or self._findall is None:
            found = (
                (match.group(), match.start(), match.end())
                for match in self.items[0].expression.finditer(text)
            )
        else:
            found = ((raw, 0, 0) for raw in self._findall(text))
        for pos, (raw, start, end) in enumerate(found):
            entry = entries.get(raw) or self._entry(raw)
            if entry is not _DROPPED:
                words.append((entry, start, end, pos))
                begins = begins or entry[2]
        if begins:
            return self._spelled(words)
        return [
            (each, stopped, start, end, pos)
            for (_, ends_as, _), start, end, pos in words
            for each, stopped in ends_as
        ]

    def _entry(self, raw: str) -> tuple[str, tuple[tuple[str, bool], ...], bool]:
        """What a word of a text is, looked up: the word the filters before the spelling
        filter make of it; the words it ends as alone (each with whether it is a stop
        word); whether it may begin a spelling of several words."""
        if len(self._entries) > CACHED_WORDS:
            self._entries.clear()
            self._kept.clear()
            self._begins.clear()
        found = one_word(self._before, raw)
        if found is None:
            entry = _DROPPED
        elif self._spelling is None:
            entry = (found[0], (found,), False)
        else:
            spelled = map(self._after_word, self._spelling.canonical(found[0]).split())
            ends_as = tuple(word for word in spelled if word is not None)
            entry = (found[0], ends_as, found[0] in self._spelling.starts)
        self._entries[raw] = entry
        self._kept[raw] = tuple(word for word, stopped in entry[1] if not stopped)
        if entry[2]:
            self._begins.add(raw)
        return entry

    def _after_word(self, word: str) -> tuple[str, bool] | None:
        # one lookup: another thread may empty the cache between two
        found = self._seen_after.get(word, UNSEEN)
        if found is UNSEEN:
            if len(self._seen_after) > CACHED_WORDS:
                self._seen_after.clear()
            found = self._seen_after[word] = one_word(self._after, word)
        return found

    def _spelled(self, words: list) -> list[tuple[str, bool, int, int, int]]:
        """`_read`'s tokens as the spelling filter reads the words: one that may begin a
        spelling of several words is read with the next ones, the longest spelling first;
        its words then span their characters, at the first one's position."""
        spelling, found, i = self._spelling, [], 0
        while i < len(words):
            (_, ends_as, begins), start, end, pos = words[i]
            size = 1
            if begins:
                for size in range(min(spelling.longest, len(words) - i), 0, -1):
                    value = spelling.phrases.get(tuple(w[0][0] for w in words[i : i + size]))
                    if value or size == 1:
                        break
            if size == 1:
                found.extend((each, stopped, start, end, pos) for each, stopped in ends_as)
            else:
                # as the spelling filter writes them: the last word ends where the spelling
                # does, the others where its first word does
                parts = value.split()
                last = words[i + size - 1][2]
                for n, part in enumerate(parts):
                    kept = self._after_word(part)
                    if kept is not None:
                        ends = last if n == len(parts) - 1 else end
                        found.append((kept[0], kept[1], start, ends, pos))
            i += size
        return found

    def _keys(self, text: str) -> list[tuple[str, int, int, int]]:
        """Each token's (text, pos, startchar, endchar), as a chain of name keys gives them
        when indexing: a word's key is looked up, and whether it is capitalised inside a
        sentence is read from the text only where its key depends on it."""
        tokenizer, entries, found = self.items[0], self._key_entries, []
        for pos, match in enumerate(tokenizer._words.expression.finditer(text)):
            key, key_if_capitalised, depends = entries.get(match.group()) or self._key_entry(
                match.group()
            )
            start = match.start()
            if depends:
                before = text[max(0, start - 3) : start]
                if start > 0 and not tokenizer._sentence_end.search(before):
                    key = key_if_capitalised
            if key is not None:
                found.append((key, pos, start, match.end()))
        return found

    def _key_entry(self, raw: str) -> tuple[str | None, str | None, bool]:
        """A word's key (None: it has none) when it is not capitalised inside a sentence,
        when it is, and whether the two differ for it."""
        if len(self._key_entries) > CACHED_WORDS:
            self._key_entries.clear()
        found = one_word(self._before, raw)
        keys = []
        for capitalised in (False, True):
            if found is None:
                keys.append(None)
                continue
            token = Token(positions=False, chars=False, removestops=False, mode="index")
            token.text, token.stopped, token.boost = found[0], found[1], 1.0
            token.capitalised = capitalised
            tokens: Iterable[Token] = [token]
            for last in self._last:
                tokens = last(tokens)
            keys.append(next((t.text for t in tokens), None))
        may_be_capitalised = raw[:1].isupper() and not raw.isupper()
        entry = (keys[0], keys[1], may_be_capitalised and keys[0] != keys[1])
        self._key_entries[raw] = entry
        return entry

    @staticmethod
    def _indexed(read: list[tuple], options: dict, chars: bool = False) -> Iterator[Token]:
        """Tokens of (text, pos), or of (text, pos, startchar, endchar) with `chars`."""
        token = Token(positions=True, chars=chars, removestops=True, mode=options.get("mode", ""))
        token.boost, token.stopped = 1.0, False
        if chars:
            for token.text, token.pos, token.startchar, token.endchar in read:
                yield token
        else:
            for token.text, token.pos in read:
                yield token

    def _tokens(self, value, options) -> Iterator[Token]:
        tokens = through(self.items[0](value, **options), self._before, self._seen_before)
        if self._spelling is not None:
            tokens = self._spelling(tokens)
            tokens = through(tokens, self._after, self._seen_after)
        for last in self._last:
            tokens = last(tokens)
        if options.get("removestops", True):
            tokens = (token for token in tokens if not token.stopped)
        yield from renumbered(tokens) if self._renumber else tokens


_SHARED: list[QuickAnalyzer] = []  # the analyzers unpickled in this process, the last few


def shared_analyzer(*items) -> QuickAnalyzer:
    """The analyzer of this chain that this process already uses, or a new one."""
    made = QuickAnalyzer(*items)
    for analyzer in _SHARED:
        if analyzer == made:
            return analyzer
    if len(_SHARED) >= 8:
        del _SHARED[0]
    _SHARED.append(made)
    return made
