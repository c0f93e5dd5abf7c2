"""The collection's YAML, both directions: read with the line of every key and list item (so
that a problem is reported on its line), and written as the files hold it.

Shared by every reader and writer of the collection's files (testimonies, translations, the
timeline, the collection's description, the export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InvalidFile
from . import validation as valid


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so that a bad date is reported with its line."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Document:
    """Parsed YAML with the line of each key and list item, and the problems found in it."""

    data: Any
    lines: dict[tuple, int]
    problems: list[tuple[int | None, str]] = field(default_factory=list)
    # the field each problem is about, for the archivist's form
    paths: list[tuple] = field(default_factory=list)

    def line(self, path: tuple) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append((self.line(path), message))
        self.paths.append(path)


def parse_yaml(
    text: str, first_line: int = 1, max_bytes: int = valid.FRONT_MATTER_BYTES
) -> Document:
    """Parse YAML, recording the line of every key and list item; raise on bad YAML, and on
    YAML that `validation.check_yaml_structure` refuses (before anything is built)."""
    valid.check_yaml_structure(text, max_bytes)
    lines: dict[tuple, int] = {}
    problems: list[tuple[int | None, str]] = []

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + first_line
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append((line, "a key must be a name, not a list or a mapping"))
                    continue
                key = key_node.value
                if key in seen:
                    problems.append((line, f"'{key}' is given twice"))
                seen.add(key)
                lines[path + (key,)] = line
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + first_line
                walk(item, path + (index,))

    node = yaml.compose(text, Loader=_Loader)
    if node is not None:
        walk(node, ())
    data = yaml.load(text, Loader=_Loader)
    return Document(data, lines, problems)


def yaml_error(name: str, error: yaml.YAMLError, first_line: int) -> InvalidFile:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + first_line if mark else first_line
    problem = getattr(error, "problem", None) or str(error)
    if isinstance(error, valid.UnsafeYaml):
        return InvalidFile(name, [(line, f"this YAML cannot be accepted: {problem}")])
    return InvalidFile(name, [(line, f"this is not valid YAML: {problem}")])


def plain(value: Any) -> Any:
    """`value` without the empty fields the file format leaves out rather than writes as null."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def dump_yaml(data: Any) -> str:
    """`data` as the collection's files write YAML (empty fields left out)."""
    return yaml.safe_dump(plain(data), allow_unicode=True, sort_keys=False, width=100)


def read_text(path: Path) -> str:
    """A collection file's text; `InvalidFile` when it is not UTF-8 or cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(str(path), [(None, f"is not UTF-8 text ({error.reason})")]) from None
    except OSError as error:
        raise InvalidFile(str(path), [(None, f"cannot be read: {error.strerror}")]) from None
