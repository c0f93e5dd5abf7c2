"""PostgreSQL stopped under a running archive, then started again: every answer meanwhile is
a 503 that says the archive cannot be read or changed right now (never a 500), and once the
server is back every request succeeds, the connections the pool held from before included.

The test runs a throwaway PostgreSQL server of its own (Debian's initdb and pg_ctl, run as
the `postgres` user, as `.ci/run` does): the server every other test shares is never stopped.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from tests.archive_helpers import archivist_client, form_for_testimony, record_counts, submit
from tests.conftest import import_testimony, make_app, run_cli

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = pytest.mark.skipif(not PG_BIN, reason="no PostgreSQL server to start (initdb)")
AS_ROOT = os.geteuid() == 0
READERS = ["/", "/timeline", "/narrators", "/api/search?q=convoy", "/search?q=bread"]


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary directory, on a free port of 127.0.0.1."""

    def __init__(self) -> None:
        self.bin = Path(PG_BIN[-1]).parent
        self.work = Path(tempfile.mkdtemp(prefix="oralhistory-outage-"))
        if AS_ROOT:
            self.work.chmod(0o711)  # the server runs as postgres, below it
            shutil.chown(self.work, "postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._run("initdb", "-D", str(self.work / "data"), "-U", "postgres", "-A", "trust")
        self.start()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        # PostgreSQL refuses to run as root: root runs it as `postgres`, anyone else as self
        as_postgres = ["runuser", "-u", "postgres", "--"] if AS_ROOT else []
        command = [*as_postgres, str(self.bin / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.work} "
            # durability traded for speed, but not commits: a stop "immediate" must not
            # lose what was committed before it
            "-c fsync=off -c full_page_writes=off"
        )
        data, log = str(self.work / "data"), str(self.work / "log")
        self._run("pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start", "-o", options)

    def stop(self) -> None:
        # as a crash or a pulled cable would: no goodbye to the connections
        self._run("pg_ctl", "-D", str(self.work / "data"), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # stopped already
        shutil.rmtree(self.work, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    server = ThrowawayPostgres()
    yield server
    server.remove()


@pytest.fixture
def archive(postgres, tmp_path):
    """An archive on the throwaway server, with one testimony, and a signed-in archivist."""
    admin = create_engine(postgres.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS archive WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE archive"))
    url = postgres.url.rsplit("/", 1)[0] + "/archive"
    app = make_app(tmp_path, DATABASE_URL=url, TRANSCRIPTS_DIR=str(tmp_path / "none"))
    result = run_cli(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    import_testimony(app, tmp_path, "bread", "We queued for bread.\n\nThe convoy left at dawn.")
    assert run_cli(app, "reindex").exit_code == 0
    return app, archivist_client(app)


def hold_several_connections(app, count: int = 4) -> None:
    """Fill the pool with `count` connections, as a busy server's would be."""
    engine = app.extensions["oralhistory.engine"]
    held = [engine.connect() for _ in range(count)]
    for connection in held:
        connection.execute(text("SELECT 1"))
        connection.close()


def test_a_database_outage_answers_503_and_every_request_succeeds_after_it(postgres, archive):
    app, archivist = archive
    reader = app.test_client()
    for path in READERS:
        assert reader.get(path).status_code == 200, path
    hold_several_connections(app)
    postgres.stop()
    try:
        for path in READERS:
            response = reader.get(path)
            assert response.status_code == 503, (path, response.get_data(as_text=True)[:300])
            assert response.headers["Retry-After"]
            if path.startswith("/api/"):
                assert "cannot be read right now" in response.get_json()["error"]
            else:
                assert "The archive cannot be read right now" in response.get_data(as_text=True)
        arabic = reader.get("/timeline", headers={"Accept-Language": "ar"})
        assert arabic.status_code == 503
        assert "لا يمكن قراءة الأرشيف الآن" in arabic.get_data(as_text=True)
        token = archivist.get_cookie("session")
        assert token is not None
    finally:
        postgres.start()
    for _ in range(3):
        for path in READERS + ["/archive/", "/api/archive/testimonies"]:
            client = archivist if "archive" in path else reader
            assert client.get(path).status_code == 200, path


def test_a_save_during_an_outage_says_nothing_was_changed_and_stores_nothing(postgres, archive):
    app, archivist = archive
    before = record_counts(app)
    # the form is opened before the outage, sent during it
    page = archivist.get("/archive/testimonies/new").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    hold_several_connections(app)
    postgres.stop()
    try:
        response = archivist.post(
            "/archive/testimonies/new", data={**form_for_testimony(), "csrf_token": token}
        )
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "The archive cannot be changed right now" in page
        assert "Nothing was changed" in page
        signing_in = app.test_client().get("/login")
        assert signing_in.status_code in (200, 503)
    finally:
        postgres.start()
    assert record_counts(app) == before
    saved = submit(archivist, "/archive/testimonies/new", form_for_testimony())
    assert saved.status_code == 302
    assert record_counts(app)["Testimony"] == before["Testimony"] + 1


def test_a_server_restarted_between_two_requests_goes_unnoticed(postgres, archive):
    # A worker that had no request during the outage still holds the connections it made
    # before it: each is tried before use, and replaced.
    app, archivist = archive
    reader = app.test_client()
    hold_several_connections(app)
    postgres.stop()
    postgres.start()
    for path in READERS:
        assert reader.get(path).status_code == 200, path
    assert archivist.get("/archive/").status_code == 200


def save_as_the_database_stops(postgres, archive, moment: str):
    """A new testimony sent through the form, the server stopped at the session's `moment`
    ("before_commit": as the COMMIT is sent; "after_commit": just after it) and started
    again once the answer is made."""
    app, archivist = archive
    page = archivist.get("/archive/testimonies/new").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    stopped = []

    def outage(_session) -> None:
        if not stopped:
            stopped.append(True)
            postgres.stop()

    factory = app.extensions["oralhistory.sessionmaker"]
    event.listen(factory, moment, outage)
    try:
        response = archivist.post(
            "/archive/testimonies/new", data={**form_for_testimony(), "csrf_token": token}
        )
    finally:
        event.remove(factory, moment, outage)
        postgres.start()
    assert stopped
    return response


def test_a_save_committed_just_before_an_outage_is_confirmed_not_denied(postgres, archive):
    app, archivist = archive
    before = record_counts(app)
    response = save_as_the_database_stops(postgres, archive, "after_commit")
    assert "nothing was changed" not in response.get_data(as_text=True).lower()
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].startswith("/testimonies/")
    assert record_counts(app)["Testimony"] == before["Testimony"] + 1
    assert archivist.get(response.headers["Location"]).status_code == 200


def test_a_save_whose_commit_meets_an_outage_never_says_nothing_was_changed(postgres, archive):
    # The server goes away as the COMMIT is sent: whether it was kept cannot be known.
    response = save_as_the_database_stops(postgres, archive, "before_commit")
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:500]
    assert "nothing was changed" not in page.lower()
    assert "whether it was kept cannot be known yet" in page


def test_a_save_confirmed_as_the_database_goes_away_stays_confirmed(postgres, archive, tmp_path):
    # The database goes away once the answer is made, before the request's session is
    # closed: closing it fails, and the archivist is still told the testimony is saved.
    app, archivist = archive
    before = record_counts(app)
    server = make_app(tmp_path, DATABASE_URL=app.config["DATABASE_URL"])
    stopped = []

    @server.teardown_request  # runs before the session is closed (`teardown_appcontext`)
    def outage_before_the_session_closes(_error) -> None:
        if request.method == "POST" and not stopped:
            stopped.append(True)
            postgres.stop()

    client = server.test_client()
    client.set_cookie("session", archivist.get_cookie("session").value)
    page = client.get("/archive/testimonies/new").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    try:
        response = client.post(
            "/archive/testimonies/new", data={**form_for_testimony(), "csrf_token": token}
        )
    finally:
        if stopped:
            postgres.start()
    assert stopped
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert record_counts(app)["Testimony"] == before["Testimony"] + 1
