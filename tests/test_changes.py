"""The unit of work and the change log: every write logged in order, the index following it."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import select
from whoosh.fields import ID

from oralhistory import search
from oralhistory.record import changes
from oralhistory.record.models import ChangeLog, Testimony
from oralhistory.services.check import check_index
from oralhistory.web import db, search_app
from tests.archive_helpers import archivist_client, form_for_testimony, submit
from tests.conftest import import_testimony, run_cli
from tests.helpers import archive_schema_and_groups, hit_count


def change_log(app) -> list[tuple[str, int | None, str | None]]:
    with app.app_context():
        rows = db.session().scalars(select(ChangeLog).order_by(ChangeLog.id))
        return [(row.kind, row.testimony_id, row.author) for row in rows]


def correct_without_the_index(app, text: str) -> None:
    """Correct the first passage as a crash right after the commit leaves it: the record
    and the change log changed, the index not."""
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).order_by(Testimony.id))
        testimony.passages[0].text = text
        changes.record(session, testimony, "corrected", "ada", "Changed passage p-1")
        session.commit()
        assert search_app.archive_index().last_change() < changes.last_change_id(session)


def caught_up(app) -> bool:
    """Whether the index reflects the whole change log (looked at without searching)."""
    with app.app_context():
        session = db.session()
        index = search_app.archive_index()
        return index.last_change() == changes.last_change_id(session)


def wait_until_caught_up(app, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not caught_up(app):
        assert time.monotonic() < deadline, "the index follower did not apply the change"
        time.sleep(0.05)


def test_every_write_leaves_a_row_in_the_change_log_in_order(app, tmp_path):
    before = change_log(app)
    # `init` of the collection: its spellings of names, its timeline, its description, then
    # each testimony
    assert [kind for kind, _, _ in before] == ["names", "timeline", "collection"] + ["imported"] * 5
    archivist = archivist_client(app)
    response = submit(archivist, "/archive/testimonies/new", form_for_testimony())
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    token_page = f"/archive/testimonies/{new_id}/edit"
    for action in ("withdraw", "reinstate"):
        response = submit(
            archivist,
            f"/archive/testimonies/{new_id}/{action}",
            {"reason": "consent", "confirm": "yes"},  # withdrawal asks to confirm first
            form_page=token_page,
        )
        assert response.status_code == 302
    after = change_log(app)[len(before) :]
    assert after == [
        ("added", new_id, "ada"),
        ("withdrawn", new_id, "ada"),
        ("reinstated", new_id, "ada"),
    ]
    with app.app_context():
        ids = db.session().scalars(select(ChangeLog.id).order_by(ChangeLog.id)).all()
    assert ids == list(range(1, len(ids) + 1))


def test_changes_since_reads_the_log_by_time_for_harvesters(app, tmp_path):
    import_testimony(app, tmp_path, "harvested", "A word for harvesting.")
    with app.app_context():
        session = db.session()
        everything = changes.changes_since(session)
        latest = everything[-1]
        assert latest.kind == "imported" and latest.revision_id is not None
        later = latest.changed_at + dt.timedelta(seconds=1)
        assert changes.changes_since(session, since=later) == []
        assert changes.changes_since(session, since=latest.changed_at) == [latest]
        assert changes.changes_since(session, after_id=latest.id - 1) == [latest]


def test_a_change_the_index_missed_is_applied_by_the_follower_and_found(app, client):
    correct_without_the_index(app, "Zanzibarian marmalade was all we had.")
    assert hit_count(client, "zanzibarian") == 0  # a search reads the index as it is
    app.extensions["oralhistory.follower"].start()
    wait_until_caught_up(app)
    assert hit_count(client, "zanzibarian") == 1
    with app.app_context():
        assert check_index(db.session(), search_app.archive_index()).clean


def test_a_reader_does_not_wait_for_a_busy_index_and_finds_the_change_once_followed(app, client):
    correct_without_the_index(app, "Quokkas crossed the square.")
    held, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        with app.app_context(), search_app.archive_index().writing():
            held.set()
            release.wait(10)

    writer = threading.Thread(target=other_writer)
    writer.start()
    try:
        assert held.wait(10)
        app.extensions["oralhistory.follower"].start()  # it finds the index busy
        # a reader does not wait for the writer: it searches what the index holds
        assert hit_count(client, "quokkas") == 0
    finally:
        release.set()
        writer.join(10)
    wait_until_caught_up(app)
    assert hit_count(client, "quokkas") == 1


def build_as_an_earlier_version(app) -> str:
    """Rebuild the archive's index with a field this version's documents do not carry, as
    an earlier version would have built it; return its generation."""
    with app.app_context():
        session = db.session()
        schema, groups = archive_schema_and_groups(session)
        schema.add("legacy", ID(stored=True))
        index = search_app.archive_index()
        index.rebuild(schema, groups, 1, changes.last_change_id(session))
        assert search.index_is_outdated(search_app.archive_index())
        return index._current()


def test_init_rebuilds_an_index_an_earlier_version_built_with_other_fields(app):
    earlier = build_as_an_earlier_version(app)
    assert run_cli(app, "init").exit_code == 0
    with app.app_context():
        assert not search.index_is_outdated(search_app.archive_index())
        assert search_app.archive_index()._current() != earlier
        assert "legacy" not in search_app.archive_index().searcher().schema.names()


def test_a_search_on_an_index_of_an_earlier_version_is_answered_while_it_is_rebuilt(app):
    earlier = build_as_an_earlier_version(app)
    client = app.test_client()
    app.extensions["oralhistory.follower"].start()  # it finds the index outdated
    assert hit_count(client, "Aleppo") > 0  # from the earlier index, while the new one is built
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with app.app_context():
            if search_app.archive_index()._current() != earlier and not search.index_is_outdated(
                search_app.archive_index()
            ):
                break
        time.sleep(0.1)
    else:
        raise AssertionError("the index of an earlier version was not rebuilt")
    assert hit_count(client, "Aleppo") > 0
