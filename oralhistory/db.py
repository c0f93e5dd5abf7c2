"""Database engine and sessions: one session per request or per CLI command."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .models import Base


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory, and close the session after each request."""
    url = app.config["DATABASE_URL"]
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    app.extensions["oralhistory.engine"] = engine
    app.extensions["oralhistory.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Several worker processes share one file: wait for a lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def engine() -> Engine:
    return current_app.extensions["oralhistory.engine"]


def session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["oralhistory.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def create_schema() -> None:
    """Create any missing tables; existing tables and rows are left as they are."""
    Base.metadata.create_all(engine())
