"""Who may see what: the one place that decides whether a testimony is visible."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, true

from .kinds import AccessLevel
from .models import Testimony


@dataclass(frozen=True)
class Viewer:
    """The person asking: an anonymous reader, or a signed-in archivist."""

    archivist: str | None = None

    @property
    def is_archivist(self) -> bool:
        """Whether the viewer is a signed-in archivist."""
        return self.archivist is not None


ANONYMOUS = Viewer()


def visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition for the testimonies `viewer` may see on the public site.

    Readers see public testimonies that have not been withdrawn; archivists also see
    restricted ones. Withdrawn testimonies stay in the record for archivists' pages only.
    """
    condition = Testimony.withdrawn_at.is_(None)
    if not viewer.is_archivist:
        condition = and_(condition, Testimony.access == AccessLevel.PUBLIC)
    return and_(condition, true())


def can_see(viewer: Viewer, testimony: Testimony) -> bool:
    """Whether `viewer` may read `testimony`: archivists every one, readers the public ones not
    withdrawn."""
    if viewer.is_archivist:
        return True
    return testimony.is_public
