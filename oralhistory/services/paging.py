"""Pages of a list that grows with the archive: which rows page N holds, and how many pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .records import NotFound


@dataclass(frozen=True)
class Paging:
    """Page `page` (from 1) of `total` rows, `per_page` to a page."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are; an empty list still has its one (empty) page."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page

    def as_dict(self) -> dict[str, Any]:
        """The fields a page's JSON adds: `page`, `pages`, `per_page`."""
        return {"page": self.page, "pages": self.pages, "per_page": self.per_page}


def paging(page: int | None, per_page: int, total: int, what: str) -> Paging:
    """Page `page` (None: the first) of `total` rows; raise `NotFound` for a page past the
    last, naming `what` is paged."""
    chosen = Paging(page or 1, per_page, total)
    if not 1 <= chosen.page <= chosen.pages:
        raise NotFound(f"{what} has no page {page}: it has {chosen.pages}")
    return chosen
