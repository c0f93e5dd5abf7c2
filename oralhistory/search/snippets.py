"""Snippets: a hit's passage, or the best of it, with what the query matched marked.

The passage's words are read again to find where the matched words stand, with each word's
analysis looked up rather than run anew (`text_words.quick_spans`): the same words and
characters the field's analyzer gives, without a stream of tokens, so that a page of hits is
marked quickly. Whoosh's own fragmenters and formatter then cut and mark them.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from whoosh import highlight
from whoosh.fields import Schema

from . import marks
from .text_words import quick_spans

SNIPPET_CHARS = 360

_WHOLE = highlight.WholeFragmenter()
_CONTEXT = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=90)


class MarkFormatter(highlight.HtmlFormatter):
    """Snippets as escaped text with each run of matched words in a plain `<mark>`."""

    def __init__(self, phrase: bool = False):
        super().__init__(between=" … ")
        self.phrase = phrase  # the query holds a phrase: its small words are marked with it

    def format_token(self, text, token, replace=False):
        """One matched token of `text`, escaped, in a `<mark>`."""
        return f"<mark>{escape(highlight.get_text(text, token, replace), quote=False)}</mark>"

    def format_fragment(self, fragment, replace=False):
        """A fragment's text, escaped, each run of matched words in one `<mark>`."""
        start, end = fragment.startchar, fragment.endchar
        spans = sorted(
            (token.startchar - start, token.endchar - start)
            for token in fragment.matches
            if token.startchar is not None and start <= token.startchar and token.endchar <= end
        )
        text = fragment.text[start:end]
        return marks.marked(text, marks.join_runs(text, spans, self.phrase))

    def format(self, fragments, replace=False):
        """The snippet: its fragments joined, with an ellipsis wherever the passage goes on."""
        # An ellipsis wherever the snippet leaves out part of the passage, so that a reader
        # never takes a cut fragment for the narrator's whole sentence.
        if not fragments:
            return ""
        snippet = self.between.join(self.format_fragment(f, replace=replace) for f in fragments)
        if fragments[0].startchar > 0:
            snippet = "… " + snippet
        if fragments[-1].endchar < len(fragments[-1].text.rstrip()):
            snippet += " …"
        return snippet


def key_spans(schema: Schema, text: str, want: marks.Wanted) -> list[tuple[int, int]]:
    """Where `text` holds a name the query matched by its key alone, as character spans."""
    keys_only = replace(want, words=frozenset())
    analyzers = (schema["text"].analyzer, schema["name_keys"].analyzer)
    return marks.matched_spans(text, keys_only, *analyzers)


def read_as(
    schema: Schema,
    hit,
    narrator_name: str,
    want: marks.Wanted,
    text_spans: list[tuple[int, int]],
) -> str | None:
    """The name, as this passage or its narrator's name (`narrator_name`, all its spellings)
    writes it, that the query's spelling was read as (matched by its key alone); None when
    only what the archive says of the narrator holds it. `text_spans`: the passage's
    `key_spans`."""
    candidates = [(hit["text"], text_spans)]
    candidates += [(text, None) for text in (hit.get("note"), narrator_name) if text]
    for text, spans in candidates:
        spans = key_spans(schema, text, want) if spans is None else spans
        if spans:
            start, end = spans[0]
            return text[start:end]
    return None


def snippet(results, hit, by_key: list[tuple[int, int]] | None = None) -> str:
    """The hit's passage marked: whole when short, else its best fragments; the editor's
    note when the words matched there alone. `by_key`: the query matched by name keys alone,
    which stand there in the passage (`key_spans`)."""
    text = hit["text"]
    if by_key:
        # Matched by a name's key alone: Whoosh knows nothing to mark; the key finds it.
        return key_snippet(text, by_key)
    marked = field_snippet(results, "text", text)
    note = hit.get("note")
    if note and not marked:
        # The words matched in the editor's note only: show the note as the file prints it.
        in_note = _highlights(results, "note", note, top=1)
        if in_note:
            return _opening(text) + " [Ed.: " + in_note + "]"
    return marked or _opening(text)


def field_snippet(results, fieldname: str, text: str) -> str:
    """`text` (held in the index's field `fieldname`) with what the page of `results`
    matched marked: whole when short, else its best two fragments; empty when nothing in it
    matched."""
    # A short passage is shown whole; a long one by its best fragments.
    results.fragmenter = _WHOLE if len(text) <= SNIPPET_CHARS else _CONTEXT
    return _highlights(results, fieldname, text, top=2)


def _highlights(results, fieldname: str, text: str, top: int) -> str:
    """What Whoosh's `Hit.highlights` gives for a field not stored with its characters
    (the text analysed again, the query's terms marked), the analysis looked up word by word."""
    field = results.searcher.schema[fieldname]
    words = _query_words(results, fieldname)
    highlighter = results.highlighter
    spans = quick_spans(field.analyzer)(text)
    tokens = highlighter._merge_matched_tokens(_Word(*span, span[0] in words) for span in spans)
    fragments = highlighter.fragmenter.fragment_tokens(text, tokens)
    best = highlight.top_fragments(fragments, top, highlighter.scorer, highlighter.order)
    return highlighter.formatter.format(best)


def _query_words(results, fieldname: str) -> frozenset[str]:
    """The words the query matches in a field, as its analyzer gives them: worked out once
    for the page of hits (the query's terms expanded in the index)."""
    known = results.__dict__.setdefault("query_words", {})
    if fieldname not in known:
        field = results.searcher.schema[fieldname]
        terms = results.query_terms(expand=True, fieldname=fieldname)
        known[fieldname] = frozenset(field.from_bytes(term[1]) for term in terms)
    return known[fieldname]


class _Word:
    """A word of the passage as Whoosh's highlighter reads a token."""

    __slots__ = ("boost", "endchar", "matched", "startchar", "text")

    def __init__(self, text: str, startchar: int, endchar: int, matched: bool):
        self.text, self.startchar, self.endchar, self.matched = text, startchar, endchar, matched
        self.boost = 1.0

    def copy(self) -> _Word:
        return _Word(self.text, self.startchar, self.endchar, self.matched)


def key_snippet(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the name keys at `spans` (`key_spans`) marked: whole when short, else
    the part around the first."""
    if len(text) <= SNIPPET_CHARS:
        return marks.marked(text, spans)
    start = max(0, spans[0][0] - 90)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = text.rfind(" ", start, start + SNIPPET_CHARS)
    end = len(text) if end <= start else end
    shown = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    snippet = marks.marked(text[start:end], shown)
    return ("… " if start else "") + snippet + (" …" if end < len(text) else "")


def _opening(text: str) -> str:
    short = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return escape(short, quote=False)
