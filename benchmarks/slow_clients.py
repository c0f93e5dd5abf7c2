"""How long readers wait while slow clients hold connections open, served three ways.

    .venv/bin/python -m benchmarks.slow_clients

An archive (the first collection, `flask init` in a temporary directory) is served on free
127.0.0.1 ports by gunicorn with sync workers (`gunicorn -w 4 wsgi:app` without this
project's configuration, as the README once said), by gunicorn with `gunicorn.conf.py`
(threads), and by that behind nginx with `deploy/nginx.conf`. Against each, slow clients
are opened (some send a header line every second and never finish their request; some
announce a 100,000-byte body and send 10 bytes of it) and then readers ask for pages and
searches one after the other; the time each reader waited is printed (a reader gives up
after `--reader-timeout` seconds). Every loop is bounded in count and time; traffic goes to
127.0.0.1 only. `tests/test_slow_clients.py` runs the same with assertions and no timings.
"""

from __future__ import annotations

import argparse
import http.client
import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
DEPLOYED_NGINX = PROJECT_ROOT / "deploy" / "nginx.conf"
READER_PATHS = ("/", "/api/search?q=Aleppo", "/narrators", "/search?q=bread")
START_SECONDS = 60


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float) -> int:
    """The status of GET `path` on 127.0.0.1:`port`; raises OSError (a timeout included)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _wait_until_answering(port: int, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if get(port, "/narrators", timeout=5) == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer on 127.0.0.1:{port}")


def stop(process: subprocess.Popen) -> None:
    """End a server this module started: TERM, then KILL after 10 seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def start_gunicorn(environment: dict[str, str], *arguments: str) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `wsgi:app` from the project with `arguments` (`-c gunicorn.conf.py`,
    or `-c /dev/null -w 4` for its defaults) on a free port, answering; and the port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *arguments, "-b", f"127.0.0.1:{port}"]
        + ["--log-level", "error", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_answering(port, process, "gunicorn")
    except BaseException:
        stop(process)
        raise
    return process, port


def nginx_config(
    workdir: Path, port: int, upstream_port: int, media_dir: Path | None = None
) -> Path:
    """`deploy/nginx.conf` as a whole nginx configuration in `workdir`: listening on
    127.0.0.1:`port`, passing to gunicorn on `upstream_port`, serving `static/` from the
    project (and the recordings' internal location from `media_dir`, when given), with its
    pid file, logs and buffers in `workdir`."""
    site = DEPLOYED_NGINX.read_text()
    media = workdir / "no-media" if media_dir is None else media_dir
    for deployed, here in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("/srv/oralhistory/static/", f"{PROJECT_ROOT / 'static'}/"),
        ("/srv/oralhistory/instance/media/", f"{media}/"),
    ):
        if site.count(deployed) != 1:
            raise ValueError(f"deploy/nginx.conf should hold `{deployed}` once")
        site = site.replace(deployed, here)
    temporary = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.exists() else "types { text/css css; }"
    config = workdir / "nginx.conf"
    config.write_text(
        f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"
        "worker_processes 1;\n"
        "daemon off;\n"
        f"pid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    {types}\n"
        "    default_type application/octet-stream;\n"
        "    access_log off;\n"
        f"{temporary}\n"
        f"{site}\n"
        "}\n"
    )
    return config


def start_nginx(
    workdir: Path, upstream_port: int, media_dir: Path | None = None
) -> tuple[subprocess.Popen, int]:
    """Debian's nginx with `deploy/nginx.conf` in front of gunicorn on `upstream_port`
    (recordings sent from `media_dir` when given), answering on a free port; and that port."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = nginx_config(workdir, port, upstream_port, media_dir)
    checked = subprocess.run(
        [str(NGINX), "-t", "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused deploy/nginx.conf:\n{checked.stderr}")
    process = subprocess.Popen(
        [str(NGINX), "-e", str(workdir / "error.log"), "-p", str(workdir), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_answering(port, process, "nginx")
    except BaseException:
        stop(process)
        raise
    return process, port


class SlowClients:
    """Connections that hold a server's attention without finishing a request, each in a
    thread of its own, until `stop()` or `seconds` have passed. A connection the server
    closes is opened again, as an attacker would."""

    def __init__(self, port: int, drippers: int, stallers: int, seconds: float = 60.0):
        self.port = port
        self.deadline = time.monotonic() + seconds
        self._stopping = threading.Event()
        self.reconnections = 0
        self._threads = [
            threading.Thread(target=self._drip, daemon=True) for _ in range(drippers)
        ] + [threading.Thread(target=self._stall, daemon=True) for _ in range(stallers)]
        for thread in self._threads:
            thread.start()

    def _running(self) -> bool:
        return not self._stopping.is_set() and time.monotonic() < self.deadline

    def _connect(self, first: bytes) -> socket.socket | None:
        try:
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            connection.sendall(first)
            return connection
        except OSError:
            return None

    def _closed_by_server(self, connection: socket.socket, wait: float) -> bool:
        """Whether the server answered or closed the connection within `wait` seconds."""
        # poll, not select: a test process may hold descriptors past select's 1,024
        waiting = select.poll()
        waiting.register(connection, select.POLLIN)
        if not waiting.poll(wait * 1000):
            return False
        try:
            connection.recv(65536)  # an answer (408, 400) or nothing: the server is done
        except OSError:
            pass
        return True

    def _drip(self) -> None:
        """A request whose headers never end: a line every second (at most 600 lines)."""
        connection, lines = None, 0
        while self._running() and lines < 600:
            if connection is None:
                connection = self._connect(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                self.reconnections += 1
            if connection is not None and self._closed_by_server(connection, 1.0):
                connection.close()
                connection = None
                continue
            if connection is None:
                self._stopping.wait(0.5)
                continue
            try:
                connection.sendall(b"X-Slow-%d: a\r\n" % lines)
                lines += 1
            except OSError:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    def _stall(self) -> None:
        """A form that announces 100,000 bytes and sends 10 of them, then nothing."""
        head = (
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000\r\n\r\nusername=a"
        )
        connection, tries = None, 0
        while self._running() and tries < 600:
            if connection is None:
                connection = self._connect(head)
                self.reconnections += 1
                tries += 1
            if connection is None:
                self._stopping.wait(0.5)
            elif self._closed_by_server(connection, 0.5):
                connection.close()
                connection = None
        if connection is not None:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(10)


def reader_waits(port: int, readers: int, timeout: float) -> list[float | None]:
    """Seconds each of `readers` readers, one after the other, waited for a page or a search
    (None: no answer within `timeout`, or an error status)."""
    waits: list[float | None] = []
    for n in range(readers):
        started = time.monotonic()
        try:
            status = get(port, READER_PATHS[n % len(READER_PATHS)], timeout)
            waits.append(time.monotonic() - started if status == 200 else None)
        except OSError:
            waits.append(None)
    return waits


def make_archive(workdir: Path) -> dict[str, str]:
    """An archive of the first collection in `workdir`; the environment that serves it."""
    environment = {
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{workdir / 'archive.db'}",
        "ORALHISTORY_INDEX_DIR": str(workdir / "index"),
        "ORALHISTORY_SECRET_KEY": "slow-clients",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "oralhistory", "init"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **environment},
        check=True,
        capture_output=True,
        timeout=300,
    )
    return environment


def _figures(waits: list[float | None]) -> str:
    answered = sorted(w for w in waits if w is not None)
    if not answered:
        return f"0 of {len(waits)} answered"
    return (
        f"{len(answered)} of {len(waits)} answered; waits {answered[0]:.2f} to "
        f"{answered[-1]:.2f} s (median {answered[len(answered) // 2]:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drippers", type=int, default=4)
    parser.add_argument("--stallers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--reader-timeout", type=float, default=75.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="slow-clients-"))
    try:
        environment = make_archive(workdir)
        setups = [
            ("gunicorn -w 4, sync workers (no configuration)", ("-c", "/dev/null", "-w", "4")),
            ("gunicorn -c gunicorn.conf.py (threads)", ("-c", "gunicorn.conf.py")),
            ("nginx (deploy/nginx.conf) before gunicorn.conf.py", ("-c", "gunicorn.conf.py")),
        ]
        for name, arguments in setups:
            servers = []
            try:
                gunicorn, port = start_gunicorn(environment, *arguments)
                servers.append(gunicorn)
                if name.startswith("nginx"):
                    if not NGINX.exists():
                        print(f"{name}: no {NGINX}, skipped")
                        continue
                    nginx, port = start_nginx(workdir / "nginx", port)
                    servers.append(nginx)
                alone = reader_waits(port, 4, args.reader_timeout)
                slow = SlowClients(port, args.drippers, args.stallers, seconds=600)
                time.sleep(3)  # the slow clients take their connections
                try:
                    waits = reader_waits(port, args.readers, args.reader_timeout)
                finally:
                    slow.stop()
                print(f"{name}:")
                print(f"  alone: {_figures(alone)}")
                print(
                    f"  beside {args.drippers} header drippers and {args.stallers} stalled "
                    f"bodies: {_figures(waits)}"
                )
            finally:
                for server in reversed(servers):
                    stop(server)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
