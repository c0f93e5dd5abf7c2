"""The spelling table of personal names, name parts and organisations (`names.yaml`), held by
the record: loaded by `flask init` and `flask import` (`store_names`), each change a change-log
row of kind `names` (the index is rebuilt with it, on every server), written back by
`flask export` as it was read, comments and all (`names_text`).

The linking rules and the index read it from here (`name_groups`), never from the disk.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from sqlalchemy import DateTime, Integer, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models_base import Base, utcnow

FILE_NAME = "names.yaml"


class NameTable(Base):
    """The one row holding `names.yaml` as an archivist wrote it: its text is the source, so
    an export gives back the same bytes; its entries are read from the text (`name_groups`)."""

    __tablename__ = "name_table"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class NamesProblem(ValueError):
    """A `names.yaml` that cannot be read: the message names the file and what is wrong."""


def parse_names(text: str, source: str = FILE_NAME) -> list[tuple[str, list[str]]]:
    """(canonical name, [spellings and Arabic script]) for every entry of a `names.yaml`.
    Raises `NamesProblem` for a file that is not such a table."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise NamesProblem(f"{source} is not valid YAML: {error}") from None
    entries = data.get("names") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise NamesProblem(f"{source} must hold a list 'names:'")
    groups = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise NamesProblem(f"{source}: entry {number} of 'names' has no 'name'")
        variants = entry.get("variants") or []
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise NamesProblem(f"{source}: the 'variants' of '{entry['name']}' must be a list")
        arabic = entry.get("name_arabic")
        groups.append((entry["name"], [*variants, *filter(None, [arabic])]))
    return groups


def names_text(session: Session) -> str | None:
    """`names.yaml` as the record holds it, or None when none was loaded."""
    return session.scalar(select(NameTable.text).where(NameTable.id == 1))


_PARSED: dict[str, list[tuple[str, list[str]]]] = {}


def name_groups(session: Session) -> list[tuple[str, list[str]]]:
    """(canonical name, [spellings and Arabic script]) for every entry the record's
    `names.yaml` holds; none when none was loaded."""
    text = names_text(session)
    if text is None:
        return []
    groups = _PARSED.get(text)
    if groups is None:
        groups = parse_names(text)
        _PARSED.clear()  # one table in use at a time
        _PARSED[text] = groups
    return groups


def store_names(session: Session, path: Path) -> bool:
    """Hold the text of `path` (a `names.yaml`) in the record, in `session`; return whether
    it changed (then the caller logs a change of kind `names` in the same unit of work).
    A missing file changes nothing. Raises `NamesProblem` for one that cannot be read."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    parse_names(text, path.name)
    row = session.get(NameTable, 1)
    if row is not None and row.text == text:
        return False
    if row is None:
        session.add(NameTable(id=1, text=text))
    else:
        row.text = text
    return True
