"""Spellings of personal names (`transcripts/names.yaml`); places come from the timeline."""

from __future__ import annotations

from collections.abc import Callable
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


def place_names(session: Session) -> list[tuple[str, list[str]]]:
    """Every place in the record as (slug, [name, spelling variants, Arabic script])."""
    return [
        (place.slug, [place.name, *place.variants, *filter(None, [place.name_arabic])])
        for place in session.scalars(select(Place).order_by(Place.id))
    ]


def place_matchers(session: Session) -> list[tuple[str, list[list[str]]]]:
    """For each place in the record, the word sequences (every spelling) that name it."""
    return [
        (slug, [words for n in names if (words := name_tokens(n))])
        for slug, names in place_names(session)
    ]


def places_named(
    value: str, places: list[tuple[str, list[str]]], analyse: Callable[[str], list[str]]
) -> list[str]:
    """Slugs of the places that `value` is: a place's slug, or else the whole of one of its names.

    Names are compared as `analyse` turns them into words, so that any spelling the gazetteer
    unifies, with or without the article, in Arabic script or not, names the same place.
    "Aleppo" is the city, not east Aleppo.
    """
    slug = value.strip().lower()
    if any(place_slug == slug for place_slug, _ in places):
        return [slug]
    words = analyse(value)
    return [
        place_slug
        for place_slug, names in places
        if words and any(analyse(name) == words for name in names)
    ]


def places_in(text: str, matchers: list[tuple[str, list[list[str]]]]) -> list[str]:
    """Slugs of the places named in `text`, by any of their spellings."""
    words = name_tokens(text)
    found = []
    for slug, sequences in matchers:
        for sequence in sequences:
            n = len(sequence)
            if any(words[i : i + n] == sequence for i in range(len(words) - n + 1)):
                found.append(slug)
                break
    return found
