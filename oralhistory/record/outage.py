"""When the database fails: telling an outage or a read-only database from a fault of ours,
and what to tell the reader about it.

An outage (the server down or restarting, a dropped connection, no connection to be had) and
a database that refuses writes (a restore in progress, a full disk, a file or a mount made
read-only, PostgreSQL's `default_transaction_read_only`) are facts of the world, not bugs:
they are answered with 503 and a message saying what the reader can and cannot do, never
with 500. Whether the request's own change was committed is known (see `db.commit_state`),
so the message never says "nothing was changed" when something was.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc

from ..messages import _

READ_ONLY = "read-only"
UNREACHABLE = "unreachable"

# SQLite says why in words only.
_SQLITE_READ_ONLY = ("readonly database", "read-only database", "database or disk is full")
_SQLITE_UNREACHABLE = ("unable to open database", "disk i/o error", "database is locked")
# PostgreSQL's SQLSTATE classes and codes: 08 connection exceptions, 53 insufficient
# resources, 57P01-57P03 the server shutting down, crashing or starting up.
_PG_READ_ONLY = {"25006", "53100"}  # read-only transaction; disk full
_PG_UNREACHABLE_PREFIXES = ("08", "53", "57P")


def failure_kind(error: BaseException) -> str | None:
    """`READ_ONLY` when the database refused to change, `UNREACHABLE` when it could not be
    reached or stopped answering, None for any other error (a fault to report as such)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = _kind_of(current)
        if kind:
            return kind
        current = current.__cause__ or current.__context__
    return None


def _kind_of(error: BaseException) -> str | None:
    if isinstance(error, exc.DisconnectionError | exc.TimeoutError):
        return UNREACHABLE
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return UNREACHABLE
        return _kind_of(error.orig) if error.orig is not None else None
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        if any(words in text for words in _SQLITE_READ_ONLY):
            return READ_ONLY
        if any(words in text for words in _SQLITE_UNREACHABLE):
            return UNREACHABLE
        return None
    try:
        import psycopg
    except ImportError:  # an archive on SQLite needs no PostgreSQL driver
        return None
    if isinstance(error, psycopg.Error):
        state = getattr(error, "sqlstate", None) or ""
        if state in _PG_READ_ONLY:
            return READ_ONLY
        if state.startswith(_PG_UNREACHABLE_PREFIXES):
            return UNREACHABLE
        # no SQLSTATE: the client's own failure to connect, or a connection lost
        if isinstance(error, psycopg.OperationalError) and not state:
            return UNREACHABLE
    return None


def message(kind: str, *, writing: bool, commit_state: str, signing_in: bool = False) -> str:
    """What to tell the reader of a request that met a database failure of `kind`.

    `writing`: the request asked for a change (not a GET); `commit_state`: "none", "sent"
    (the commit was under way when the database failed: its outcome is unknown) or "done"
    (this request's change is stored).
    """
    if commit_state == "done":
        return _(
            "Your change is saved, but the archive cannot be read right now to show it: its "
            "database stopped answering. Please look again in a few moments; do not send the "
            "change again."
        )
    if commit_state == "sent":
        return _(
            "The archive cannot be changed right now: its database stopped answering while "
            "your change was being saved, so whether it was kept cannot be known yet. In a few "
            "moments, look for it before sending it again (a form of this archive sent twice "
            "is stored once)."
        )
    if signing_in and kind == READ_ONLY:
        return _(
            "Signing in is not possible right now: the archive cannot be changed, and signing "
            "in records the new session. Every public page can still be read; please try again "
            "later."
        )
    if kind == READ_ONLY:
        return _(
            "The archive cannot be changed right now: its database accepts no changes (it may "
            "be being restored, or its disk may be full). Nothing was changed; every page can "
            "still be read. Please try again later."
        )
    if writing:
        return _(
            "The archive cannot be changed right now: its database cannot be reached. Nothing "
            "was changed; please try again in a few moments."
        )
    return _(
        "The archive cannot be read right now: its database cannot be reached. Please try "
        "again in a few moments."
    )
