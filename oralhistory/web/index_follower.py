"""Each server process keeps its search index in step with the change log by itself.

A reader never writes: a search reads the index as it is. What other processes and servers
commit reaches this process's index through its follower, a thread that applies the change
log (`indexing.catch_up`) whenever the log grows:

- on PostgreSQL, woken by the NOTIFY every unit of work sends as it commits (`LISTEN`), and
  looking at the log every few seconds all the same, should a notification be lost;
- on SQLite (one machine), looking at the log at most every half second.

A search that finds the index damaged or missing asks the follower to rebuild it
(`request_heal`); readers get a 503 until the new generation is in place. Several processes
sharing one index directory (gunicorn's workers) each run a follower: the index's write lock
lets one apply a change, and the others find it applied.

The follower starts with the app when `INDEX_FOLLOWER` is true, and in a server (`wsgi.py`,
`start_in_server`, or `flask run`) unless it is false (`ORALHISTORY_INDEX_FOLLOWER=false`);
not in other `flask` commands and scripts, which bring the index up to date themselves. Once per process: a
process forked from one that ran it (gunicorn's `--preload`) starts its own.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref

import click
from flask import Flask, current_app

from .. import search
from ..record import outage
from ..record.unit_of_work import CHANNEL, INDEX_BEHIND
from ..services import indexing
from . import search_app

logger = logging.getLogger(__name__)

# how often the change log is looked at without a notification (SQLite; PostgreSQL's fallback)
POLL_SECONDS = 0.5
LISTENING_POLL_SECONDS = 5.0
# how long `stop` waits for a rebuild under way to end
STOP_SECONDS = 30

_followers: weakref.WeakSet[IndexFollower] = weakref.WeakSet()


class IndexFollower:
    """The thread that keeps one app's index in step with the change log."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.rounds = 0  # how many times the log was looked at (for tests and logs)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._heal_asked = False
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._last_problem: str | None = None
        _followers.add(self)

    def start(self) -> None:
        """Start following, unless this process's follower runs already."""
        if self.running():
            return
        self._stopping.clear()
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        """Whether the thread runs in this process."""
        thread = self._thread
        return thread is not None and thread.is_alive() and self._pid == os.getpid()

    def stop(self) -> None:
        """Stop following, once a round under way has ended."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_SECONDS)

    def wake(self, *, heal: bool = False) -> None:
        """Look at the change log now; with `heal`, rebuild the index unless it is sound."""
        if heal:
            self._heal_asked = True
        self._wake.set()

    def _run(self) -> None:
        postgres = self.app.extensions["oralhistory.engine"].dialect.name == "postgresql"
        listener = None
        due, last_look = True, 0.0
        try:
            while not self._stopping.is_set():
                if postgres and listener is None:
                    listener = self._listen()
                    due = due or listener is not None  # a notification may have been missed
                if due:
                    self._wake.clear()
                    self._round()
                    last_look = time.monotonic()
                if listener is not None:
                    try:
                        notified = any(listener.notifies(timeout=POLL_SECONDS, stop_after=1))
                    except Exception as error:  # the connection dropped: listen again later
                        self._problem(f"stopped listening for changes: {error}")
                        _close(listener)
                        listener, notified = None, False
                        self._wake.wait(POLL_SECONDS)
                    waited = time.monotonic() - last_look
                    due = notified or self._wake.is_set() or waited >= LISTENING_POLL_SECONDS
                else:
                    self._wake.wait(POLL_SECONDS)
                    due = True
        finally:
            if listener is not None:
                _close(listener)

    def _listen(self):
        """A connection of its own that LISTENs for the units of work's NOTIFY, or None."""
        import psycopg

        url = self.app.extensions["oralhistory.engine"].url.set(drivername="postgresql")
        try:
            connection = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception as error:
            self._problem(f"cannot listen for changes (looking every {POLL_SECONDS} s): {error}")
            return None
        return connection

    def _round(self) -> None:
        """Apply the changes the index lacks; rebuild it when asked, or when they need it."""
        self.rounds += 1
        heal, self._heal_asked = self._heal_asked, False
        try:
            with self.app.app_context():
                session = self.app.extensions["oralhistory.sessionmaker"]()
                index = search_app.archive_index(self.app)
                try:
                    if heal:
                        indexing.heal(session, index)
                    else:
                        try:
                            indexing.catch_up(session, index, wait=False)
                        except (
                            indexing.WholeIndexNeeded,
                            search.IndexDamaged,
                            search.IndexMissing,
                        ):
                            indexing.heal(session, index)
                finally:
                    session.close()
            self._last_problem = None
        except search.IndexBusy:  # another process writes it; look again at the next round
            self._heal_asked = self._heal_asked or heal
        except Exception as error:
            self._heal_asked = self._heal_asked or heal
            if outage.failure_kind(error):
                self._problem(f"the index cannot follow the change log: {error}")
            elif self._last_problem != repr(error):
                self._last_problem = repr(error)
                logger.exception("the search index could not follow the change log")

    def _problem(self, said: str) -> None:
        if said != self._last_problem:  # said once, not every half second
            self._last_problem = said
            logger.warning(said)


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 (a connection already gone)
        pass


def init_app(app: Flask) -> None:
    """Give the app its follower, and start it when `INDEX_FOLLOWER` is true, or under
    `flask run` (`make run`) unless it is false: a server of its own, like `wsgi.py`."""
    follower = IndexFollower(app)
    app.extensions["oralhistory.follower"] = follower
    wanted = app.config.get("INDEX_FOLLOWER")
    if wanted or (wanted is not False and _under_flask_run()):
        follower.start()


def _under_flask_run() -> bool:
    command = click.get_current_context(silent=True)
    return command is not None and command.info_name == "run"


def start_in_server(app: Flask) -> None:
    """Start the app's follower, as a server does, unless `INDEX_FOLLOWER` is false."""
    if app.config.get("INDEX_FOLLOWER") is not False:
        app.extensions["oralhistory.follower"].start()


def request_heal(app: Flask) -> bool:
    """Ask this process's follower to rebuild a damaged or missing index; return False when
    no follower runs here (then nothing is started: a reader never starts a thread)."""
    follower = app.extensions.get("oralhistory.follower")
    if follower is None or not follower.running():
        return False
    follower.wake(heal=True)
    return True


def follow_commit(session) -> str | None:
    """Bring the current app's index up to date with the change log after a commit (read
    through `session`, the unit of work's: no SQLAlchemy here); None
    when it follows, else the words to show (the record is kept, and the index heals by
    itself: this process's follower, or a rebuild started here when none runs)."""
    app = current_app._get_current_object()
    try:
        indexing.catch_up(session, search_app.archive_index(app))
    except Exception as error:
        logger.exception("the search index could not follow the change log")
        # a writer may start the rebuild itself when no follower runs here to do it
        if isinstance(error, search.IndexDamaged | search.IndexMissing) and not request_heal(app):
            rebuild_in_background(app)
        return INDEX_BEHIND
    return None


_rebuilding = threading.Lock()


def rebuild_in_background(app: Flask) -> bool:
    """Start rebuilding a damaged, missing or outdated index in a thread of this process.

    Returns False when this process is rebuilding already. Another process that holds the
    write lock is left to finish: the next write that finds the index damaged tries again.
    """
    if not _rebuilding.acquire(blocking=False):
        return False

    def run() -> None:
        try:
            with app.app_context():
                session = app.extensions["oralhistory.sessionmaker"]()
                try:
                    indexing.heal(session, search_app.archive_index(app))
                finally:
                    session.close()
        except search.IndexBusy:
            pass
        except Exception:
            logger.exception("the search index could not be rebuilt")
        finally:
            _rebuilding.release()

    threading.Thread(target=run, name="index-rebuild", daemon=True).start()
    return True


def stop(app: Flask) -> None:
    """Stop the app's follower, if it runs."""
    follower = app.extensions.get("oralhistory.follower")
    if follower is not None:
        follower.stop()


def _restart_after_fork() -> None:
    # Threads do not survive a fork: a follower that ran in the parent starts anew here.
    for follower in list(_followers):
        if follower._thread is not None:
            follower._thread = None
            follower._wake = threading.Event()
            follower.start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_after_fork)
