"""Two app servers, each with its own index directory, on one PostgreSQL database: what is
saved or withdrawn through one is in the other's index within a second, with no search sent
to the other to bring it there (each server's index follower keeps its index in step)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from oralhistory.record import changes
from oralhistory.search import ArchiveIndex
from oralhistory.web import db
from tests.archive_helpers import PASSWORD, create_archivist, form_for_testimony
from tests.conftest import POSTGRES_URL, make_app, run_cli

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL (see .ci/run)")
START_SECONDS = 60
FOLLOW_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """An app server process (gunicorn, one worker) on 127.0.0.1 with its own index."""

    def __init__(self, database_url: str, index_dir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{self.port}"]
            + ["wsgi:app"],
            cwd=Path(__file__).resolve().parent.parent,
            env={
                **os.environ,
                "ORALHISTORY_DATABASE_URL": database_url,
                "ORALHISTORY_INDEX_DIR": str(index_dir),
                "ORALHISTORY_SECRET_KEY": "shared-by-both-servers",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                self.get("/narrators")
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError("the server did not start")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def post(self, path: str, form_page: str, data: dict) -> str:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.get(form_page)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.geturl()

    def total(self, q: str) -> int:
        return json.loads(self.get("/api/search?" + urllib.parse.urlencode({"q": q})))["total"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def seconds_until_indexed(app, index_dir: Path) -> float:
    """Seconds until the index in `index_dir` reflects the latest change the database holds,
    read from its files: nothing is asked of the server that keeps it."""
    with app.app_context():
        latest = changes.last_change_id(db.session())
    index = ArchiveIndex(index_dir)
    return seconds_until(lambda: index.exists() and index.last_change() >= latest)


def seconds_until(condition) -> float:
    start = time.monotonic()
    while time.monotonic() - start < FOLLOW_SECONDS * 5:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    return float("inf")


def test_a_save_and_a_withdrawal_through_one_server_are_seen_through_the_other(app, tmp_path):
    # the second server's index, built from the same record
    second_index = tmp_path / "second-index"
    other = make_app(tmp_path, INDEX_DIR=str(second_index))
    assert run_cli(other, "reindex").exit_code == 0
    create_archivist(app)
    servers = []
    try:
        servers = [
            Server(app.config["DATABASE_URL"], Path(app.config["INDEX_DIR"])),
            Server(app.config["DATABASE_URL"], second_index),
        ]
        first, second = servers
        assert second.total("axolotls") == 0
        first.post("/login", "/login", {"username": "ada", "password": PASSWORD})
        transcript = "Axolotls lived in the fountain of our courtyard."
        saved = first.post(
            "/archive/testimonies/new",
            "/archive/testimonies/new",
            form_for_testimony(transcript=transcript),
        )
        testimony_id = int(saved.rsplit("/", 1)[1])
        assert first.total("axolotls") == 1  # searchable as soon as the save returns
        # no search is sent to the second server until its index holds the change
        assert seconds_until_indexed(app, second_index) <= FOLLOW_SECONDS
        assert second.total("axolotls") == 1
        first.post(
            f"/archive/testimonies/{testimony_id}/withdraw",
            f"/archive/testimonies/{testimony_id}/edit",
            {"reason": "consent revoked", "confirm": "yes"},
        )
        assert first.total("axolotls") == 0
        assert seconds_until_indexed(app, second_index) <= FOLLOW_SECONDS
        assert second.total("axolotls") == 0
    finally:
        for server in servers:
            server.stop()
