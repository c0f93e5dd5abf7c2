"""Crashes: `kill -9` a `flask import` or a form save at several points; the restarted
server's index follower brings the index up to date with no one running a command, and the
database is whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from oralhistory.record import changes
from oralhistory.services.check import check_index
from oralhistory.web import db, search_app
from tests.conftest import TESTIMONY, make_app

PROCESS_SECONDS = 60  # the most a killed process is given to start and to die
FORM_SAVE = r"""
import sys
from tests.conftest import make_app
from tests.archive_helpers import archivist_client, form_for_testimony, submit
from pathlib import Path

app = make_app(Path(sys.argv[1]))
archivist = archivist_client(app, sys.argv[2])
form = form_for_testimony(title=sys.argv[2], transcript=sys.stdin.read())
token_page = "/archive/testimonies/new"
print("ready", flush=True)
for _ in range(3):
    submit(archivist, "/archive/testimonies/new", form, form_page=token_page)
print("done", flush=True)
"""


def long_transcript(words: str, passages: int) -> str:
    return "\n\n".join(f"{words} The river, passage {n}, and the bridge." for n in range(passages))


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}


def kill(process: subprocess.Popen, app, commits: int, delay: float) -> None:
    """`kill -9` the process `delay` seconds after it has committed `commits` changes (or at
    its end, if it commits fewer)."""
    with app.app_context():
        session = db.session()
        start = changes.last_change_id(session)
        deadline = time.monotonic() + PROCESS_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            session.rollback()  # a fresh look at what has committed
            if changes.last_change_id(session) - start >= commits:
                break
            time.sleep(0.01)
        session.close()
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(PROCESS_SECONDS)
    app.extensions["oralhistory.engine"].dispose()


def assert_recovered_without_a_command(tmp_path: Path) -> None:
    """A new process (a restarted server) brings its index up to date by itself, and then
    the index agrees with the record, passage by passage; the database passes its integrity
    check."""
    restarted = make_app(tmp_path, INDEX_FOLLOWER=True)
    deadline = time.monotonic() + PROCESS_SECONDS
    while restarted.extensions["oralhistory.follower"].rounds < 2:  # one whole round done
        assert time.monotonic() < deadline, "the index follower did not run"
        time.sleep(0.05)
    response = restarted.test_client().get("/api/search", query_string={"q": "river"})
    assert response.status_code == 200
    with restarted.app_context():
        session = db.session()
        drift = check_index(session, search_app.archive_index())
        assert drift.clean, drift.lines()
        if db.engine().dialect.name == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        restarted.extensions["oralhistory.engine"].dispose()


# (commits before the kill, then seconds): before anything is stored, between files, while
# the index follows
POINTS = [(0, 0.0), (1, 0.0), (2, 0.02), (4, 0.0), (4, 0.1)]


@pytest.mark.parametrize(("commits", "delay"), POINTS)
def test_a_killed_import_leaves_the_index_to_catch_up_by_itself(app, tmp_path, commits, delay):
    files = []
    for number in range(4):
        path = tmp_path / f"crash-{number}.md"
        body = TESTIMONY.format(slug=f"crash-{number}", text=long_transcript("Killed.", 150))
        path.write_text(body.replace("test-narrator", f"crash-narrator-{number}"))
        files.append(str(path))
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "oralhistory", "import", *files],
        env={
            **env(),
            "ORALHISTORY_DATABASE_URL": app.config["DATABASE_URL"],
            "ORALHISTORY_INDEX_DIR": app.config["INDEX_DIR"],
            "ORALHISTORY_SECRET_KEY": "test-secret",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill(process, app, commits, delay)
    assert_recovered_without_a_command(tmp_path)


@pytest.mark.parametrize(("commits", "delay"), [(0, 0.0), (1, 0.0), (1, 0.05), (3, 0.0)])
def test_a_killed_form_save_leaves_the_index_to_catch_up_by_itself(app, tmp_path, commits, delay):
    process = subprocess.Popen(
        [sys.executable, "-c", FORM_SAVE, str(tmp_path), f"killed{commits}{int(delay * 100)}"],
        env=env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    process.stdin.write(long_transcript("Saved.", 300))
    process.stdin.close()
    deadline = time.monotonic() + PROCESS_SECONDS
    line = ""
    while line != "ready\n" and time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
    assert line == "ready\n", "the saving process did not start"
    kill(process, app, commits, delay)
    process.stdout.close()
    assert_recovered_without_a_command(tmp_path)
