"""A testimony file: YAML front matter, then the transcript, one passage per paragraph; read
and validated, every problem reported with the file's name and its line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InvalidFile
from . import validation as valid
from .field_rules import TESTIMONY_FIELDS
from .field_rules import _check as check_fields
from .file_yaml import parse_yaml, yaml_error

EDITOR_NOTE_RE = re.compile(r"\s*\[Ed\.:\s*(?P<note>.+?)\]\s*$", re.DOTALL)


@dataclass
class PassageText:
    text: str
    editor_note: str | None = None


@dataclass
class TestimonyFile:
    """A testimony file that passed validation: its front matter and its passages."""

    name: str
    meta: dict[str, Any]
    passages: list[PassageText]
    # False when the testimony comes from the archivist's form rather than a file
    from_file: bool = True
    # the line of each field of the front matter, by its path
    lines: dict[tuple, int] = field(default_factory=dict)


def split_passages(text: str) -> list[PassageText]:
    """Split a transcript into passages: one per paragraph (paragraphs end at a blank line).

    Text is kept as written; only line endings are unified and the space around a paragraph
    trimmed. A closing `[Ed.: ...]` becomes the passage's editorial note.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    passages = []
    for block in re.split(r"\n[ \t]*\n", text):
        block = block.strip()
        if not block:
            continue
        note = None
        match = EDITOR_NOTE_RE.search(block)
        if match and match.start() > 0:
            note = match.group("note").strip()
            block = block[: match.start()].rstrip()
        passages.append(PassageText(block, note))
    return passages


def read_front_matter(text: str, name: str, fields: dict) -> tuple[Any, str, int]:
    """A file of YAML front matter between `---` lines and a text after it, read: the front
    matter checked against `fields` (its problems kept in the returned document's `problems`,
    with the text's control characters), the text, and the line the text starts at. Raises
    `InvalidFile` when there is no front matter to read."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise InvalidFile(name, [(1, "the file must begin with '---' and YAML front matter")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise InvalidFile(name, [(1, "the front matter is not closed by a '---' line")]) from None
    try:
        doc = parse_yaml("\n".join(lines[1:end]), first_line=2)
    except yaml.YAMLError as error:
        raise yaml_error(name, error, 2) from None
    check_fields(doc, doc.data, fields, ())
    body = "\n".join(lines[end + 1 :])
    control = valid.transcript_problem(body.replace("\r", "\n"))
    if control:
        doc.problems.append((end + 2 + control[0], control[1]))
    return doc, body, end + 2


def parse_testimony(text: str, name: str) -> TestimonyFile:
    """Validate a testimony file's text; raise `InvalidFile` naming every problem and line."""
    doc, body, first = read_front_matter(text, name, TESTIMONY_FIELDS)
    passages = split_passages(body)
    if not passages:
        doc.problems.append((first, "the testimony has no text after the front matter"))
    too_long = valid.long_passage([passage.text for passage in passages])
    if too_long:
        index, message = too_long
        start = body.find(passages[index].text[:200])
        doc.problems.append((first + body.count("\n", 0, max(start, 0)), message))
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    return TestimonyFile(name, doc.data, passages, lines=doc.lines)


def read_testimony_file(path: Path, max_bytes: int | None = None) -> TestimonyFile:
    """Read and validate one testimony file from disk; one larger than `max_bytes` (the form's
    limit for a transcript) is refused before it is read."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise InvalidFile(str(path), [(None, valid.too_large("the file", max_bytes))])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(str(path), [(None, f"is not UTF-8 text ({error.reason})")]) from None
    except OSError as error:
        raise InvalidFile(str(path), [(None, f"cannot be read: {error.strerror}")]) from None
    return parse_testimony(text, str(path))


def testimony_paths(transcripts_dir: Path) -> list[Path]:
    """The collection's testimony files, in a stable order (not the translation files beside
    them, `<slug>.<lang>.md`, which are imported with their testimony)."""
    return sorted(p for p in (transcripts_dir / "testimonies").glob("*.md") if "." not in p.stem)
