"""How the archive scales: build, add, search (Python and HTTP), size and memory, beside FTS5.

    .venv/bin/python -m benchmarks.run --sizes 1000,10000,100000

For each size: a synthetic collection (`benchmarks.generate`) is stored into a fresh SQLite
database with the rows the importer would store (`generate.load`); the whole index is built by
`search.rebuild_index` in a child process (so that its peak memory is the build's own); the
fixed query mix runs through `searching.search_page` in a request context (the code behind
`/api/search`, in a process warmed up as `wsgi.py` warms each server worker), then through HTTP
against gunicorn with several workers on 127.0.0.1 with a bounded load generator (a fixed
number of requests from a few client threads, with a deadline); testimonies are added the way
an archivist's import adds them (parse, store, commit, `search.index_testimonies`) and timed
until a search finds them, in this process and over HTTP. The same passages and queries then
run on SQLite FTS5 (porter stemming, unicode61) as the baseline. The table is printed and
written to `benchmarks/out/`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from oralhistory import PROJECT_ROOT, create_app, search, warm_up
from oralhistory.services import indexing, searching
from oralhistory.services.importer import parse_testimony, store_testimony
from oralhistory.services.linking import link_testimony
from oralhistory.web import db, search_app

from .generate import SEED, Collection, Query, extra_testimony, generate, load, load_timeline

OUT = PROJECT_ROOT / "benchmarks" / "out"
# Seconds a child process (a whole index build, the FTS5 baseline) may take: a build of a
# million passages takes about 40 minutes on two cores, and longer on a busy machine.
CHILD_TIMEOUT = 3 * 3600


# --- the archive under test ----------------------------------------------------------------


def app_config(workdir: Path) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{workdir / 'archive.db'}",
        "INDEX_DIR": str(workdir / "index"),
        "SECRET_KEY": "benchmark",
    }


def in_process(workdir: Path) -> dict:
    """The app the benchmark times in its own process: it writes the index itself, so no
    index follower runs beside it (gunicorn's workers run theirs, as servers do)."""
    return {**app_config(workdir), "INDEX_FOLLOWER": False}


def prepare(collection: Collection, workdir: Path) -> float:
    """Make `workdir/archive.db` hold the collection; return the seconds the load took.

    The loaded database is kept as `base.db` and copied for each run, so that a second run
    with the same collection (same size, seed and generator) skips the load (reported as 0);
    the copy is brought to the current schema, as `flask init` brings any archive.
    """
    base, marker = workdir / "base.db", workdir / "collection.json"
    wanted = {"size": collection.size, "fingerprint": collection.fingerprint()}
    started = time.perf_counter()
    if not (base.exists() and marker.exists() and json.loads(marker.read_text()) == wanted):
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        app = create_app({**in_process(workdir), "DATABASE_URL": f"sqlite:///{base}"})
        with app.app_context():
            db.create_schema()
            load_timeline(db.session())
            load(db.session(), collection)
        marker.write_text(json.dumps(wanted))
        loaded = time.perf_counter() - started
    else:
        loaded = 0.0
    shutil.rmtree(workdir / "index", ignore_errors=True)
    shutil.copy(base, workdir / "archive.db")
    with create_app(in_process(workdir)).app_context():
        db.upgrade_schema()  # a collection stored by an earlier version, upgraded as any archive
    return loaded


def _cpu_seconds() -> float:
    """CPU time of this process and of the processes it started and waited for."""
    own, helpers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def child(kind: str, workdir: Path) -> dict:
    """Run in a child process: build one index and report its time, CPU and peak memory.

    Peak memory is the whole process's (the interpreter and the imports of the app included,
    for FTS5 too); CPU counts the build alone, with the writing processes a parallel build
    starts added in.
    """
    app = create_app(in_process(workdir))
    started, cpu = time.perf_counter(), _cpu_seconds()
    if kind == "whoosh":
        with app.app_context():
            count = indexing.rebuild_index(db.session(), search_app.archive_index())
    elif kind in ("cold", "warm"):
        return cold_first_query(workdir, Query("two words", "family Aleppo"), kind == "warm")
    else:
        count = build_fts(workdir)
    return {
        "seconds": time.perf_counter() - started,
        "count": count,
        "cpu_s": _cpu_seconds() - cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # the largest peak of the writing processes of a parallel build
        "helper_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def run_child(kind: str, workdir: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", kind, str(workdir)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- SQLite FTS5, the baseline ---------------------------------------------------------------


def build_fts(workdir: Path) -> int:
    """The same passages (of testimonies not withdrawn) in an FTS5 table of their own file,
    with the same fields the archive searches (the passage, the editor's note, the narrator's
    names, the title, what the archive says of the narrator) and, in ordinary indexed tables,
    what the archive filters and counts by (narrator, access, year, places and events)."""
    path = workdir / "fts.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE VIRTUAL TABLE passage_fts USING fts5(text, note, narrator_name, title, context,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE passage_info (id INTEGER PRIMARY KEY, narrator TEXT, access TEXT,
            year TEXT);
        CREATE TABLE passage_link (passage_id INTEGER, kind TEXT, target TEXT);
        """
    )
    conn.execute("ATTACH DATABASE ? AS archive", (str(workdir / "archive.db"),))
    visible = (
        "FROM archive.passage AS passage "
        "JOIN archive.testimony AS testimony ON testimony.id = passage.testimony_id "
        "JOIN archive.narrator AS narrator ON narrator.id = testimony.narrator_id "
        "WHERE testimony.withdrawn_at IS NULL"
    )
    conn.execute(
        "INSERT INTO passage_fts (rowid, text, note, narrator_name, title, context) "
        "SELECT passage.id, passage.text, coalesce(passage.editor_note, ''), "
        "narrator.name || ' ' || coalesce(narrator.spellings, ''), testimony.title, "
        "coalesce(narrator.biography, '') || ' ' || coalesce(narrator.origin, '') || ' ' || "
        f"coalesce(narrator.residence, '') {visible} ORDER BY passage.id"
    )
    conn.execute(
        "INSERT INTO passage_info SELECT passage.id, narrator.slug, testimony.access, "
        f"substr(testimony.interview_date, 1, 4) {visible}"
    )
    conn.execute(
        "INSERT INTO passage_link SELECT passage.id, link.kind, link.target "
        "FROM archive.context_link AS link JOIN archive.passage AS passage "
        "ON passage.testimony_id = link.testimony_id AND passage.number = link.position "
        "WHERE link.status != 'rejected'"
    )
    conn.executescript(
        """
        CREATE INDEX passage_info_narrator ON passage_info (narrator, access);
        CREATE INDEX passage_info_year ON passage_info (year);
        CREATE INDEX passage_link_target ON passage_link (kind, target, passage_id);
        CREATE INDEX passage_link_passage ON passage_link (passage_id, kind);
        INSERT INTO passage_fts (passage_fts) VALUES ('optimize');
        """
    )
    conn.commit()
    count = conn.execute("SELECT count(*) FROM passage_fts").fetchone()[0]
    conn.close()
    return count


# the archive's field weights (search.FIELD_WEIGHTS), in the FTS5 table's column order
FTS_RANK = "bm25(passage_fts, 1.0, 0.5, 2.0, 0.5, 0.3)"


def fts_match(query: Query) -> str:
    """The query in FTS5's language: each word and phrase quoted (FTS5 takes no apostrophe or
    hyphen bare), `OR` kept, `-word` as `NOT "word"`."""
    text = query.fts if query.fts is not None else query.q
    if query.fts is not None and query.kind != "year filter":
        return text
    parts = []
    for part in re.findall(r'-?"[^"]*"|\S+', text):
        if part in ("OR", "AND", "NOT"):
            parts.append(part)
            continue
        if part.startswith("-"):
            parts.append("NOT")
            part = part[1:]
        parts.append('"' + part.strip('"').replace('"', '""') + '"')
    return " ".join(parts)


def fts_search(conn: sqlite3.Connection, query: Query) -> tuple[int, list]:
    """What `/api/search` answers, the FTS5 way: total, counts by narrator, place and event,
    and the page of hits with snippets.

    FTS5 has no spelling table and no "did you mean": a variant is given all its spellings
    (`Query.fts`), and a misspelling finds nothing, which is part of what the comparison shows.
    """
    where, params = [], []
    if not query.include_restricted:
        where.append("info.access = 'public'")
    text = fts_match(query)
    if text:
        where.append("passage_fts MATCH ?")
        params.append(text)
    if query.narrator:
        where.append("info.narrator = ?")
        params.append(query.narrator)
    if query.year:
        where.append("info.year = ?")
        params.append(query.year)
    for kind, target in (("place", query.place), ("event", query.event)):
        if target:
            where.append(
                "info.id IN (SELECT passage_id FROM passage_link WHERE kind = ? AND target = ?)"
            )
            params += [kind, target]
    found = (
        # CROSS JOIN: SQLite then reads the full-text matches first, as an FTS5 user would
        # write it, instead of probing the full-text index once per row of `passage_info`
        "FROM passage_fts CROSS JOIN passage_info AS info ON info.id = passage_fts.rowid "
        f"WHERE {' AND '.join(where) or '1'}"
    )
    total = conn.execute(f"SELECT count(*) {found}", params).fetchone()[0]
    conn.execute(
        f"SELECT info.narrator, count(*) {found} GROUP BY info.narrator", params
    ).fetchall()
    linked = found.replace(
        # INDEXED BY: without it SQLite may read the links by kind, every link of that kind
        # for each match (16 billion rows at 100,000 passages)
        "WHERE",
        "CROSS JOIN passage_link AS link INDEXED BY passage_link_passage "
        "ON link.passage_id = info.id WHERE",
        1,
    )
    for kind in ("place", "event"):
        conn.execute(
            f"SELECT link.target, count(*) {linked} AND link.kind = ? GROUP BY link.target",
            [*params, kind],
        ).fetchall()
    order = FTS_RANK if text else "passage_fts.rowid"
    hits = conn.execute(
        "SELECT passage_fts.rowid, snippet(passage_fts, 0, '<mark>', '</mark>', ' … ', 40) "
        f"{found} ORDER BY {order} LIMIT 10 OFFSET ?",
        [*params, (query.page - 1) * 10],
    ).fetchall()
    return total, hits


# --- timing ----------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    if len(samples) < 2:
        value = samples[0] * 1000 if samples else float("nan")
        return value, value, value
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def api_request(query: Query) -> search.SearchRequest:
    return search.SearchRequest(
        q=query.q,
        narrator=query.narrator,
        place=query.place,
        event=query.event,
        page=query.page,
        include_restricted=query.include_restricted,
    )


def archive_search(app, query: Query) -> None:
    """One search as `/api/search` makes it (a query refused with a 400 counts as answered)."""
    with app.test_request_context("/api/search"):
        try:
            searching.search_page(db.session(), search_app.archive_index(), api_request(query))
        except search.QueryError:
            pass


def time_both(app, workdir: Path, mix: list[Query], repeat: int) -> dict[str, dict[Query, list]]:
    """Each query of the mix `repeat` times through the archive and through FTS5, the two
    interleaved (A B, then B A for the next query), so that both see the same load.

    Returns the seconds of each search, by engine and query.
    """
    conn = sqlite3.connect(workdir / "fts.db")
    engines = {
        "archive": lambda query: archive_search(app, query),
        "fts": lambda query: fts_search(conn, query),
    }
    for query in mix:  # warm up: open the index, fill caches
        for run in engines.values():
            run(query)
    samples: dict[str, dict[Query, list]] = {name: {q: [] for q in mix} for name in engines}
    turn = 0
    for _ in range(repeat):
        for query in mix:
            order = list(engines) if turn % 2 == 0 else list(reversed(engines))
            turn += 1
            for name in order:
                started = time.perf_counter()
                engines[name](query)
                samples[name][query].append(time.perf_counter() - started)
    conn.close()
    return samples


def by_kind(samples: dict[Query, list]) -> dict[str, list[float]]:
    kinds: dict[str, list[float]] = {}
    for query, seconds in samples.items():
        kinds.setdefault(query.kind, []).extend(seconds)
    return kinds


def slowest(samples: dict[Query, list], count: int = 3) -> list[Query]:
    return sorted(samples, key=lambda q: -statistics.median(samples[q]))[:count]


def profile(app, query: Query, lines: int = 14) -> str:
    """Where one search spends its time: the functions with most time of their own."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        archive_search(app, query)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(lines)
    body = out.getvalue()
    return body[body.find("ncalls") :].rstrip()


def cold_first_query(workdir: Path, query: Query, warm: bool = False) -> dict:
    """In a fresh process (the app created, nothing searched yet, or `warm`: warmed up as
    `wsgi.py` warms each server worker): the first search and the next one."""
    app = create_app(in_process(workdir))
    started = time.perf_counter()
    if warm:
        warm_up(app)
    warm_up_s = time.perf_counter() - started
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        archive_search(app, query)
        timings.append(time.perf_counter() - started)
    return {"first_s": timings[0], "second_s": timings[1], "warm_up_s": warm_up_s}


# --- HTTP: gunicorn and a bounded load generator --------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def search_path(query: Query) -> str:
    params = {"q": query.q, "narrator": query.narrator, "place": query.place}
    params |= {"event": query.event, "page": query.page if query.page > 1 else None}
    return "/api/search?" + urllib.parse.urlencode({k: v for k, v in params.items() if v})


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """gunicorn serving the archive in `workdir` on a free loopback port."""

    def __init__(self, workdir: Path, workers: int):
        self.port = free_port()
        self.workers = workers
        env = {
            **os.environ,
            **{f"ORALHISTORY_{key}": value for key, value in app_config(workdir).items()},
        }
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(self.port, "/api/narrators", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)

    def first_searches(self, mix: list[Query]) -> list[float]:
        """The first search each worker answers (about one per worker: the load is spread)."""
        timings = []
        for query in mix[: self.workers]:
            started = time.perf_counter()
            get(self.port, search_path(query))
            timings.append(time.perf_counter() - started)
        return timings

    def worker_peak_mb(self) -> list[float]:
        peaks = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.process.pid:
                    continue
                status = (stat.parent / "status").read_text()
            except (OSError, IndexError, ValueError):
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def load_test(
    port: int, mix: list[Query], requests: int, clients: int, max_seconds: float
) -> tuple[list[float], float, int]:
    """`requests` searches from `clients` threads, stopping at `max_seconds` whatever is left.

    Returns the latencies of the successful requests, the wall time, and the failures.
    """
    for query in mix:  # warm up every query once
        get(port, search_path(query))
    paths = [search_path(mix[i % len(mix)]) for i in range(requests)]
    lock = threading.Lock()
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        nonlocal failures
        while time.monotonic() < deadline:
            with lock:
                if not paths:
                    return
                path = paths.pop()
            started = time.perf_counter()
            try:
                status, _ = get(port, path)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started, failures + len(paths)


# --- adding a testimony while serving --------------------------------------------------------


def time_additions(app, collection: Collection, port: int, count: int) -> dict[str, list[float]]:
    """Add testimonies as an import does; time until the API and then HTTP find each one."""
    timings: dict[str, list[float]] = {"commit": [], "index": [], "api": [], "http": []}
    for number in range(1, count + 1):
        testimony = extra_testimony(collection, number)
        text = testimony.file_text()
        with app.test_request_context("/api/search"):
            session = db.session()
            started = time.perf_counter()
            stored = store_testimony(session, parse_testimony(text, f"{testimony.slug}.md"))
            link_testimony(session, stored)
            session.commit()
            timings["commit"].append(time.perf_counter() - started)
            indexing.index_testimonies(session, search_app.archive_index(), [stored.id], None)
            timings["index"].append(time.perf_counter() - started)
            found = search.search(
                search_app.archive_index(), search.SearchRequest(q=testimony.probe)
            )
            if found.total != 1:
                raise RuntimeError(f"the added testimony is not found by '{testimony.probe}'")
            timings["api"].append(time.perf_counter() - started)
        path = search_path(Query("probe", testimony.probe))
        deadline = time.monotonic() + 30
        while json.loads(get(port, path)[1])["total"] != 1:
            if time.monotonic() > deadline:
                raise RuntimeError("the added testimony never became searchable over HTTP")
            time.sleep(0.01)
        timings["http"].append(time.perf_counter() - started)
    return timings


# --- one size --------------------------------------------------------------------------------


def measure(size: int, args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir) / f"size-{size}"
    started = time.perf_counter()
    collection = generate(size, args.seed)
    generated = time.perf_counter() - started
    loaded = prepare(collection, workdir)
    mix = collection.query_mix()
    figures: dict = {
        "size": size,
        "testimonies": len(collection.testimonies),
        "narrators": len(collection.narrator_passages),
        "restricted": len(collection.restricted),
        "generate_s": generated,
        "load_s": loaded,
    }
    whoosh = run_child("whoosh", workdir)
    figures["build"] = whoosh
    index_dir = workdir / "index"
    figures["index_mb"] = dir_size(index_dir) / 2**20
    fts = run_child("fts", workdir)
    figures["fts_build"] = fts
    figures["fts_mb"] = (workdir / "fts.db").stat().st_size / 2**20

    figures["cold"] = run_child("cold", workdir)
    figures["warm"] = run_child("warm", workdir)
    app = create_app(in_process(workdir))
    warm_up(app)  # as wsgi.py warms each server worker
    samples = time_both(app, workdir, mix, args.repeat)
    figures["api"] = percentiles([t for ts in samples["archive"].values() for t in ts])
    figures["fts"] = percentiles([t for ts in samples["fts"].values() for t in ts])
    figures["api_kind"] = {k: percentiles(s) for k, s in by_kind(samples["archive"]).items()}
    figures["fts_kind"] = {k: percentiles(s) for k, s in by_kind(samples["fts"]).items()}
    figures["slowest"] = [
        (query, statistics.median(samples["archive"][query]) * 1000, profile(app, query))
        for query in slowest(samples["archive"])
    ]

    # HTTP: anonymous searches (an archivist's need a signed-in session)
    anonymous = [q for q in mix if not q.include_restricted]
    server = Server(workdir, args.workers)
    try:
        figures["http_first"] = server.first_searches(anonymous)
        for label, clients in (("http", args.workers), ("http_saturated", args.saturation)):
            latencies, wall, failures = load_test(
                server.port, anonymous, args.requests, clients, args.max_seconds
            )
            figures[label] = percentiles(latencies)
            figures[f"{label}_rps"] = len(latencies) / wall
            figures[f"{label}_done"] = len(latencies)
            figures[f"{label}_failures"] = failures
        figures["adds"] = time_additions(app, collection, server.port, args.adds)
        figures["worker_peak_mb"] = server.worker_peak_mb()
    finally:
        server.stop()
    figures["index_mb_after_adds"] = dir_size(index_dir) / 2**20
    return figures


# --- the table -------------------------------------------------------------------------------


def _ms(values) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def table(figures: dict, args: argparse.Namespace) -> str:
    f = figures
    build, fts = f["build"], f["fts_build"]
    adds = {key: statistics.median(values) for key, values in f["adds"].items()}
    worst_add = max(f["adds"]["http"])

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}x" if b else "-"

    rows = [
        ("build, whole index (s)", f"{build['seconds']:.1f}", f"{fts['seconds']:.2f}",
         ratio(build["seconds"], fts["seconds"])),
        ("build rate (passages/s)", f"{build['count'] / build['seconds']:,.0f}",
         f"{fts['count'] / fts['seconds']:,.0f}",
         ratio(fts["seconds"], build["seconds"])),
        ("build CPU time, all processes (s)", f"{build['cpu_s']:.1f}", f"{fts['cpu_s']:.2f}",
         ratio(build["cpu_s"], fts["cpu_s"])),
        ("build peak memory: main / each writer (MB)",
         f"{build['peak_mb']:.0f} / {build['helper_peak_mb']:.0f}", f"{fts['peak_mb']:.0f}",
         ""),
        ("index size on disk (MB)", f"{f['index_mb']:.1f}", f"{f['fts_mb']:.1f}",
         ratio(f["index_mb"], f["fts_mb"])),
        ("search p50/p95/p99, Python API (ms)", _ms(f["api"]), _ms(f["fts"]),
         ratio(f["api"][1], f["fts"][1]) + " (p95)"),
        ("first search in a fresh process: Python API (ms)",
         f"{f['cold']['first_s'] * 1000:.0f} (next {f['cold']['second_s'] * 1000:.0f})", "-",
         ""),
        ("... after a warm-up as wsgi.py gives each worker (ms)",
         f"{f['warm']['first_s'] * 1000:.0f} (warm-up {f['warm']['warm_up_s'] * 1000:.0f})",
         "-", ""),
        ("first search of each HTTP worker, warmed up (ms)",
         " / ".join(f"{t * 1000:.0f}" for t in f["http_first"]), "-", ""),
        (f"search p50/p95/p99, HTTP -w {args.workers}, {args.workers} clients (ms)",
         _ms(f["http"]), "-", ""),
        (f"search p50/p95/p99, HTTP -w {args.workers}, {args.saturation} clients (ms)",
         _ms(f["http_saturated"]), "-", ""),
        (f"HTTP throughput, {args.workers} / {args.saturation} clients (req/s)",
         f"{f['http_rps']:.1f} / {f['http_saturated_rps']:.1f}", "-", ""),
        ("HTTP requests done / failed",
         f"{f['http_done'] + f['http_saturated_done']} / "
         + f"{f['http_failures'] + f['http_saturated_failures']}", "-", ""),
        ("gunicorn worker peak memory (MB)",
         " / ".join(f"{m:.0f}" for m in f["worker_peak_mb"]), "-", ""),
        (f"add one testimony: commit / indexed (s, median of {args.adds})",
         f"{adds['commit']:.2f} / {adds['index']:.2f}", "-", ""),
        ("add one testimony: found by API / HTTP (s)",
         f"{adds['api']:.2f} / {adds['http']:.2f} (worst {worst_add:.2f})", "-", ""),
    ]  # fmt: skip
    width = max(len(row[0]) for row in rows)
    cols = (max(len(row[1]) for row in rows), max(len(row[2]) for row in rows))
    lines = [
        (
            f"{f['size']:,} passages: {f['testimonies']:,} testimonies, {f['narrators']:,} "
            f"narrators, {f['restricted']} restricted (generated in {f['generate_s']:.1f} s, "
            f"stored in {f['load_s']:.1f} s; 0 = reused)"
        ),
        f"{'':{width}}  {'archive':>{cols[0]}}  {'FTS5':>{cols[1]}}  archive/FTS5",
    ]
    lines += [f"{a:{width}}  {b:>{cols[0]}}  {c:>{cols[1]}}  {d}" for a, b, c, d in rows]
    lines.append("  Python API p95 by kind, ms (FTS5 on the same searches, interleaved; ratio):")
    for kind, values in f["api_kind"].items():
        theirs = f["fts_kind"][kind][1]
        lines.append(f"    {kind:16} {values[1]:7.1f}  ({theirs:.1f}; {ratio(values[1], theirs)})")
    lines.append("  The three slowest searches (median ms) and where their time goes:")
    for query, median, profiled in f["slowest"]:
        lines.append(f"    {median:.1f} ms: {query}")
        lines += ["      " + line for line in profiled.splitlines()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=5, help="passes of the mix, Python API")
    parser.add_argument("--requests", type=int, default=480, help="HTTP requests per size")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--saturation", type=int, default=8, help="HTTP clients for the saturated load"
    )
    parser.add_argument("--max-seconds", type=float, default=300, help="HTTP load deadline")
    parser.add_argument("--adds", type=int, default=3, help="testimonies added while serving")
    parser.add_argument("--workdir", default=str(OUT / "work"))
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        f"oralhistory benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores "
        f"(load average at start {os.getloadavg()[0]:.1f}); "
        f"{len(generate(1000, args.seed).query_mix())} distinct searches x {args.repeat} "
        f"(Python API, interleaved with FTS5); HTTP: gunicorn -w {args.workers}, "
        f"{args.requests} requests from {args.workers} and from {args.saturation} threads "
        "on 127.0.0.1"
    )
    print(header, flush=True)
    blocks = [header]
    for size in (int(s) for s in args.sizes.split(",")):
        block = table(measure(size, args), args)
        block += f"\n  load average after this size: {os.getloadavg()[0]:.1f}"
        print("\n" + block, flush=True)
        blocks.append(block)
    report = OUT / f"benchmark-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    report.write_text("\n\n".join(blocks) + "\n")
    print(f"\nwritten to {report.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
