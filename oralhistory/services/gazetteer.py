"""The places of the record as the linking rules and searches read them, and whether a text
names a name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..record.models import Place
from ..search.analysis import name_tokens
from ..search.places import find_mentions, matchers_of


def place_names(session: Session) -> list[tuple[str, list[str]]]:
    """Every place in the record as (slug, [name, spelling variants, Arabic script])."""
    # Columns, not Place objects: read on every search (the timeline beside the results).
    rows = session.execute(
        select(Place.slug, Place.name, Place.variants, Place.name_arabic).order_by(Place.id)
    )
    return [
        (slug, [name, *variants, *filter(None, [arabic])]) for slug, name, variants, arabic in rows
    ]


def place_matchers(session: Session) -> list[tuple[str, list[list[str]]]]:
    """For each place in the record, the word sequences (every spelling) that name it."""
    return matchers_of(place_names(session))


def names_in(text: str, name: str) -> bool:
    """Whether `text` names `name` (an organisation's, say), read as the linking rules read
    it: word by word, whatever its case, accents or script."""
    return bool(find_mentions(text, [(name, [name_tokens(name)])]))
