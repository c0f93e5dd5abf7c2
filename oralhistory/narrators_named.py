"""The narrators a search names, for the search page and `/api/search` to show first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Narrator, Testimony
from .records import page_address
from .search.naming import narrators_named


def named_in(session: Session, query: str, include_restricted: bool) -> list[dict[str, Any]]:
    """The narrators `query` names whom the searcher may see (one of their testimonies is
    public, or the searcher is an archivist), each with the words the query was read as."""
    if not query.strip():
        return []
    readable = Testimony.withdrawn_at.is_(None)
    if not include_restricted:
        readable = readable & (Testimony.access == "public")
    rows = session.execute(
        select(Narrator.slug, Narrator.name, Narrator.name_arabic, Narrator.spellings).where(
            Narrator.id.in_(select(Testimony.narrator_id).where(readable))
        )
    ).all()
    people = {row.slug: row for row in rows}
    candidates = [
        (
            row.slug,
            [row.name, *(row.spellings or []), *([row.name_arabic] if row.name_arabic else [])],
        )
        for row in rows
    ]
    return [
        {
            "slug": slug,
            "name": people[slug].name,
            "name_arabic": people[slug].name_arabic,
            "url": page_address("pages.narrator", slug=slug),
            "read_as": read_as,
        }
        for slug, read_as in narrators_named(query, candidates)
    ]
