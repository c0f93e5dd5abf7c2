"""Range requests for a recording while others search: the p50/p95 wait of 8 clients each
asking for 256 KiB pieces of a long recording at random places, beside 4 clients searching.

    python -m benchmarks.recording_range [MINUTES] [SECONDS] [--nginx]

MINUTES of recording (default 120: a 2-hour WAV, ~115 MB), measured for SECONDS (default 20).
Served as the README says: gunicorn with gunicorn.conf.py (2 workers); with `--nginx`, Debian's
nginx with deploy/nginx.conf in front and ORALHISTORY_MEDIA_ACCEL=/_media/ (nginx sends the
bytes). The first collection is the archive; the recording is a generated tone (nobody's
voice) given to an invented testimony.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from benchmarks.recording_upload import write_tone
from benchmarks.slow_clients import NGINX, PROJECT_ROOT, start_gunicorn, start_nginx, stop

RANGE_CLIENTS, SEARCH_CLIENTS = 8, 4
PIECE = 256 * 1024
QUERIES = ("Aleppo", "bread", "convoy", "hospital", "siege", "family", "water", "school")
TESTIMONY = """---
slug: tone-bench
title: An invented testimony for the benchmark
narrator:
  slug: bench-narrator
  name: Bench Narrator
interview_date: 2020-01-02
interviewers: [Someone]
citation:
  publisher: Benchmark
  title: Benchmark
rights: Benchmark only.
access: public
recording:
  file: tone.wav
---
Invented words, read by nobody.
"""


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "oralhistory", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return done.stdout


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _client(port: int, until: float, ask, waits: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < until:
        path, headers, expected = ask()
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(str(error))
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        waits.append(time.perf_counter() - started)
        if response.status != expected:
            errors.append(f"{path}: {response.status}")
    connection.close()


def main(minutes: float, seconds: float, through_nginx: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="range-bench-"))
    folder = tmp / "collection"
    folder.mkdir()
    write_tone(folder / "tone.wav", minutes)
    size = (folder / "tone.wav").stat().st_size
    (folder / "tone-bench.md").write_text(TESTIMONY, encoding="utf-8")
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
        "ORALHISTORY_INDEX_DIR": str(tmp / "index"),
        "ORALHISTORY_MEDIA_DIR": str(tmp / "media"),
        "ORALHISTORY_SECRET_KEY": "range-bench",
    }
    _cli(env, "init")
    _cli(env, "import", str(folder / "tone-bench.md"))
    if through_nginx:
        env["ORALHISTORY_MEDIA_ACCEL"] = "/_media/"
    servers = []
    try:
        gunicorn, port = start_gunicorn(env, "-c", "gunicorn.conf.py", "-w", "2")
        servers.append(gunicorn)
        if through_nginx:
            nginx, port = start_nginx(tmp / "nginx", port, tmp / "media")
            servers.append(nginx)
        address = f"http://127.0.0.1:{port}/api/narrators/bench-narrator"
        found = json.load(urllib.request.urlopen(address, timeout=30))
        recording = f"/testimonies/{found['testimonies'][0]['id']}/recording"

        def ask_range():
            start = random.randrange(0, size - PIECE)
            return recording, {"Range": f"bytes={start}-{start + PIECE - 1}"}, 206

        def ask_search():
            return f"/search?q={random.choice(QUERIES)}", {}, 200

        range_waits: list[float] = []
        search_waits: list[float] = []
        errors: list[str] = []
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=_client, args=(port, until, ask_range, range_waits, errors))
            for _ in range(RANGE_CLIENTS)
        ] + [
            threading.Thread(target=_client, args=(port, until, ask_search, search_waits, errors))
            for _ in range(SEARCH_CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for server in reversed(servers):
            stop(server)
        shutil.rmtree(tmp, ignore_errors=True)
    way = "nginx (X-Accel-Redirect) in front of gunicorn" if through_nginx else "gunicorn"
    print(f"{minutes:g}-minute WAV ({size / 1024**2:.0f} MB), {seconds:g} s, served by {way}")
    for name, waits, clients in (
        (f"Range {PIECE // 1024} KiB", range_waits, RANGE_CLIENTS),
        ("search page", search_waits, SEARCH_CLIENTS),
    ):
        print(
            f"  {name:16} {clients} clients: {len(waits)} answers, "
            f"p50 {statistics.median(waits) * 1000:.1f} ms, "
            f"p95 {_percentile(waits, 0.95) * 1000:.1f} ms, max {max(waits) * 1000:.1f} ms"
        )
    print(f"  errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(
        float(arguments[0]) if arguments else 120.0,
        float(arguments[1]) if len(arguments) > 1 else 20.0,
        "--nginx" in sys.argv and NGINX.exists(),
    )
