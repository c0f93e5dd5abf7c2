"""Send generated queries and parameters to /api/search and /search; print how many requests
were sent, how many got a 500, and the slowest response.

    .venv/bin/python -m benchmarks.fuzz_search            # 10,000 requests, seed 16
    .venv/bin/python -m benchmarks.fuzz_search --requests 2000 --seed 3

A figure-printing script, not a test: it builds the first collection in a temporary directory
and sends every request in-process through the Flask test client (no network). It uses only
the public interface (`create_app`, the `init` command, the URLs), so it runs unchanged on
older code for a before-and-after comparison.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from oralhistory import PROJECT_ROOT, create_app

# Pieces of the query language, of Whoosh's syntax, and of what breaks parsers.
PIECES = [
    "orphans", "Aleppo", "حلب", "bombs", "barrel", "the", "a", "AND", "OR", "NOT", "ANDNOT",
    "-", "(", ")", '"', "“", "”", ":", "^", "*", "?", "~2", "[", "]", "{", "}", "TO", "'",
    "\\", "%", "·", "²", "٣", "narrator:", "place:", "event:", "year:", "access:", "text:",
    "a-year:", "a-access:", "title:", "2017", "*:", "\x00", "\x01", "\x1e", "\t", " ", " ",
    "hisham-skeif", "al-indharat", "evacuation", "9" * 30,
]  # fmt: skip
NUMBERS = ["", "1", "2", "0", "-1", "²", "٣", "1.5", "1e3", "99999", "9" * 5000, "abc", " 3 "]


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 10)))
    if kind < 0.8:
        return "".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 20)))
    return "".join(chr(rng.randint(0, 0x10FFFF) % 0xD800) for _ in range(rng.randint(0, 10)))


def _params(rng: random.Random) -> dict[str, str]:
    params = {"q": _text(rng)}
    for name in ("page", "per_page"):
        if rng.random() < 0.3:
            params[name] = rng.choice(NUMBERS) if rng.random() < 0.8 else _text(rng)
    for name in ("narrator", "place", "event"):
        if rng.random() < 0.15:
            params[name] = _text(rng)
    return params


def run(requests: int, seed: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'archive.db'}",
                "INDEX_DIR": str(Path(tmp) / "index"),
                "SECRET_KEY": "fuzz",
                "TRANSCRIPTS_DIR": str(PROJECT_ROOT / "transcripts"),
            }
        )
        app.logger.disabled = True  # the 500s are counted, not logged
        result = app.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        statuses: Counter[int] = Counter()
        failing: list[tuple[str, dict]] = []
        slowest = (0.0, "", {})
        started = time.perf_counter()
        for number in range(requests):
            path = "/api/search" if number % 2 == 0 else "/search"
            params = _params(rng)
            begun = time.perf_counter()
            status = client.get(path, query_string=params).status_code
            took = time.perf_counter() - begun
            statuses[status] += 1
            if status >= 500 and len(failing) < 10:
                failing.append((path, params))
            if took > slowest[0]:
                slowest = (took, path, params)
        total = time.perf_counter() - started
    print(f"requests: {requests} (seed {seed}) in {total:.1f} s")
    print("statuses: " + ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items())))
    print(f"500s: {sum(count for code, count in statuses.items() if code >= 500)}")
    print(f"slowest: {slowest[0] * 1000:.0f} ms, {slowest[1]} {slowest[2]!r:.200}")
    for path, params in failing:
        print(f"  500 from {path} {params!r:.200}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    run(args.requests, args.seed)


if __name__ == "__main__":
    main()
