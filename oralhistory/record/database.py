"""The database itself, without Flask: an engine with the settings the archive needs, and
the schema's migrations (Alembic). `db` gives the app its engine and a session per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .log_models import ChangeLogHead
from .schema import Base

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision of the first schema: an archive made before migrations holds it, and perhaps
# some of the tables and columns of the revisions after it, which they add only when missing.
FIRST_REVISION = "0001"


def make_engine(url: str) -> Engine:
    """An engine on `url`: pooled connections tried before use, SQLite's locks waited for."""
    # A pooled connection is tried before use: one the database dropped (a restart, an
    # outage) is replaced instead of failing the request that draws it.
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: Engine, info: dict | None = None) -> sessionmaker[Session]:
    """The factory of sessions on `engine`, each starting with `info`; what they loaded
    stays readable after a commit."""
    return sessionmaker(engine, expire_on_commit=False, info=info)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Several worker processes share one file: wait for a lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for the migrations shipped in the package, on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade_schema(engine: Engine) -> None:
    """Bring the database to the current schema, keeping every row.

    An empty database gets the current schema at once; one made by any earlier version of
    the archive, with or without migrations, is upgraded in place.
    """
    with engine.connect() as connection, _foreign_keys_checked_after(connection):
        with connection.begin():
            config = alembic_config(connection)
            tables = inspect(connection)
            if not tables.has_table("alembic_version"):
                if not tables.has_table("testimony"):
                    Base.metadata.create_all(connection)
                    connection.execute(ChangeLogHead.__table__.insert().values(id=1, last_id=0))
                    command.stamp(config, "head")
                    return
                command.stamp(config, FIRST_REVISION)
            command.upgrade(config, "head")
            _check_foreign_keys(connection)


@contextmanager
def _foreign_keys_checked_after(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while migrations run (SQLite alters a table by copying it
    and dropping the old one, which a table others point at cannot survive with them on; the
    switch works only outside a transaction), checked before the commit, on again after."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        yield
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migrations left rows pointing at nothing: {broken[:5]}")


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, None before migrations."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
