"""What a citation of a testimony as it reads now is made from, without reading its history.

The citation itself is made by `citation.cite`, the one way the archive cites; the web layer
gives it the permanent address and the day (`views.citing`). Services that show a citation
take that as a `Citer`, so that they build no URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import languages
from .models import Revision, Testimony

# (the work as `current_work` or `citable.get_revision` gives it, a passage's anchor or None)
# -> the citation as `citation.render` gives it, with its permanent address as "url"
Citer = Callable[[dict[str, Any], str | None], dict[str, str]]


def revision_count(session: Session, testimony_id: int) -> int:
    """The number of the revision a reader sees now: one for a testimony stored before
    revisions were kept (`citable` counts its state as stored as revision 1)."""
    count = session.scalar(
        select(func.count()).select_from(Revision).where(Revision.testimony_id == testimony_id)
    )
    return max(count or 0, 1)


def current_work(session: Session, testimony: Testimony) -> dict[str, Any]:
    """What a citation names of the testimony as it reads now: the facts `citation.csl_item`
    reads, as `citable.get_revision` gives them for the current revision."""
    return {
        "testimony_id": testimony.id,
        "number": revision_count(session, testimony.id),
        "is_current": True,
        "title": testimony.title,
        "narrator": {
            "slug": testimony.narrator.slug,
            "name": testimony.narrator.name,
            "name_arabic": testimony.narrator.name_arabic,
        },
        "language": testimony.language,
        "interview_date": testimony.interview_date.isoformat()
        if testimony.interview_date
        else None,
        "interviewers": list(testimony.interviewers),
        "citation": dict(testimony.citation or {}),
        "languages": languages.languages(testimony),
    }
