"""How the archive scales: build, add, search (Python and HTTP), size and memory, beside FTS5.

    .venv/bin/python -m benchmarks.run --sizes 1000,10000,100000

For each size: a synthetic collection (`benchmarks.generate`) is stored through the importer
into a fresh SQLite database; the whole index is built by `search.rebuild_index` in a child
process (so that its peak memory is the build's own); the fixed query mix runs through
`records.search_page` in a request context (the code behind `/api/search`), then through HTTP
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

from oralhistory import PROJECT_ROOT, create_app, db, records, search
from oralhistory.importer import parse_testimony, store_testimony

from .generate import SEED, Collection, Query, extra_testimony, generate, load, load_timeline

OUT = PROJECT_ROOT / "benchmarks" / "out"


# --- the archive under test ----------------------------------------------------------------


def app_config(workdir: Path) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{workdir / 'archive.db'}",
        "INDEX_DIR": str(workdir / "index"),
        "SECRET_KEY": "benchmark",
    }


def prepare(collection: Collection, workdir: Path) -> float:
    """Make `workdir/archive.db` hold the collection; return the seconds the load took.

    The loaded database is kept as `base.db` and copied for each run, so that a second run
    with the same collection (same size, seed and generator) skips the load (reported as 0).
    """
    base, marker = workdir / "base.db", workdir / "collection.json"
    wanted = {"size": collection.size, "fingerprint": collection.fingerprint()}
    started = time.perf_counter()
    if not (base.exists() and marker.exists() and json.loads(marker.read_text()) == wanted):
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        app = create_app({**app_config(workdir), "DATABASE_URL": f"sqlite:///{base}"})
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
    app = create_app(app_config(workdir))
    started, cpu = time.perf_counter(), _cpu_seconds()
    if kind == "whoosh":
        with app.app_context():
            count = search.rebuild_index(db.session())
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
        timeout=3600,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- SQLite FTS5, the baseline ---------------------------------------------------------------


def build_fts(workdir: Path) -> int:
    """The same passages (of testimonies not withdrawn) in an FTS5 table of their own file."""
    path = workdir / "fts.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE passage_fts USING fts5(text, narrator UNINDEXED, "
        "access UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute("ATTACH DATABASE ? AS archive", (str(workdir / "archive.db"),))
    conn.execute(
        "INSERT INTO passage_fts (rowid, text, narrator, access) "
        "SELECT passage.id, passage.text, narrator.slug, testimony.access "
        "FROM archive.passage AS passage "
        "JOIN archive.testimony AS testimony ON testimony.id = passage.testimony_id "
        "JOIN archive.narrator AS narrator ON narrator.id = testimony.narrator_id "
        "WHERE testimony.withdrawn_at IS NULL ORDER BY passage.id"
    )
    conn.execute("INSERT INTO passage_fts (passage_fts) VALUES ('optimize')")
    conn.commit()
    count = conn.execute("SELECT count(*) FROM passage_fts").fetchone()[0]
    conn.close()
    return count


def fts_search(conn: sqlite3.Connection, query: Query) -> tuple[int, list]:
    """What `/api/search` answers, the FTS5 way: total, narrator counts, ten snippets.

    FTS5 has no spelling table and no "did you mean": a variant finds only itself and a
    misspelling finds nothing, which is part of what the comparison shows.
    """
    where, params = ["access = 'public'"], []
    if query.q:
        where.append("passage_fts MATCH ?")
        params.append(query.q)
    if query.narrator:
        where.append("narrator = ?")
        params.append(query.narrator)
    condition = " AND ".join(where)
    facets = conn.execute(
        f"SELECT narrator, count(*) FROM passage_fts WHERE {condition} GROUP BY narrator",
        params,
    ).fetchall()
    order = "rank" if query.q else "rowid"
    hits = conn.execute(
        "SELECT rowid, snippet(passage_fts, 0, '<mark>', '</mark>', ' … ', 40) "
        f"FROM passage_fts WHERE {condition} ORDER BY {order} LIMIT 10",
        params,
    ).fetchall()
    return sum(count for _, count in facets), hits


# --- timing ----------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    if len(samples) < 2:
        value = samples[0] * 1000 if samples else float("nan")
        return value, value, value
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def api_request(query: Query) -> search.SearchRequest:
    return search.SearchRequest(q=query.q, narrator=query.narrator)


def time_api(app, mix: list[Query], repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    """Each query of the mix `repeat` times through `records.search_page`, one request each."""

    def once(query: Query) -> float:
        started = time.perf_counter()
        with app.test_request_context("/api/search"):
            records.search_page(db.session(), api_request(query))
        return time.perf_counter() - started

    for query in mix:  # warm up: open the index, fill caches
        once(query)
    samples, by_kind = [], {}
    for _ in range(repeat):
        for query in mix:
            elapsed = once(query)
            samples.append(elapsed)
            by_kind.setdefault(query.kind, []).append(elapsed)
    return samples, by_kind


def time_fts(workdir: Path, mix: list[Query], repeat: int) -> list[float]:
    conn = sqlite3.connect(workdir / "fts.db")
    for query in mix:
        fts_search(conn, query)
    samples = []
    for _ in range(repeat):
        for query in mix:
            started = time.perf_counter()
            fts_search(conn, query)
            samples.append(time.perf_counter() - started)
    conn.close()
    return samples


# --- HTTP: gunicorn and a bounded load generator --------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def search_path(query: Query) -> str:
    params = {"q": query.q, **({"narrator": query.narrator} if query.narrator else {})}
    return "/api/search?" + urllib.parse.urlencode(params)


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
            session.commit()
            timings["commit"].append(time.perf_counter() - started)
            search.index_testimonies(session, [stored.id])
            timings["index"].append(time.perf_counter() - started)
            found = search.search(search.SearchRequest(q=testimony.probe))
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

    app = create_app(app_config(workdir))
    api, by_kind = time_api(app, mix, args.repeat)
    figures["api"] = percentiles(api)
    figures["api_kind"] = {kind: percentiles(s) for kind, s in by_kind.items()}
    figures["fts"] = percentiles(time_fts(workdir, mix, args.repeat))

    server = Server(workdir, args.workers)
    try:
        latencies, wall, failures = load_test(
            server.port, mix, args.requests, args.clients, args.max_seconds
        )
        figures["http"] = percentiles(latencies)
        figures["http_rps"] = len(latencies) / wall
        figures["http_done"] = len(latencies)
        figures["http_failures"] = failures
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
        (f"search p50/p95/p99, HTTP -w {args.workers} (ms)", _ms(f["http"]), "-", ""),
        (f"HTTP throughput, {args.clients} clients (req/s)", f"{f['http_rps']:.1f}", "-", ""),
        ("HTTP requests done / failed", f"{f['http_done']} / {f['http_failures']}", "-", ""),
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
            f"stored through the importer in {f['load_s']:.1f} s; 0 = reused)"
        ),
        f"{'':{width}}  {'archive':>{cols[0]}}  {'FTS5':>{cols[1]}}  archive/FTS5",
    ]
    lines += [f"{a:{width}}  {b:>{cols[0]}}  {c:>{cols[1]}}  {d}" for a, b, c, d in rows]
    lines.append(
        "  Python API p95 by kind (ms): "
        + ", ".join(f"{kind} {values[1]:.1f}" for kind, values in f["api_kind"].items())
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=5, help="passes of the mix, Python API")
    parser.add_argument("--requests", type=int, default=480, help="HTTP requests per size")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
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
        f"query mix of {len(generate(1000, args.seed).query_mix())} searches x {args.repeat} "
        f"(Python API); HTTP: gunicorn -w {args.workers}, {args.requests} requests from "
        f"{args.clients} threads on 127.0.0.1"
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
