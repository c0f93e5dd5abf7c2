"""The change log, and how the index follows it.

A write (`unit_of_work.UnitOfWork`) adds `record` (a change to a testimony: its revision and
its change-log row) or `log` (a change-log row alone) to its transaction; after it commits,
the search index applies the change log (`catch_up`). A reader never does: each process's
index follower (`index_follower`) keeps its index in step, and heals a damaged one (`heal`).

The change log is what every index directory (one per server), harvester and export follows:
its ids only grow, in the order the changes committed, and each row says when (`changes_since`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import revisions, search
from .models import CHANGE_KINDS, ChangeLog, ChangeLogHead, Revision, Testimony, utcnow

# A kind that names no testimony changes what every passage is indexed with.
WHOLE_INDEX_KINDS = frozenset(["timeline"])
INDEX_BEHIND = (
    "The change is saved, but the search index could not follow it yet; it catches up by "
    "itself within moments."
)


def log(
    session: Session,
    kind: str,
    *,
    testimony_id: int | None = None,
    revision_id: int | None = None,
    author: str | None = None,
    summary: str | None = None,
) -> ChangeLog:
    """Add a change-log row for a change made in `session`; `commit` commits both.

    The id is taken by updating the one `change_log_head` row: a second writer waits on that
    row until the first commits, so ids commit in the order they are given and a follower
    reading "every change after N" never skips one that commits late.
    """
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    bump = (
        update(ChangeLogHead)
        .where(ChangeLogHead.id == 1)
        .values(last_id=ChangeLogHead.last_id + 1)
        .returning(ChangeLogHead.last_id)
    )
    change_id = session.execute(bump).scalar()
    if change_id is None:  # a database made without `database.upgrade_schema` lacks the row
        change_id = (session.scalar(select(func.max(ChangeLog.id))) or 0) + 1
        session.add(ChangeLogHead(id=1, last_id=change_id))
    change = ChangeLog(
        id=change_id,
        kind=kind,
        testimony_id=testimony_id,
        revision_id=revision_id,
        author=author,
        summary=summary,
        changed_at=utcnow(),
    )
    session.add(change)
    return change


def record(
    session: Session, testimony: Testimony, kind: str, author: str, summary: str
) -> Revision:
    """Add the revision of a change to `testimony` and its change-log row; `commit` commits."""
    revision = revisions.record(session, testimony, author, summary)
    session.flush()
    log(
        session,
        kind,
        testimony_id=testimony.id,
        revision_id=revision.id,
        author=author,
        summary=summary,
    )
    return revision


def last_change_id(session: Session) -> int:
    """The id of the latest committed change (0 when the log is empty)."""
    return session.scalar(select(func.max(ChangeLog.id))) or 0


class WholeIndexNeeded(Exception):
    """The changes to apply need the whole index rebuilt (`catch_up` without `wait`)."""


def catch_up(session: Session, *, wait: bool = True) -> int:
    """Apply to the index every change it does not reflect yet; return how many there were.

    One writer at a time (the index's write lock): with `wait`, wait for it and rebuild the
    whole index when a change needs it; without, raise `search.IndexBusy` when another
    process is writing, and `WholeIndexNeeded` instead of rebuilding.
    """
    index = search.archive_index()
    latest = last_change_id(session)
    if index.exists() and index.last_change() == latest and not search.index_is_outdated():
        return 0
    with index.writing(timeout=search.WRITE_LOCK_TIMEOUT if wait else 0):
        # read again under the lock: another process may have applied them meanwhile
        applied = index.last_change() if index.exists() else None
        outdated = search.index_is_outdated()
        if applied == latest and not outdated:
            return 0
        rows = session.execute(
            select(ChangeLog.kind, ChangeLog.testimony_id).where(
                ChangeLog.id > (applied or 0), ChangeLog.id <= latest
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
            search.rebuild_index(session, last_change=latest)
        else:
            search.index_testimonies(session, {tid for _, tid in rows}, last_change=latest)
        return len(rows)


def rebuild(session: Session) -> int:
    """Rebuild the whole index from the record (a new generation, switched in one step);
    return the number of passages indexed."""
    index = search.archive_index()
    with index.writing():
        return search.rebuild_index(session, last_change=last_change_id(session))


def heal(session: Session) -> bool:
    """Rebuild the index unless it is sound, of this version's fields and up to date with
    the change log; return whether it was rebuilt. Raises `search.IndexBusy` when another
    process is writing it (that one, or the next try, heals it)."""
    index = search.archive_index()
    with index.writing(timeout=0):
        latest = last_change_id(session)
        sound = index.exists() and index.damage() is None
        current = sound and not search.index_is_outdated()
        if current and index.last_change() == latest:
            return False
        search.rebuild_index(session, last_change=latest)
        return True


def changes_since(
    session: Session,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    *,
    after_id: int = 0,
    kinds: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[ChangeLog]:
    """The changes committed in a time range (UTC, both ends included) and after a change
    id, oldest first: what harvesters and exports read."""
    query = select(ChangeLog).where(ChangeLog.id > after_id).order_by(ChangeLog.id)
    if since is not None:
        query = query.where(ChangeLog.changed_at >= since)
    if until is not None:
        query = query.where(ChangeLog.changed_at <= until)
    if kinds is not None:
        query = query.where(ChangeLog.kind.in_(list(kinds)))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
