"""Readers never write: a search, a CSV of results or any page read leaves the index and the
record as they were (no index write, no thread started, no row changed), even with a change
in the log the index has not applied; and nothing in the archive commits but the unit of
work and the accounts' own bookkeeping."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from sqlalchemy import func, select

from oralhistory import PROJECT_ROOT
from oralhistory.record import changes
from oralhistory.record.models import ArchivistSession, ChangeLog, Revision, Testimony
from oralhistory.web import db, search_app

# The accounts' bookkeeping (sign-in counters, sessions) is no part of the record, nor are the
# schema's migrations (`database.py`, on a connection of their own).
MAY_COMMIT = {"unit_of_work.py", "accounts.py", "database.py"}


def test_nothing_but_the_unit_of_work_and_the_accounts_commits():
    package = PROJECT_ROOT / "oralhistory"
    found = [
        f"{path.relative_to(package)}:{number}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        if path.name not in MAY_COMMIT and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.commit\(", line)
    ]
    assert found == []


def index_files(app) -> dict[str, tuple[int, int]]:
    """Every file of the index directory, with its size and time of last change."""
    root = Path(app.config["INDEX_DIR"])
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def record_state(app) -> tuple:
    """What a write to the record would change: the change log, revisions, testimonies'
    corrections and the archivists' sessions."""
    with app.app_context():
        session = db.session()
        return (
            session.scalar(select(func.count(ChangeLog.id))),
            session.scalar(select(func.max(ChangeLog.id))),
            session.scalar(select(func.count(Revision.id))),
            session.scalar(select(func.max(Testimony.corrected_at))),
            session.scalar(select(func.count(ArchivistSession.id))),
        )


def change_pending(app, text: str) -> None:
    """A correction committed and logged that the index has not applied (as a server killed
    right after its commit leaves it): what a search used to apply."""
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).order_by(Testimony.id))
        testimony.passages[0].text = text
        changes.record(session, testimony, "corrected", "ada", "Changed passage p-1")
        session.flush()
        session.commit()  # by hand: the unit of work would bring the index up to date
        assert search_app.archive_index().last_change() < changes.last_change_id(session)


READS = [
    "/search?q=Aleppo",
    "/search?q=tapirs",
    "/api/search?q=Aleppo",
    "/api/search?q=Aleppo&page=2",
    "/search.csv?q=Aleppo",
    "/",
    "/narrators",
    "/timeline",
    "/testimonies/1",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc",
]


def test_a_burst_of_searches_and_pages_writes_neither_the_index_nor_the_record(app):
    change_pending(app, "Tapirs walked through the market that morning.")
    client = app.test_client()
    files, state = index_files(app), record_state(app)
    threads = {thread.ident for thread in threading.enumerate()}
    for _ in range(3):
        for path in READS:
            response = client.get(path)
            assert response.status_code in (200, 404), (path, response.status_code)
    assert index_files(app) == files
    assert record_state(app) == state
    assert {thread.ident for thread in threading.enumerate()} <= threads
    # the change is still pending: no search applied it
    assert client.get("/api/search?q=tapirs").get_json()["total"] == 0


def test_a_search_on_a_damaged_index_starts_no_rebuild_of_its_own(app):
    # no index follower runs here: the 503 asks it, and nothing else is started
    generation = Path(app.config["INDEX_DIR"])
    generation = generation / (generation / "CURRENT").read_text().strip()
    for toc in generation.glob("*.toc"):
        toc.write_bytes(b"\x00garbled table of contents" * 20)
    from tests.conftest import make_app

    reader = make_app(Path(app.config["INDEX_DIR"]).parent)
    threads = {thread.ident for thread in threading.enumerate()}
    files = index_files(reader)
    assert reader.test_client().get("/api/search?q=Aleppo").status_code == 503
    assert {thread.ident for thread in threading.enumerate()} <= threads
    assert index_files(reader) == files
