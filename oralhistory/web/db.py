"""The app's database (Flask glue): its engine, and one session per request or CLI command.

The database itself (the engine's settings, the schema's migrations) is `database`, which
needs no Flask.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g

from ..record import database
from ..record.database import FIRST_REVISION, MIGRATIONS, alembic_config
from ..record.unit_of_work import FOLLOW_INDEX
from . import index_follower

__all__ = [
    "FIRST_REVISION",
    "MIGRATIONS",
    "alembic_config",
    "commit_state",
    "create_schema",
    "engine",
    "init_app",
    "schema_revision",
    "session",
    "upgrade_schema",
]

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory, and close the session after each request."""
    engine = database.make_engine(app.config["DATABASE_URL"])
    app.extensions["oralhistory.engine"] = engine
    # a unit of work brings the index up to date after its commit (`unit_of_work`)
    app.extensions["oralhistory.sessionmaker"] = database.make_sessionmaker(
        engine, info={FOLLOW_INDEX: index_follower.follow_commit}
    )
    app.teardown_appcontext(_close_session)


def engine() -> database.Engine:
    """The current app's engine."""
    return current_app.extensions["oralhistory.engine"]


def session() -> database.Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["oralhistory.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        try:
            db_session.close()
        except Exception:
            # The request's answer is made: closing a connection the database dropped must
            # not turn a committed change into a failure.
            logger.warning("a database session could not be closed cleanly", exc_info=True)


def commit_state() -> str:
    """Whether the current request's unit of work (`unit_of_work.UnitOfWork`) committed: "none",
    "sent" (its COMMIT was under way and did not come back: the outcome is unknown) or
    "done" (stored)."""
    db_session = g.get("db_session")
    return db_session.info.get("commit", "none") if db_session is not None else "none"


def upgrade_schema() -> None:
    """Bring the current app's database to the current schema, keeping every row
    (`database.upgrade_schema`)."""
    database.upgrade_schema(engine())


def schema_revision() -> str | None:
    """The Alembic revision the current app's database is at, None before migrations."""
    return database.schema_revision(engine())


def create_schema() -> None:
    """The schema as `upgrade_schema` leaves it (the older name of the same work)."""
    upgrade_schema()
