"""Fixtures: the real app, a real SQLite database and a real Whoosh index in a temp dir."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oralhistory import PROJECT_ROOT, create_app

TRANSCRIPTS = PROJECT_ROOT / "transcripts"

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
        "DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
        "INDEX_DIR": str(tmp / "index"),
        "SECRET_KEY": "test-secret",
        "TRANSCRIPTS_DIR": str(TRANSCRIPTS),
    }
    config.update(overrides)
    return create_app(config)


def run_cli(app, *args: str):
    """Run a `flask --app oralhistory` command in-process, as a user would."""
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="session")
def built_archive(tmp_path_factory) -> Path:
    """A directory holding the first collection, initialised once for the whole run."""
    tmp = tmp_path_factory.mktemp("built")
    result = run_cli(make_app(tmp), "init")
    assert result.exit_code == 0, result.output
    return tmp


@pytest.fixture
def app(built_archive, tmp_path):
    """A fresh copy of the initialised archive, so each test may change it freely."""
    shutil.copy(built_archive / "archive.db", tmp_path / "archive.db")
    shutil.copytree(built_archive / "index", tmp_path / "index")
    return make_app(tmp_path)


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

    from oralhistory import db
    from oralhistory.auth import create_archivist, open_session
    from oralhistory.models import Archivist

    with app.app_context():
        session = db.session()
        archivist = session.scalar(select(Archivist).where(Archivist.username == username))
        if archivist is None:
            archivist = create_archivist(session, username, "a long enough password")
        token = open_session(session, archivist)
    with client.session_transaction() as cookie:
        cookie["archivist"] = username
        cookie["sid"] = token
