"""Measure ranking settings before changing them: BM25F's B and the weight of each field.

    .venv/bin/python -m tests.relevance.tune

For each setting it prints the relevance set's figures (see `evaluate.py`) and two
scenarios the set cannot show, on the first collection plus a testimony of bare lines:
where Asmar al-Halabi's passage about Jarablus ranks for "Jarablus" when another testimony
says nothing but "Jarablus." (1 is what a reader would want), and how many different passages
the first five hits hold when it says so six times (5 is best). The values `search/__init__.py` uses
were chosen from this table.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from oralhistory import search
from tests.conftest import import_testimony, make_app, run_cli
from tests.relevance.evaluate import load_cases, run_case

B_VALUES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75)
CONTEXT_WEIGHTS = (0.1, 0.3, 0.5)
NARRATOR_WEIGHTS = (1.0, 2.0)


def _archive(root: Path, bare_lines: int) -> Path:
    path = root / f"bare-{bare_lines}"
    path.mkdir()
    app = make_app(path)
    assert run_cli(app, "init").exit_code == 0
    if bare_lines:
        import_testimony(app, path, "bare", "\n\n".join(["Jarablus."] * bare_lines))
    return path


def _hits(client, q: str) -> list[str]:
    body = client.get("/api/search", query_string={"q": q, "per_page": 100}).get_json()
    return [f"{h['narrator']['slug']}#{h['passage']['anchor']}" for h in body["hits"]]


def main() -> None:
    cases = load_cases()
    root = Path(tempfile.mkdtemp())
    try:
        archives = {n: _archive(root, n) for n in (0, 2, 6)}
        print("B     context narrator | checks P@5   MAP   | rank of the passage | distinct in 5")
        for b in B_VALUES:
            for context in CONTEXT_WEIGHTS:
                for narrator in NARRATOR_WEIGHTS:
                    search.BM25_B = b
                    search.FIELD_WEIGHTS.update(context=context, narrator_name=narrator)
                    client = make_app(archives[0]).test_client()
                    outcomes = [run_case(client, case) for case in cases]
                    n = len(outcomes)
                    passed = sum(not o.problems for o in outcomes)
                    p5 = sum(o.precision_at_5 for o in outcomes) / n
                    ap = sum(o.average_precision for o in outcomes) / n
                    bare = _hits(make_app(archives[2]).test_client(), "Jarablus")
                    crowd = _hits(make_app(archives[6]).test_client(), "Jarablus")[:5]
                    distinct = len({h for h in crowd if not h.startswith("bare-")}) + any(
                        h.startswith("bare-") for h in crowd
                    )
                    print(
                        f"{b:<5} {context:<7} {narrator:<8} | {passed:>3}/{n} {p5:.3f} {ap:.3f} "
                        f"| {bare.index('asmar-al-halabi#p-1') + 1:>19} | {distinct:>13}"
                    )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
