"""Spellings of personal names (`transcripts/names.yaml`); places come from the timeline."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from .analysis import name_tokens
from .models import Place


def name_groups(transcripts_dir: Path) -> list[tuple[str, list[str]]]:
    """(canonical name, [spellings and Arabic script]) for every entry of `names.yaml`."""
    path = transcripts_dir / "names.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        (entry["name"], [*entry.get("variants", []), *filter(None, [entry.get("name_arabic")])])
        for entry in data.get("names", [])
    ]


def place_matchers(session: Session) -> list[tuple[str, list[list[str]]]]:
    """For each place in the record, the word sequences (every spelling) that name it."""
    matchers = []
    for place in session.scalars(select(Place).order_by(Place.id)):
        names = [place.name, *place.variants, *filter(None, [place.name_arabic])]
        matchers.append((place.slug, [words for n in names if (words := name_tokens(n))]))
    return matchers


def places_in(text: str, matchers: list[tuple[str, list[list[str]]]]) -> list[str]:
    """Slugs of the places named in `text`, by any of their spellings."""
    words = name_tokens(text)
    # Scan for a spelling only when all of its words occur in the text: most don't, and the
    # check is a set lookup per word instead of a walk along the text per spelling.
    present = set(words)
    found = []
    for slug, sequences in matchers:
        for sequence in sequences:
            if not present.issuperset(sequence):
                continue
            n = len(sequence)
            if any(words[i : i + n] == sequence for i in range(len(words) - n + 1)):
                found.append(slug)
                break
    return found
