"""The change log.

A write (`unit_of_work.UnitOfWork`) adds `record` (a change to a testimony: its revision and
its change-log row) or `log` (a change-log row alone) to its transaction; after it commits,
the search index applies the change log (`indexing.catch_up`). A reader never does: each
process's index follower (`index_follower`) keeps its index in step.

The change log is what every index directory (one per server), harvester and export follows:
its ids only grow, in the order the changes committed, and each row says when (`changes_since`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import revisions
from .models import CHANGE_KINDS, ChangeLog, ChangeLogHead, Revision, Testimony, utcnow

logger = logging.getLogger(__name__)


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
