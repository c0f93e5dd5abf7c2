"""The narrators as readers see them: listed a page at a time, counted, and each one's
profile with their testimonies and the events they speak of. Only narrators with a testimony
the viewer may see are listed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFound
from ..messages import _
from ..record import refs
from ..record.access import Viewer, can_see, visible
from ..record.citing import Citer, current_work
from ..record.models import Narrator, Testimony
from . import linkcounts
from .records import spoken_of, testimony_summary


def narrator_summary(narrator: Narrator, testimony_count: int) -> dict[str, Any]:
    """A narrator as listed: who they are, how many testimonies, their page."""
    return {
        "slug": narrator.slug,
        "name": narrator.name,
        "name_arabic": narrator.name_arabic,
        "age_at_interview": narrator.age_at_interview,
        "residence": narrator.residence,
        "roles": narrator.roles,
        "testimony_count": testimony_count,
        "url": refs.narrator(narrator.slug),
    }


def list_narrators(
    session: Session, viewer: Viewer, offset: int = 0, limit: int | None = None
) -> list[dict[str, Any]]:
    """Narrators with at least one testimony the viewer may see, by name; `limit` of them
    from `offset`, or all."""
    rows = session.execute(
        select(Narrator, func.count(Testimony.id))
        .join(Testimony, Testimony.narrator_id == Narrator.id)
        .where(visible(viewer))
        .group_by(Narrator.id)
        .order_by(Narrator.name, Narrator.id)
        .offset(offset)
        .limit(limit)
    )
    return [narrator_summary(narrator, count) for narrator, count in rows.all()]


def count_narrators(session: Session, viewer: Viewer) -> int:
    """How many narrators have a testimony the viewer may see."""
    query = select(func.count(func.distinct(Testimony.narrator_id))).where(visible(viewer))
    return session.scalar(query) or 0


def get_narrator(session: Session, slug: str, viewer: Viewer, cite: Citer) -> dict[str, Any]:
    """The narrator's profile: biography, visible testimonies, each with its citation (made
    by `cite`), and the events they speak of."""
    narrator = session.scalar(
        select(Narrator).where(Narrator.slug == slug).options(selectinload(Narrator.testimonies))
    )
    testimonies = [t for t in (narrator.testimonies if narrator else []) if _listed(viewer, t)]
    if narrator is None or not testimonies:
        raise NotFound(_("no narrator is called ‘%(slug)s’", slug=slug))
    counts = linkcounts.passage_counts(session, [t.id for t in testimonies])
    return {
        **narrator_summary(narrator, len(testimonies)),
        "name_arabic_note": narrator.name_arabic_note,
        "spellings": narrator.spellings,
        "origin": narrator.origin,
        "biography": narrator.biography,
        "testimonies": [
            {
                **testimony_summary(t, counts.get(t.id, 0)),
                **_cited(cite(current_work(session, t), None)),
            }
            for t in testimonies
        ],
        "events": spoken_of(session, [t.id for t in testimonies]),
    }


def _cited(cited: dict[str, str]) -> dict[str, str]:
    # the cite page's first style, as text (the JSON's "citation", as before) and as HTML
    return {"citation": cited["citation_text"], "citation_html": cited["citation"]}


def _listed(viewer: Viewer, testimony: Testimony) -> bool:
    # Withdrawn testimonies leave every listing; archivists reach them through the archive.
    return testimony.withdrawn_at is None and can_see(viewer, testimony)
