"""How the search index follows the record: it applies the change log (`catch_up`), is
rebuilt whole (`rebuild`) and heals (`heal`).

A write (`unit_of_work.UnitOfWork`) adds change-log rows; after it commits, the index applies
them. A reader never does: each process's index follower (`index_follower`) keeps its index in
step. What the index holds is read from the record by `index_documents` and handed to the
search package as plain values.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import search
from ..record.changes import last_change_id
from ..record.models import ChangeLog
from . import index_documents

# A kind that names no testimony changes what every passage is indexed with.
WHOLE_INDEX_KINDS = frozenset(["timeline", "names"])
# A kind that changes nothing any passage is indexed with (the collection's description).
UNINDEXED_KINDS = frozenset(["collection"])


class WholeIndexNeeded(Exception):
    """The changes to apply need the whole index rebuilt (`catch_up` without `wait`)."""


def rebuild_index(
    session: Session, index: search.ArchiveIndex, last_change: int | None = None
) -> int:
    """Rebuild the whole index from the record; return the number of passages indexed.

    `last_change` is the id of the last change-log row the database held when the session's
    reading began (by default, the latest now): the new index reflects it.
    """
    if last_change is None:
        last_change = last_change_id(session)
    return search.rebuild_index(
        index,
        index_documents.document_groups(session, None),
        spellings=index_documents.spellings(session),
        passages=index_documents.passage_count(session),
        last_change=last_change,
    )


def index_testimonies(
    session: Session,
    index: search.ArchiveIndex,
    testimony_ids: Iterable[int],
    last_change: int | None,
) -> None:
    """Bring the index in line with the record for these testimonies (after the commit). A
    withdrawn testimony's passages are removed. When there is no index yet, or it was built
    with other fields, the whole index is built."""
    if not index.exists() or search.index_is_outdated(index):
        rebuild_index(session, index, last_change)
        return
    ids = sorted(set(testimony_ids))
    groups = index_documents.document_groups(session, ids)
    search.index_testimonies(index, ids, groups, last_change)


def catch_up(session: Session, index: search.ArchiveIndex, *, wait: bool = True) -> int:
    """Apply to the index every change it does not reflect yet; return how many there were.

    One writer at a time (the index's write lock): with `wait`, wait for it and rebuild the
    whole index when a change needs it; without, raise `search.IndexBusy` when another
    process is writing, and `WholeIndexNeeded` instead of rebuilding.
    """
    latest = last_change_id(session)
    if index.exists() and index.last_change() == latest and not search.index_is_outdated(index):
        return 0
    with index.writing(timeout=search.WRITE_LOCK_TIMEOUT if wait else 0):
        # read again under the lock: another process may have applied them meanwhile
        applied = index.last_change() if index.exists() else None
        outdated = search.index_is_outdated(index)
        if applied == latest and not outdated:
            return 0
        rows = session.execute(
            select(ChangeLog.kind, ChangeLog.testimony_id).where(
                ChangeLog.id > (applied or 0),
                ChangeLog.id <= latest,
                ChangeLog.kind.not_in(list(UNINDEXED_KINDS)),
            )
        ).all()
        whole = (
            applied is None
            # an index built by an earlier version, with other fields
            or outdated
            # an index ahead of the record: the database was restored from a backup
            or applied > latest
            or any(kind in WHOLE_INDEX_KINDS or tid is None for kind, tid in rows)
        )
        if whole and not wait:
            raise WholeIndexNeeded
        if whole:
            rebuild_index(session, index, last_change=latest)
        else:
            index_testimonies(session, index, {tid for _, tid in rows}, last_change=latest)
        return len(rows)


def rebuild(session: Session, index: search.ArchiveIndex) -> int:
    """Rebuild the whole index from the record (a new generation, switched in one step);
    return the number of passages indexed."""
    with index.writing():
        return rebuild_index(session, index, last_change=last_change_id(session))


def heal(session: Session, index: search.ArchiveIndex) -> bool:
    """Rebuild the index unless it is sound, of this version's fields and up to date with
    the change log; return whether it was rebuilt. Raises `search.IndexBusy` when another
    process is writing it (that one, or the next try, heals it)."""
    with index.writing(timeout=0):
        latest = last_change_id(session)
        sound = index.exists() and index.damage() is None
        current = sound and not search.index_is_outdated(index)
        if current and index.last_change() == latest:
            return False
        rebuild_index(session, index, last_change=latest)
        return True
