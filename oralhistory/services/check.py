"""`flask check`: the record and the search index compared, passage by passage.

The record is right by definition; the index may have drifted (a change it missed, a passage
left behind by a crash, files restored from a backup). Every public and restricted passage
the record holds should be in the index at the version its document has now (see
`search.passage_versions`), and nothing else should be.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from .. import search
from ..record import changes
from . import index_documents, indexing


@dataclass
class Drift:
    """What differs between the record and the index."""

    passages: int = 0  # passages the index should hold
    missing: dict[int, int] = field(default_factory=dict)  # passage id -> testimony id
    stale: dict[int, int] = field(default_factory=dict)  # indexed at another version
    extra: dict[int, int] = field(default_factory=dict)  # indexed, not shown by the record
    behind: int = 0  # changes in the log the index does not reflect yet
    problem: str | None = None  # why the index cannot be read at all

    @property
    def clean(self) -> bool:
        """Whether the index agrees with the record: nothing missing, stale, extra or behind."""
        return not (self.missing or self.stale or self.extra or self.behind or self.problem)

    def lines(self) -> list[str]:
        """The drift in words, one line per kind of difference."""
        lines = []
        if self.problem:
            lines.append(f"The index cannot be read: {self.problem}.")
        for label, ids in (
            ("missing from the index", self.missing),
            ("indexed with other text, access or links", self.stale),
            ("in the index but withdrawn or gone from the record", self.extra),
        ):
            if ids:
                shown = ", ".join(str(i) for i in sorted(ids)[:10])
                more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
                lines.append(f"{len(ids)} passage(s) {label}: ids {shown}{more}.")
        if self.behind:
            lines.append(f"The index is {self.behind} change(s) behind the change log.")
        return lines


def check_index(session: Session, index: search.ArchiveIndex) -> Drift:
    """Compare every passage the record would index with what `index` holds."""
    drift = Drift()
    try:
        # every file the searcher reads, arrays included, read through
        problem = index.damage(thorough=True)
        if problem:
            raise search.IndexDamaged(problem)
        indexed = index.indexed_versions()
        applied = index.last_change()
    except (search.IndexMissing, search.IndexDamaged) as error:
        drift.problem = str(error)
        indexed, applied = {}, 0
    drift.behind = max(0, changes.last_change_id(session) - applied) if indexed else 0
    for group in index_documents.document_groups(session, None):
        testimony_id = group.testimony.id
        for passage_id, wanted in search.passage_versions(group):
            drift.passages += 1
            _, version = indexed.pop(passage_id, (None, None))
            if version is None:
                drift.missing[passage_id] = testimony_id
            elif version != wanted:
                drift.stale[passage_id] = testimony_id
    drift.extra = {passage_id: testimony for passage_id, (testimony, _) in indexed.items()}
    return drift


def repair_index(session: Session, index: search.ArchiveIndex, drift: Drift) -> str:
    """Bring the index in line with the record; say what was done.

    A few testimonies are re-indexed; an unreadable index, or one that differs in most of
    its passages, is rebuilt whole.
    """
    if drift.problem or len(drift.missing) + len(drift.stale) > drift.passages // 2:
        count = indexing.rebuild(session, index)
        return f"rebuilt the whole index from the record ({count} passages)"
    indexing.catch_up(session, index)
    drift = check_index(session, index)
    testimonies = {*drift.missing.values(), *drift.stale.values(), *drift.extra.values()}
    with index.writing():
        indexing.index_testimonies(session, index, testimonies, changes.last_change_id(session))
    return f"re-indexed {len(testimonies)} testimonies"
