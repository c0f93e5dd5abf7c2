"""What a save costs, and what a crash costs: form saves timed, then saves and imports killed.

    .venv/bin/python -m benchmarks.saves [--saves 30] [--passages 300] [--tries 10]

Runs on whatever `oralhistory` is importable, so the same script measures two versions
(`PYTHONPATH=<a checkout of another version> python -m benchmarks.saves`):

1. form saves: an archivist's form (a new testimony of `--passages` passages) posted through
   the Flask test client, each timed until the response returns (the record committed and the
   index updated): median and p95.
2. crashes: `--tries` times, a fresh archive, a process that saves the form three times (or a
   `flask import` of three files) is killed with SIGKILL 0 to 0.5 s after its first
   testimony has committed (while the index is being brought up to date: most of a save's
   time); then a new process starts and answers a search. Printed: how many tries left
   passages that the record holds and the index lacks, how many such passages in all, and the
   seconds from the restart until the index held every passage again (or "never" in 10 s).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from oralhistory import PROJECT_ROOT, create_app
from oralhistory.record.models import Passage, Testimony
from oralhistory.services.accounts import create_archivist
from oralhistory.web import db, search_app

CAUGHT_UP_SECONDS = 10.0
FORM = {
    "title": "A long testimony",
    "interview_date": "2018-03-04",
    "interviewers": "Someone",
    "source": "Benchmark",
    "rights": "For measuring only.",
    "access": "public",
}
SAVER = r"""
import sys
sys.path.insert(0, sys.argv[3])
from saves import signed_in_client, save
app, client = signed_in_client(sys.argv[1])
print("ready", flush=True)
for number in range(3):
    save(client, int(sys.argv[2]), f"killed {number}")
"""


def transcript(passages: int, words: str) -> str:
    return "\n\n".join(f"{words} The river, passage {n}, and the bridge." for n in range(passages))


def make_archive(workdir: Path):
    """A fresh archive in `workdir` holding the first collection, and its app."""
    config = {
        "DATABASE_URL": f"sqlite:///{workdir / 'archive.db'}",
        "INDEX_DIR": str(workdir / "index"),
        "SECRET_KEY": "benchmark",
        "WTF_CSRF_ENABLED": False,
    }
    app = create_app(config)
    if not (workdir / "archive.db").exists():
        result = app.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            create_archivist(db.session(), "bench", "a long enough password")
    return app


def signed_in_client(workdir: str):
    app = make_archive(Path(workdir))
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["archivist"] = "bench"
    return app, client


def save(client, passages: int, title: str) -> float:
    """Post the form once; the seconds until the response came back."""
    start = time.perf_counter()
    response = client.post(
        "/archive/testimonies/new",
        data={
            **FORM,
            "narrator_name": f"Narrator of {title}",
            "title": title,
            "transcript": transcript(passages, title),
        },
    )
    elapsed = time.perf_counter() - start
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return elapsed


def time_saves(saves: int, passages: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        _app, client = signed_in_client(tmp)
        save(client, passages, "warming up")
        return [save(client, passages, f"save {n}") for n in range(saves)]


def missing_passages(app) -> int:
    """Passages the record shows (testimonies not withdrawn) that the index lacks."""
    with app.app_context():
        session = db.session()
        shown = set(
            session.scalars(
                select(Passage.id).join(Passage.testimony).where(Testimony.withdrawn_at.is_(None))
            )
        )
        try:
            reader = search_app.archive_index().searcher().reader()
            indexed = {int(fields["passage_id"]) for fields in reader.all_stored_fields()}
        except Exception:  # noqa: BLE001 (an unreadable index lacks them all)
            indexed = set()
        return len(shown - indexed)


def testimonies(workdir: Path) -> int:
    with sqlite3.connect(workdir / "archive.db", timeout=10) as connection:
        return connection.execute("SELECT count(*) FROM testimony").fetchone()[0]


def crash(kind: str, passages: int, rng: random.Random) -> tuple[int, float | None]:
    """One try: kill a saving process just after its first commit; passages missing after the restart's
    first search, and the seconds until none were missing (None: not within the limit)."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        make_archive(workdir)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), *sys.path])}
        if kind == "form":
            here = str(Path(__file__).resolve().parent)
            command = [sys.executable, "-c", SAVER, tmp, str(passages), here]
        else:
            files = []
            for number in range(3):
                path = workdir / f"crash-{number}.md"
                path.write_text(
                    "---\n"
                    f"slug: crash-{number}\ntitle: Crash {number}\n"
                    f"narrator:\n  slug: crash-{number}\n  name: Crash Narrator {number}\n"
                    "interview_date: 2020-01-02\ninterviewers: [Someone]\n"
                    "citation:\n  publisher: Test\n  title: Test\n"
                    "rights: Test only.\naccess: public\n---\n"
                    + transcript(passages, f"Imported {number}.")
                )
                files.append(str(path))
            command = [sys.executable, "-m", "flask", "--app", "oralhistory", "import", *files]
            env.update(
                ORALHISTORY_DATABASE_URL=f"sqlite:///{workdir / 'archive.db'}",
                ORALHISTORY_INDEX_DIR=str(workdir / "index"),
                ORALHISTORY_SECRET_KEY="benchmark",
            )
        before = testimonies(workdir)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while testimonies(workdir) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.5))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(60)
        process.stdout.close()
        start = time.perf_counter()
        app = make_archive(workdir)
        client = app.test_client()
        client.get("/api/search", query_string={"q": "river"})
        missing = missing_passages(app)
        caught_up = None
        while time.perf_counter() - start < CAUGHT_UP_SECONDS:
            if missing_passages(app) == 0:
                caught_up = time.perf_counter() - start
                break
            client.get("/api/search", query_string={"q": "river"})
            time.sleep(0.1)
        return missing, caught_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--passages", type=int, default=300)
    parser.add_argument("--tries", type=int, default=10)
    args = parser.parse_args()
    import oralhistory

    print(f"code: {Path(oralhistory.__file__).parent}")
    times = sorted(time_saves(args.saves, args.passages))
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"form save of {args.passages} passages, {args.saves} saves: "
        f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
    rng = random.Random(12)
    for kind in ("form", "import"):
        results = [crash(kind, args.passages, rng) for _ in range(args.tries)]
        hurt = [missing for missing, _ in results if missing]
        caught = [seconds for _, seconds in results if seconds is not None]
        never = sum(seconds is None for _, seconds in results)
        slowest = f"{max(caught):.2f} s" if caught else "-"
        print(
            f"{kind} killed 0-0.5 s after its first commit, {args.tries} tries: {len(hurt)} left passages missing "
            f"after the restart's first search ({sum(hurt)} passages); caught up in "
            f"at most {slowest}; never (within {CAUGHT_UP_SECONDS:g} s): {never}"
        )


if __name__ == "__main__":
    main()
