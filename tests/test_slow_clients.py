"""Slow clients cannot stall the archive: served as the README says (gunicorn with
`gunicorn.conf.py`, and behind nginx with `deploy/nginx.conf`), readers are answered while
connections that drip their headers or stall their bodies are open.

The servers run on free 127.0.0.1 ports and are stopped at the end; every slow client stops
by itself after a minute at most. How long readers wait is measured, not asserted, by
`python -m benchmarks.slow_clients`.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.slow_clients import (
    NGINX,
    SlowClients,
    get,
    reader_waits,
    start_gunicorn,
    start_nginx,
    stop,
)
from tests.conftest import copy_database, make_app

# the README's command: the configuration in gunicorn.conf.py, two processes
GUNICORN = ("-c", "gunicorn.conf.py", "-w", "2")
# generous: a reader is answered, not answered quickly (speed is the benchmark's)
READER_TIMEOUT = 10.0
BODY_IDLE_SECONDS = 3
needs_nginx = pytest.mark.skipif(
    not NGINX.exists(), reason="needs Debian's nginx (.ci/run installs nginx-light)"
)


@pytest.fixture(scope="module")
def served(built_archive, tmp_path_factory):
    """The first collection served by gunicorn, and by nginx in front of it: their ports."""
    tmp = tmp_path_factory.mktemp("served")
    copy_database(built_archive, tmp)
    shutil.copytree(built_archive / "index", tmp / "index")
    config = make_app(tmp).config
    environment = {
        "ORALHISTORY_DATABASE_URL": config["DATABASE_URL"],
        "ORALHISTORY_INDEX_DIR": config["INDEX_DIR"],
        "ORALHISTORY_SECRET_KEY": "slow-clients",
        # a stalled body is answered sooner than the default 10 s, to keep the test short
        "ORALHISTORY_REQUEST_BODY_IDLE_SECONDS": str(BODY_IDLE_SECONDS),
    }
    servers = []
    try:
        gunicorn, gunicorn_port = start_gunicorn(environment, *GUNICORN)
        servers.append(gunicorn)
        nginx_port = None
        if NGINX.exists():
            nginx, nginx_port = start_nginx(tmp / "nginx", gunicorn_port)
            servers.append(nginx)
        yield {"gunicorn": gunicorn_port, "nginx": nginx_port}
    finally:
        for server in reversed(servers):
            stop(server)


def answered_beside_slow_clients(port: int) -> list[float | None]:
    """Four readers' waits while four clients drip header lines and two stall their bodies."""
    slow = SlowClients(port, drippers=4, stallers=2, seconds=60)
    try:
        time.sleep(2.5)  # each slow client has its connection, and has sent a few lines
        return reader_waits(port, 4, READER_TIMEOUT)
    finally:
        slow.stop()


def test_readers_are_answered_while_slow_clients_hold_connections_to_gunicorn(served):
    waits = answered_beside_slow_clients(served["gunicorn"])
    assert None not in waits, f"readers not answered within {READER_TIMEOUT} s: {waits}"


@needs_nginx
def test_readers_are_answered_through_nginx_while_slow_clients_hold_connections(served):
    waits = answered_beside_slow_clients(served["nginx"])
    assert None not in waits, f"readers not answered within {READER_TIMEOUT} s: {waits}"


@needs_nginx
def test_nginx_hangs_up_on_a_client_that_never_finishes_its_headers(served):
    with socket.create_connection(("127.0.0.1", served["nginx"]), timeout=5) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        # a header line every second, until nginx answers or hangs up (its limit: 10 s)
        connection.settimeout(1.0)
        answer = None
        for line in range(30):
            try:
                answer = connection.recv(4096)
                break
            except TimeoutError:
                pass
            try:
                connection.sendall(b"X-Slow-%d: a\r\n" % line)
            except OSError:
                answer = b""
                break
    assert answer is not None, "nginx kept a dripping client for 30 s"
    assert answer == b"" or b" 408 " in answer.split(b"\r\n")[0]


@needs_nginx
def test_nginx_serves_static_files_and_refuses_a_body_larger_than_the_app_takes(served):
    assert get(served["nginx"], "/static/style.css", READER_TIMEOUT) == 200
    with socket.create_connection(("127.0.0.1", served["nginx"]), timeout=10) as connection:
        connection.sendall(
            b"POST /archive/testimonies/new HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 7340032\r\n\r\n"
        )
        status_line = connection.recv(4096).split(b"\r\n")[0]
    assert b" 413 " in status_line


def test_a_stalled_upload_sent_to_gunicorn_is_answered_408_and_its_thread_freed(served):
    with socket.create_connection(("127.0.0.1", served["gunicorn"]), timeout=5) as connection:
        connection.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000\r\n\r\nusername=a"
        )
        # then nothing: the app gives up after BODY_IDLE_SECONDS, long before this
        connection.settimeout(BODY_IDLE_SECONDS * 5)
        answer = b""
        for _ in range(100):  # the answer, read until its page has come
            chunk = connection.recv(65536)
            answer += chunk
            if not chunk or b"</html>" in answer:
                break
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 408 " in status_line
    assert "too slowly" in rest.decode("utf-8", "replace")


# searches of every kind (words, a phrase, OR, a spelling, a misspelling, a filter), and the
# JSON of lists and records: what the caches shared by a process's threads serve
SHARED_ANSWERS = (
    "/api/search?q=Aleppo",
    "/api/search?q=%22barrel+bombs%22",
    "/api/search?q=bread+OR+water",
    "/api/search?q=Halab",
    "/api/search?q=oposition",
    "/api/search?q=siege&place=aleppo",
    "/api/narrators",
    "/api/events",
    "/api/testimonies/1",
)


def answer(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_readers_at_once_get_the_answers_each_gets_alone(served):
    port = served["gunicorn"]
    alone = {path: answer(port, path) for path in SHARED_ANSWERS}
    assert {status for status, _ in alone.values()} == {200}
    # eight readers at once, each path four times: the threads of both processes answer
    with ThreadPoolExecutor(8) as readers:
        at_once = list(readers.map(lambda path: (path, answer(port, path)), SHARED_ANSWERS * 4))
    assert [path for path, got in at_once if got != alone[path]] == []
