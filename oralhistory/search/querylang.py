"""The query language readers type in the search box, read and checked before searching.

    school teacher             every word must appear (in any of its forms and spellings)
    "the first day"            an exact phrase
    school OR university       either word; brackets group: (school OR university) teacher
    school -university         leave a word or phrase out (also: school NOT university)
    narrator:name              a narrator, by slug or by any part of the name in any spelling
    place:name                 a place, by slug or by any of its names
    event:words                an event, by slug or by words of its title
    year:2017                  the year of the interview

A query that cannot mean what the reader wants (an unclosed quotation mark or bracket, an
operator with nothing on one side, NOT twice in a row, an unknown `name:` filter) is refused with a `QueryError`
that says what is wrong, rather than searched for something else.

This module only reads the text; `search/__init__.py` turns it into a Whoosh query.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_QUERY_LENGTH = 500
FILTERS = ("narrator", "place", "event", "year")
OPERATORS = ("AND", "OR", "NOT")
# what each filter's value looks like, for the messages (no collection's names: they are data)
EXAMPLES = {
    "narrator": "narrator:narrator-slug",
    "place": "place:place-slug",
    "event": "event:event-slug",
    "year": "year:2017",
}
# Quotation marks that phones and word processors type, read as the plain one.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»＂", '"'))
_TOKENS = re.compile(
    r"""(?P<open>\()|(?P<close>\))|(?P<minus>-(?=[\w"(]))|(?P<phrase>"[^"]*")"""
    r"""|(?P<word>[^\s()"]+(?:"[^"]*")?)"""
)
_FILTER = re.compile(r"(?P<name>[^\W\d_]\w*):(?P<value>.*)", re.DOTALL)
# Control characters have no meaning in a query; one of them marks the filters handed to
# Whoosh's parser (`FILTER_MARK`), so none may come from a reader.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FILTER_MARK = "\x01"  # not white space, as \x1c-\x1f are to Whoosh


NOT_TWICE = (
    "'NOT' and '-' each leave out the word or phrase right after them, and cannot be written "
    "twice in a row; write one of them once, as in: school -university"
)


class QueryError(ValueError):
    """A query a reader typed that cannot be searched, with the reason in plain words."""


@dataclass
class Token:
    kind: str  # word, phrase, filter, open, close, op
    text: str  # as typed (an operator: AND, OR or NOT; a minus sign is read as NOT)
    start: int
    name: str = ""  # of a filter
    value: str = ""  # of a filter


def read_query(q: str) -> tuple[str, list[Token]]:
    """The query trimmed, with its parts; raise `QueryError` saying what is wrong with it."""
    q = q.translate(_QUOTES).strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_LENGTH}")
    control = _CONTROL.search(q.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    if control:
        raise QueryError(
            f"the query holds a control character (U+{ord(control.group()):04X}) at position "
            f"{control.start() + 1}; type only words, quotation marks and brackets"
        )
    if q.count('"') % 2:
        raise QueryError(
            'the query has an opening quotation mark (") without a closing one; '
            "put the exact phrase between two quotation marks"
        )
    tokens = [_token(match) for match in _TOKENS.finditer(q)]
    _check_brackets(tokens)
    _check_operators(tokens)
    return q, tokens


def _token(match: re.Match) -> Token:
    kind, text, start = match.lastgroup, match.group(), match.start()
    if kind == "minus":
        return Token("op", "NOT", start)
    if kind == "phrase" and not text.strip('" '):
        raise QueryError("the quotation marks hold no words; put the exact phrase between them")
    if kind != "word":
        return Token(kind, text, start)
    if text in OPERATORS:
        return Token("op", text, start)
    if text == "-":
        raise QueryError(
            "a minus sign leaves out the word written right after it, as in: school -university"
        )
    found = _FILTER.fullmatch(text)
    if not found:
        return Token("word", text, start)
    name, value = found["name"].lower(), found["value"].strip('"').strip()
    if name in FILTERS:
        if not value:
            raise QueryError(f"{name}: needs a value right after the colon, as in {EXAMPLES[name]}")
        return Token("filter", text, start, name, value)
    if not found["value"]:  # "Note:" is a word followed by a colon
        return Token("word", text[:-1], start)
    known = ", ".join(f"{name}:" for name in FILTERS)
    raise QueryError(
        f"'{found['name']}:' is not a filter this search knows (they are {known}); "
        f'to search for the words, put them between quotation marks: "{text}"'
    )


def _check_brackets(tokens: list[Token]) -> None:
    depth = 0
    for previous, token in zip([None, *tokens], tokens, strict=False):
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            depth -= 1
            if depth < 0:
                raise QueryError("the query closes a bracket ')' that was never opened")
            if previous and previous.kind == "open":
                raise QueryError("the brackets '()' hold nothing; put words between them")
    if depth:
        raise QueryError("the query opens a bracket '(' that is never closed")


def _check_operators(tokens: list[Token]) -> None:
    wants_operand = False  # an operator was read and its right-hand side is still to come
    previous = None
    for token in tokens:
        if _is_not(token) and previous is not None and _is_not(previous):
            # Whoosh's parser cannot read a NOT of a NOT (it raised IndexError); a reader who
            # types one most likely meant to leave the word out once.
            raise QueryError(NOT_TWICE)
        if token.kind == "op" and token.text != "NOT" or token.kind == "close":
            if wants_operand or previous is None or previous.kind == "open":
                _missing_operand(token if token.kind == "op" else previous)
            wants_operand = token.kind == "op"
        else:
            wants_operand = token.kind in ("op", "open")
        previous = token
    if wants_operand:
        _missing_operand(previous)


def _is_not(token: Token) -> bool:
    return token.kind == "op" and token.text == "NOT"


def _missing_operand(operator: Token) -> None:
    if operator.text == "NOT":
        raise QueryError(
            "'NOT' or '-' needs the word or phrase to leave out right after it, "
            "as in: school -university"
        )
    raise QueryError(
        f"'{operator.text}' needs a word or phrase on each side, "
        f"as in: orphans {operator.text} children"
    )


def whoosh_syntax(
    tokens: list[Token], names: set[tuple[str, ...]], words_of: Callable | None = None
) -> str:
    """The query written for Whoosh's parser.

    Each filter becomes `FILTER_MARK name:N`, N its position among the filters, for the caller
    to put the resolved filter in its place; the parser knows no other field syntax, so that
    `a-year:2017` or `a-access:public` typed by a reader stay words. A run of plain words that spells a name of several words the
    gazetteer knows ("Sheikh Said") is quoted, so that it is read as that name and not as
    separate words. `words_of` gives a word's normalised form, as the names are written.
    """
    parts = []
    filters = 0
    run: list[str] = []

    def end_run() -> None:
        parts.extend(_quote_names(run, names, words_of))
        run.clear()

    for token in tokens:
        negated = bool(parts) and parts[-1] == "NOT" and not run
        if token.kind == "word" and not negated:
            run.append(token.text)
            continue
        end_run()
        if token.kind == "filter":
            parts.append(f"{FILTER_MARK}{token.name}:{filters}")
            filters += 1
        else:
            parts.append(token.text)
    end_run()
    return " ".join(parts)


def _quote_names(words: list[str], names: set[tuple[str, ...]], words_of) -> list[str]:
    if not names or len(words) < 2:
        return list(words)
    forms = [words_of(word) for word in words]
    out, i = [], 0
    while i < len(words):
        for n in range(len(words) - i, 1, -1):
            run = forms[i : i + n]
            if all(len(form) == 1 for form in run) and tuple(f[0] for f in run) in names:
                out.append('"' + " ".join(words[i : i + n]) + '"')
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def plain_words(tokens: list[Token]) -> Iterator[tuple[int, str]]:
    """(offset, word) for each word a reader typed as text: not operators, not filters."""
    for token in tokens:
        if token.kind == "word":
            yield token.start, token.text
        elif token.kind == "phrase":
            for match in re.finditer(r"[^\s\"]+", token.text):
                yield token.start + match.start(), match.group()


def filters_of(tokens: list[Token]) -> list[tuple[str, str]]:
    """(name, value) of each filter, in the order `whoosh_syntax` numbers them."""
    return [(token.name, token.value) for token in tokens if token.kind == "filter"]
