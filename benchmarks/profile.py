"""The query mix through the Python API only, on an archive `benchmarks.run` has stored and
indexed: p50/p95 by kind, and where the three slowest searches spend their time.

    .venv/bin/python -m benchmarks.profile --size 10000 [--repeat 2]

Quicker than the whole benchmark, for comparing two versions of the code on one index.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

# `search` first: older versions of the package import it only in that order
from oralhistory import create_app, search  # noqa: F401

from .generate import SEED, generate
from .run import OUT, app_config, archive_search, by_kind, percentiles, profile, slowest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", default=str(OUT / "work"))
    args = parser.parse_args(argv)
    workdir = Path(args.workdir) / f"size-{args.size}"
    mix = generate(args.size, args.seed).query_mix()
    app = create_app(app_config(workdir))
    started = time.perf_counter()
    archive_search(app, mix[0])
    first = time.perf_counter() - started
    for query in mix:
        archive_search(app, query)
    samples: dict = {query: [] for query in mix}
    for _ in range(args.repeat):
        for query in mix:
            started = time.perf_counter()
            archive_search(app, query)
            samples[query].append(time.perf_counter() - started)
    every = [t for seconds in samples.values() for t in seconds]
    p50, p95, p99 = percentiles(every)
    print(
        f"{args.size:,} passages, {len(mix)} searches x {args.repeat}, load average "
        f"{os.getloadavg()[0]:.1f}: first search {first * 1000:.0f} ms; "
        f"p50/p95/p99 {p50:.1f} / {p95:.1f} / {p99:.1f} ms"
    )
    for kind, seconds in by_kind(samples).items():
        print(f"  {kind:16} p50 {percentiles(seconds)[0]:7.1f}  p95 {percentiles(seconds)[1]:7.1f}")
    for query in slowest(samples):
        print(f"\n{statistics.median(samples[query]) * 1000:.1f} ms: {query}")
        print(profile(app, query))


if __name__ == "__main__":
    main()
