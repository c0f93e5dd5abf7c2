"""The narrators a search names, for the search page and `/api/search` to show first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..record import refs
from ..record.kinds import AccessLevel
from ..record.models import ChangeLog, Narrator, Testimony
from ..search.naming import NameIndex, query_keys

# The names of the narrators each kind of searcher may see, read again only when the record
# has changed: by database, last change logged, which testimonies are seen, and searcher.
_INDEXES: dict[tuple, tuple[NameIndex, dict[str, Any]]] = {}


def named_in(session: Session, query: str, include_restricted: bool) -> list[dict[str, Any]]:
    """The narrators `query` names whom the searcher may see (one of their testimonies is
    public, or the searcher is an archivist), each with the words the query was read as."""
    asked = query_keys(query) if query.strip() else frozenset()
    if not asked:  # ordinary words name nobody: no need to read the narrators
        return []
    names, people = _index(session, include_restricted)
    return [
        {
            "slug": slug,
            "name": people[slug].name,
            "name_arabic": people[slug].name_arabic,
            "url": refs.narrator(slug),
            "read_as": read_as,
        }
        for slug, read_as in names.named(asked)
    ]


def _readable(include_restricted: bool):
    readable = Testimony.withdrawn_at.is_(None)
    if not include_restricted:
        readable = readable & (Testimony.access == AccessLevel.PUBLIC)
    return readable


def _index(session: Session, include_restricted: bool) -> tuple[NameIndex, dict[str, Any]]:
    readable = _readable(include_restricted)
    # which testimonies are seen is in the key too: a change made outside the archive's unit
    # of work logs nothing, and a narrator known only by restricted testimony must not show
    last_change = select(func.max(ChangeLog.id)).scalar_subquery()
    stamp = session.execute(
        select(last_change, func.count(Testimony.id), func.sum(Testimony.id)).where(readable)
    ).one()
    key = (str(session.get_bind().url), include_restricted, *stamp)
    if key not in _INDEXES:
        rows = session.execute(
            select(Narrator.slug, Narrator.name, Narrator.name_arabic, Narrator.spellings).where(
                Narrator.id.in_(select(Testimony.narrator_id).where(readable))
            )
        ).all()
        names = NameIndex(
            (row.slug, [row.name, *(row.spellings or []), *filter(None, [row.name_arabic])])
            for row in rows
        )
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        _INDEXES[key] = (names, {row.slug: row for row in rows})
    return _INDEXES[key]
