"""Fixtures: the real app, a real SQLite database and a real Whoosh index in a temp dir.

With `ORALHISTORY_TEST_POSTGRES_URL` set (an administrator's URL of a PostgreSQL server, as
`.ci/run` sets it), every temporary directory gets its own PostgreSQL database instead of the
SQLite file, and the whole suite runs against PostgreSQL.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from oralhistory import PROJECT_ROOT, create_app
from oralhistory.web import index_follower

TRANSCRIPTS = PROJECT_ROOT / "transcripts"
POSTGRES_URL = os.environ.get("ORALHISTORY_TEST_POSTGRES_URL")
# the apps a test made, whose connections are closed after it (PostgreSQL counts them)
_apps: list = []


@cache
def _postgres_admin() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _database_name(tmp: Path) -> str:
    return "t_" + hashlib.blake2b(str(tmp.resolve()).encode(), digest_size=10).hexdigest()


def database_url(tmp: Path, template: Path | None = None) -> str:
    """The database of the archive in `tmp`: its SQLite file, or (with PostgreSQL) a database
    of its own, made on first use, or made afresh as a copy of `template`'s."""
    if not POSTGRES_URL:
        return f"sqlite:///{tmp / 'archive.db'}"
    name = _database_name(tmp)
    with _postgres_admin().connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if template is not None:
            if exists:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            # a database is copied only while nobody is connected to it: a connection an
            # earlier test's app left in its pool is closed
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :template AND pid <> pg_backend_pid()"
                ),
                {"template": _database_name(template)},
            )
            connection.execute(
                text(f'CREATE DATABASE "{name}" TEMPLATE "{_database_name(template)}"')
            )
        elif not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


sqlite_only = pytest.mark.skipif(
    bool(POSTGRES_URL), reason="measures or reads SQLite itself (the FTS5 baseline)"
)


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _apps:
        app = _apps.pop()
        index_follower.stop(app)
        app.extensions["oralhistory.engine"].dispose()


# A minimal valid testimony file; fill in `slug` and `text`.
TESTIMONY = """---
slug: {slug}
title: A test testimony
narrator:
  slug: test-narrator
  name: Test Narrator
interview_date: 2020-01-02
interviewers: [Someone]
citation:
  publisher: Test
  title: Test
rights: Test only.
access: public
---
{text}
"""


def make_app(tmp: Path, **overrides):
    config = {
        "TESTING": True,
        "DATABASE_URL": overrides.get("DATABASE_URL") or database_url(tmp),
        "INDEX_DIR": str(tmp / "index"),
        "SECRET_KEY": "test-secret",
        "TRANSCRIPTS_DIR": str(TRANSCRIPTS),
        "MEDIA_DIR": str(tmp / "media"),
        # a test that wants the index to follow other processes by itself asks for it
        "INDEX_FOLLOWER": False,
    }
    config.update(overrides)
    app = create_app(config)
    _apps.append(app)
    return app


def run_cli(app, *args: str):
    """Run a `flask --app oralhistory` command in-process, as a user would."""
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="session")
def built_archive(tmp_path_factory) -> Path:
    """A directory holding the first collection, initialised once for the whole run."""
    tmp = tmp_path_factory.mktemp("built")
    app = make_app(tmp)
    result = run_cli(app, "init")
    assert result.exit_code == 0, result.output
    # a PostgreSQL database is copied only while nobody is connected to it
    app.extensions["oralhistory.engine"].dispose()
    return tmp


@pytest.fixture
def app(built_archive, tmp_path):
    """A fresh copy of the initialised archive, so each test may change it freely."""
    copy_database(built_archive, tmp_path)
    shutil.copytree(built_archive / "index", tmp_path / "index")
    return make_app(tmp_path)


def copy_database(source: Path, tmp: Path) -> None:
    """Give the archive in `tmp` a copy of the database of the archive in `source`."""
    if POSTGRES_URL:
        database_url(tmp, template=source)
    else:
        shutil.copy(source / "archive.db", tmp / "archive.db")


@pytest.fixture
def client(app):
    return app.test_client()


def import_testimony(
    app, tmp_path: Path, slug: str, text: str, *, access: str = "public", narrator: str = ""
) -> str:
    """Import a one-passage-per-paragraph testimony through the real importer.

    The narrator (`narrator`, by default `<slug>-narrator`) is new, named "Test Narrator";
    returns the narrator's slug.
    """
    narrator = narrator or f"{slug}-narrator"
    body = TESTIMONY.format(slug=slug, text=text).replace("test-narrator", narrator)
    body = body.replace("access: public", f"access: {access}")
    path = tmp_path / f"{slug}.md"
    path.write_text(body, encoding="utf-8")
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    return narrator


def sign_in(app, client, username: str = "keeper") -> None:
    """Sign `client` in as an archivist (creating the account), without the login form."""
    from sqlalchemy import select

    from oralhistory.record.models import Archivist
    from oralhistory.services.accounts import create_archivist, open_session
    from oralhistory.web import db

    with app.app_context():
        session = db.session()
        archivist = session.scalar(select(Archivist).where(Archivist.username == username))
        if archivist is None:
            archivist = create_archivist(session, username, "a long enough password")
        token = open_session(session, archivist)
    with client.session_transaction() as cookie:
        cookie["archivist"] = username
        cookie["sid"] = token


@pytest.fixture
def archivist(app):
    """A test client of its own, signed in through the sign-in form as a new archivist."""
    from tests.archive_helpers import archivist_client

    return archivist_client(app)
