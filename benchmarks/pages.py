"""How long the reading pages take as the archive grows: p50/p95 through the app.

    .venv/bin/python -m benchmarks.pages --sizes 10000,100000 [--repeat 20]

For each size, the synthetic collection of `benchmarks.run` (the same database, kept in the
same work directory and reused) gets one more testimony of `--long` passages (2,500 by
default) by a narrator of its own; then, through the Flask test client as an anonymous
reader: the home page, the timeline, the event and the place with the most linked passages,
the long testimony's narrator, and the long testimony as a page, as JSON and as plain text.
Each is asked `--repeat` times (fewer when one answer takes long: at most `--budget` seconds
per page) after one warm-up request. Prints the figures; asserts nothing about them.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

from sqlalchemy import func, select

from oralhistory import create_app
from oralhistory.record.models import ContextLink, Testimony
from oralhistory.web import db

from .bulk import store_testimonies
from .generate import SEED, GeneratedTestimony, _narrator, _passage, _Words, generate
from .run import OUT, app_config, percentiles, prepare

LONG_SLUG = "gen-long-testimony"


def long_testimony(seed: int, count: int) -> GeneratedTestimony:
    """A public testimony of `count` passages by a narrator of its own."""
    rng = random.Random(f"{seed}-long-{count}")
    words = _Words(random.Random(seed), Path(__file__).resolve().parent.parent / "transcripts")
    narrator = _narrator(rng, 99_999, words)
    names = [narrator["name"], *narrator["spellings"]]
    return GeneratedTestimony(
        slug=LONG_SLUG,
        narrator=narrator,
        title=f"{narrator['name']}: a long testimony",
        interview_date="2018-03-15",
        access="public",
        events=sorted(rng.sample(words.events, 2)),
        passages=[_passage(rng, words, names) for _ in range(count)],
    )


def _most_linked(session, kind: str) -> str:
    row = session.execute(
        select(ContextLink.target, func.count())
        .join(Testimony, Testimony.id == ContextLink.testimony_id)
        .where(ContextLink.kind == kind, Testimony.access == "public")
        .group_by(ContextLink.target)
        .order_by(func.count().desc())
        .limit(1)
    ).first()
    return row[0]


def pages_of(app) -> dict[str, str]:
    """The addresses timed, by label."""
    with app.app_context():
        session = db.session()
        long = session.scalar(select(Testimony).where(Testimony.slug == LONG_SLUG))
        event, place = _most_linked(session, "event"), _most_linked(session, "place")
        return {
            "home": "/",
            "timeline": "/timeline",
            "timeline JSON": "/api/events",
            f"event ({event})": f"/events/{event}",
            "event JSON": f"/api/events/{event}",
            f"place ({place})": f"/places/{place}",
            "narrator of the long testimony": f"/narrators/{long.narrator.slug}",
            "narrator JSON": f"/api/narrators/{long.narrator.slug}",
            "long testimony, page": f"/testimonies/{long.id}",
            "long testimony, JSON": f"/api/testimonies/{long.id}",
            "long testimony, export.txt": f"/testimonies/{long.id}/export.txt",
        }


def time_pages(app, paths: dict[str, str], repeat: int, budget: float) -> dict[str, dict]:
    """p50/p95 (ms) and size (bytes) of each page; a page that does not answer 200 is reported."""
    client = app.test_client()
    figures = {}
    for label, path in paths.items():
        response = client.get(path)  # warm-up: templates compiled, SQL cached
        size = len(response.get_data())
        samples: list[float] = []
        spent = time.perf_counter()
        while len(samples) < repeat and (len(samples) < 3 or time.perf_counter() - spent < budget):
            started = time.perf_counter()
            response = client.get(path)
            response.get_data()
            samples.append(time.perf_counter() - started)
        figures[label] = {
            "path": path,
            "status": response.status_code,
            "bytes": size,
            "n": len(samples),
            "ms": percentiles(samples),
        }
    return figures


def measure(size: int, args: argparse.Namespace) -> dict:
    workdir = Path(args.workdir) / f"size-{size}"
    collection = generate(size, args.seed)
    loaded = prepare(collection, workdir)
    app = create_app(app_config(workdir))
    started = time.perf_counter()
    with app.app_context():
        store_testimonies(db.session(), [long_testimony(args.seed, args.long)], processes=1)
        links = db.session().scalar(select(func.count(ContextLink.id)))
    added = time.perf_counter() - started
    paths = pages_of(app)
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",")]
        paths = {k: v for k, v in paths.items() if any(k.startswith(w) for w in wanted)}
    figures = time_pages(app, paths, args.repeat, args.budget)
    return {"size": size, "load_s": loaded, "long_s": added, "links": links, "pages": figures}


def table(result: dict, args: argparse.Namespace) -> str:
    lines = [
        (
            f"{result['size']:,} passages + one of {args.long:,} ({result['links']:,} context "
            f"links; stored in {result['load_s']:.1f} s, 0 = reused; long testimony added in "
            f"{result['long_s']:.1f} s), load average {os.getloadavg()[0]:.1f}"
        ),
        f"  {'page':34} {'status':>6} {'KB':>8} {'n':>4} {'p50 ms':>9} {'p95 ms':>9}",
    ]
    for label, f in result["pages"].items():
        p50, p95, _ = f["ms"]
        lines.append(
            f"  {label[:34]:34} {f['status']:>6} {f['bytes'] / 1024:8.0f} {f['n']:>4} "
            f"{p50:9.1f} {p95:9.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per page at most")
    parser.add_argument("--long", type=int, default=2500, help="passages of the long testimony")
    parser.add_argument(
        "--pages", default="", help="only the pages whose label starts with one of these (a,b)"
    )
    parser.add_argument("--workdir", default=str(OUT / "work"))
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    blocks = [f"oralhistory page benchmark, {time.strftime('%Y-%m-%d %H:%M')}"]
    print(blocks[0], flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        block = table(measure(size, args), args)
        print(block, flush=True)
        blocks.append(block)
    report = OUT / f"pages-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    report.write_text("\n\n".join(blocks) + "\n")
    print(f"written to {report}")


if __name__ == "__main__":
    main()
