"""Reading the record for archivists: every testimony, restricted and withdrawn too, and a
testimony's revisions (who, when, what) with the difference between two of them; any
testimony by its id, for the archivists' pages and their writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..messages import _
from ..record import revisions
from ..record.models import MAX_ROW_ID, Revision, Testimony
from .records import testimony_summary


def _when(value) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def archive_summary(testimony: Testimony) -> dict[str, Any]:
    """A testimony as the archive's own pages list it: withdrawal and corrections included."""
    return {
        **testimony_summary(testimony),
        "narrator": {
            "slug": testimony.narrator.slug,
            "name": testimony.narrator.name,
            "name_arabic": testimony.narrator.name_arabic,
        },
        "created_at": _when(testimony.created_at),
        "corrected_at": _when(testimony.corrected_at),
        "withdrawn_at": _when(testimony.withdrawn_at),
        "withdrawn_by": testimony.withdrawn_by,
        "withdrawn_reason": testimony.withdrawn_reason,
        "anchors": [passage.anchor for passage in testimony.passages],
        "other_languages": [held.code for held in testimony.other_languages],
    }


def list_testimonies(session: Session) -> list[dict[str, Any]]:
    """Every testimony in the record, restricted and withdrawn too, newest first."""
    query = select(Testimony).order_by(Testimony.id.desc())
    return [archive_summary(t) for t in session.scalars(query)]


def testimony_history(
    session: Session, testimony_id: int, older: int | None = None, newer: int | None = None
) -> dict[str, Any]:
    """The testimony's revisions (who, when, what) and the difference between two of them:
    by default the latest and the one before it."""
    testimony = get_testimony(session, testimony_id)
    kept = revisions.history(session, testimony_id)
    by_id: dict[int, Revision] = {r.id: r for r in kept}
    for asked in (older, newer):
        if asked is not None and asked not in by_id:
            raise NotFound(f"testimony {testimony_id} has no revision {asked}")
    if newer is None and kept:
        newer = kept[-1].id
    if older is None and len(kept) > 1:
        older = kept[-2].id if newer == kept[-1].id else kept[0].id
    comparison = None
    if older is not None and newer is not None:
        first, second = sorted((older, newer))
        comparison = {
            "older": first,
            "newer": second,
            "lines": revisions.difference(by_id[first].snapshot, by_id[second].snapshot),
            "changes": revisions.word_difference(by_id[first].snapshot, by_id[second].snapshot),
            "by_language": revisions.word_differences_by_language(
                by_id[first].snapshot, by_id[second].snapshot, testimony.language or "en"
            ),
        }
    return {
        "testimony": archive_summary(testimony),
        "revisions": [
            {
                "id": r.id,
                "number": number,
                "author": r.author,
                "created_at": _when(r.created_at),
                "summary": r.summary,
            }
            for number, r in enumerate(kept, start=1)
        ],
        "comparison": comparison,
    }


def get_testimony(session: Session, testimony_id: int) -> Testimony:
    """Any testimony, restricted or withdrawn too: for archivists' pages only."""
    testimony = session.get(Testimony, testimony_id) if 0 < testimony_id <= MAX_ROW_ID else None
    if testimony is None:
        raise NotFound(_("there is no testimony %(number)s", number=testimony_id))
    return testimony
