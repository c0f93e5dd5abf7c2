"""`transcripts/collection.yaml`: the collection's title, description and sources, in the
archive's own words. Read and checked (a bad file is refused naming its line, and nothing of it
is stored), stored through the unit of work with a change-log row, written back by an export
as it was loaded, and read for the home page in the reader's language.

The engine names no collection: without this file the home page says what any archive is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ..errors import InvalidFile
from ..record.collection_record import THE_COLLECTION, CollectionDescription
from ..record.kinds import ChangeKind
from ..record.unit_of_work import UnitOfWork
from . import validation as valid
from .file_yaml import parse_yaml as _parse_yaml
from .file_yaml import yaml_error as _yaml_error

FILE_NAME = "collection.yaml"
# the language every text must be given in: the one the others fall back to
FALLBACK_LANGUAGE = "en"
MAX_BYTES = 200_000

_title = valid.line(300)
_paragraph = valid.text(valid.LONG_TEXT, lines_allowed=False)
_language = valid.language_tag(35)
# a source: (check, required)
SOURCE_FIELDS = {
    "title": (valid.line(500), True),
    "language": (_language, False),
    "publisher": (valid.line(300), False),
    "date": (valid.date(), False),
    "note": (valid.text(), False),
}


def read_collection_file(path: Path) -> dict[str, Any]:
    """Read and check `collection.yaml`; raise `InvalidFile` naming every problem's line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(str(path), [(None, f"is not UTF-8 text ({error.reason})")]) from None
    return parse_collection(text, str(path))


def parse_collection(text: str, name: str) -> dict[str, Any]:
    """The checked content of a `collection.yaml` text, with the text itself (`file_text`)."""
    try:
        doc = _parse_yaml(text, max_bytes=MAX_BYTES)
    except yaml.YAMLError as error:
        raise _yaml_error(name, error, 1) from None
    data = doc.data
    if not isinstance(data, dict):
        raise InvalidFile(name, [(1, "must be a mapping with 'title' and 'description'")])
    for key in data:
        if key not in ("title", "description", "sources"):
            doc.problem((key,), f"'{key}' is not a field of {FILE_NAME}")
    title = _by_language(doc, data, "title", lambda path, value: _checked(doc, path, value, _title))
    description = _by_language(doc, data, "description", lambda p, v: _paragraphs(doc, p, v))
    sources = _sources(doc, data.get("sources"))
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    return {"title": title, "description": description, "sources": sources, "file_text": text}


def _checked(doc, path: tuple, value: Any, check) -> Any:
    problem = check(value)
    if problem:
        doc.problem(path, f"{'.'.join(map(str, path))} {problem}")
    return value


def _by_language(doc, data: dict, key: str, check) -> dict[str, Any]:
    given = data.get(key)
    if given is None:
        doc.problem((), f"'{key}' is missing from {FILE_NAME}")
        return {}
    if not isinstance(given, dict):
        doc.problem((key,), f"{key} must be a mapping of language tags (en, ar) to text")
        return {}
    if FALLBACK_LANGUAGE not in given:
        doc.problem((key,), f"{key} must be given in English ('{FALLBACK_LANGUAGE}')")
    for language, value in given.items():
        _checked(doc, (key, language), language, _language)
        check((key, language), value)
    return dict(given)


def _paragraphs(doc, path: tuple, value: Any) -> None:
    if not isinstance(value, list) or not value:
        doc.problem(path, f"{'.'.join(path)} must be a list of paragraphs")
        return
    for index, paragraph in enumerate(value):
        _checked(doc, (*path, index), paragraph, _paragraph)


def _sources(doc, given: Any) -> list[dict[str, Any]]:
    if given is None:
        return []
    if not isinstance(given, list):
        doc.problem(("sources",), "sources must be a list")
        return []
    for index, source in enumerate(given):
        path = ("sources", index)
        if not isinstance(source, dict):
            doc.problem(path, "a source must be a mapping with a 'title'")
            continue
        for key in source:
            if key not in SOURCE_FIELDS:
                doc.problem((*path, key), f"'{key}' is not a field of a source")
        for key, (check, required) in SOURCE_FIELDS.items():
            if key in source:
                _checked(doc, (*path, key), source[key], check)
            elif required:
                doc.problem(path, f"'{key}' is missing from source {index + 1}")
    return [dict(source) for source in given if isinstance(source, dict)]


def store_collection(session: Session, content: dict[str, Any], author: str | None = None) -> bool:
    """Store the collection's description in one unit of work with its change-log row; True
    when it changed, False when the record held it already (nothing is written)."""
    with UnitOfWork(session, index=False) as work:
        row = session.get(CollectionDescription, THE_COLLECTION)
        if row is not None and row.file_text == content["file_text"]:
            work.discard()
            return False
        if row is None:
            row = CollectionDescription(id=THE_COLLECTION)
            session.add(row)
        for field in ("title", "description", "sources", "file_text"):
            setattr(row, field, content[field])
        work.log(ChangeKind.COLLECTION, author=author, summary=f"{FILE_NAME} loaded")
    return True


def load_collection_file(session: Session, path: Path, author: str | None = None) -> bool | None:
    """Read, check and store `path`; None when there is no such file, else whether the record
    changed. Raises `InvalidFile` (nothing stored) for a bad file."""
    if not path.exists():
        return None
    return store_collection(session, read_collection_file(path), author)


def write_collection_file(session: Session, directory: Path) -> bool:
    """Write the stored `collection.yaml` into `directory`, byte for byte as it was loaded;
    False when none was ever loaded."""
    row = session.get(CollectionDescription, THE_COLLECTION)
    if row is None:
        return False
    (directory / FILE_NAME).write_bytes(row.file_text.encode("utf-8"))
    return True


# --- what a reader is shown -----------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A text in the language it is shown in (`language`), which may not be the reader's."""

    text: str
    language: str


@dataclass(frozen=True)
class Part:
    """A piece of a paragraph: plain text, or a source's title (`cited`) in its language."""

    text: str
    cited: bool = False
    language: str | None = None


@dataclass(frozen=True)
class CollectionShown:
    """The collection's title and description for a reader of `language`."""

    title: Shown
    language: str  # the description's
    paragraphs: list[list[Part]]


def _in(texts: dict[str, Any], language: str) -> tuple[Any, str]:
    if language in texts:
        return texts[language], language
    return texts[FALLBACK_LANGUAGE], FALLBACK_LANGUAGE


def _parts(paragraph: str, sources: list[dict[str, Any]]) -> list[Part]:
    parts = [Part(paragraph)]
    for source in sources:
        title, split = source["title"], []
        for part in parts:
            if part.cited or title not in part.text:
                split.append(part)
                continue
            pieces = part.text.split(title)
            for index, piece in enumerate(pieces):
                if index:
                    split.append(Part(title, True, source.get("language")))
                if piece:
                    split.append(Part(piece))
        parts = split
    return parts


def collection_for(session: Session, language: str) -> CollectionShown | None:
    """The collection's title and description in `language` (else in English), each source's
    title marked where a paragraph names it; None when no `collection.yaml` was loaded."""
    row = session.get(CollectionDescription, THE_COLLECTION)
    if row is None:
        return None
    title, title_language = _in(row.title, language)
    paragraphs, description_language = _in(row.description, language)
    return CollectionShown(
        Shown(title, title_language),
        description_language,
        [_parts(paragraph, row.sources) for paragraph in paragraphs],
    )
