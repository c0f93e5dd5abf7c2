"""The one unit of work every write to the record goes through.

    with UnitOfWork(session) as work:
        ...change the record in `session`...
        work.record(testimony, "corrected", author, summary)
    work.index_warning   # None, or the words to show: the index could not follow yet

The change to the record, its revision and its change-log row commit together when the block
ends cleanly; an exception in the block rolls all of it back (and is raised on), and so does
`discard()` (nothing worth keeping: "the file says what the record holds"). Only after the
commit is the search index brought up to date, by applying the change log
(`indexing.catch_up`, through the hook the app's sessions carry, `FOLLOW_INDEX`); when it
cannot follow (busy, damaged, a full disk) the record is kept, `index_warning` says so, and
the index catches up by itself: this process's index follower (`index_follower`), the next
write, or `flask check --repair`.

On PostgreSQL the commit also sends a NOTIFY, so that the index followers of the other
processes and servers wake at once instead of at their next look at the change log.

Nothing else in `oralhistory/` commits, but for the accounts' own bookkeeping (sign-in
counters and sessions in `auth`), which is not part of the record and has no change-log row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.orm import Session

from . import changes
from .models import ChangeLog, Revision, Testimony

logger = logging.getLogger(__name__)

# what every unit of work NOTIFYs on PostgreSQL as it commits; index followers LISTEN to it
CHANNEL = "oralhistory_changes"
# The key, in a session's `info`, of what brings the index up to date after a commit: a
# callable of the session returning None, or the words to show (`index_follower.follow_commit`,
# put there by the app's session factory, `db`). A session without it leaves the index as it is.
FOLLOW_INDEX = "oralhistory.follow_index"
INDEX_BEHIND = (
    "The change is saved, but the search index could not follow it yet; it catches up by "
    "itself within moments."
)


class UnitOfWork:
    """A transaction on the record: commit on a clean exit, roll back on an exception, then
    the index follows. `index_warning` is None, or what to tell the person who made the change.

    With `index=False` the index is not brought up to date at the end: for a batch (an import
    of many files, each in a unit of its own) whose caller catches the index up once after.
    """

    def __init__(self, session: Session, *, index: bool = True) -> None:
        self.session = session
        self.follow_index = index
        self.index_warning: str | None = None
        self.committed = False
        self._discarded = False

    def __enter__(self) -> UnitOfWork:
        return self

    def record(self, testimony: Testimony, kind: str, author: str, summary: str) -> Revision:
        """Add the revision of a change to `testimony` and its change-log row."""
        return changes.record(self.session, testimony, kind, author, summary)

    def log(self, kind: str, **fields) -> ChangeLog:
        """Add a change-log row alone (a change to no one testimony, or one made by the rules)."""
        return changes.log(self.session, kind, **fields)

    def discard(self) -> None:
        """Keep nothing of this unit: it is rolled back at the end of the block."""
        self._discarded = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool:
        if kind is not None or self._discarded:
            self._roll_back()
            return False
        try:
            self._commit()
        except BaseException:
            self._roll_back()
            raise
        follow = self.session.info.get(FOLLOW_INDEX)
        if self.follow_index and follow is not None:
            self.index_warning = follow(self.session)
        return False

    def _roll_back(self) -> None:
        try:
            self.session.rollback()
        except Exception:  # a database gone away: the error that ended the unit is the one
            logger.warning("a unit of work could not be rolled back cleanly", exc_info=True)

    def _commit(self) -> None:
        session = self.session
        # A refused write fails here, before the COMMIT: then nothing was stored, for certain.
        session.flush()
        # `db.commit_state` reads how far it went, so that a failure of the database is
        # never reported as "nothing was changed" when it may have been.
        session.info["commit"] = "sent"
        if session.get_bind().dialect.name == "postgresql":
            # delivered by PostgreSQL when, and only if, the transaction commits
            session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
        session.commit()
        session.info["commit"] = "done"
        self.committed = True


@dataclass
class Saved:
    """A change that was committed; `index_warning` says if the index could not follow."""

    testimony: Testimony
    index_warning: str | None = None
