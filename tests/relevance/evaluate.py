"""How well search answers the relevance set: precision@5 and recall, case by case.

Run from the project's root (it builds the first collection in a temporary directory):

    .venv/bin/python -m tests.relevance.evaluate          # summary and failing cases
    .venv/bin/python -m tests.relevance.evaluate --all    # every case

Three sets are scored apart: `queries.yaml` (the first), `spellings.yaml` (spellings a reader
might type, written from the sources before being run) and `arabic.yaml` (Arabic queries over an
invented Arabic text, `fixtures/invented-arabic.md`, stored beside the collection for that set). A case may also name the events and
places (`timeline`) the answer must list; those are scored as timeline recall.

precision@5 is the share of relevant passages among the first five hits shown (a case with no
hit scores 0); recall is the share of the relevant passages found at all; average precision
(MAP over the set) rewards putting every relevant passage before the others. When a misspelt query
finds nothing and offers a "did you mean", the reader's next step is to follow it, so the case
is judged on what the suggestion finds. The same checks run as tests in `test_relevance.py`.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.conftest import make_app, run_cli

CASES_FILE = Path(__file__).with_name("queries.yaml")
SETS = {
    "queries": CASES_FILE,
    "spellings": Path(__file__).with_name("spellings.yaml"),
    "arabic": Path(__file__).with_name("arabic.yaml"),
}
# Testimony files a set needs beside the first collection: the Arabic set's text is invented for
# the tests (never a narrator's words) and is stored only for that set.
FIXTURES = {"arabic": (Path(__file__).parent / "fixtures" / "invented-arabic.md",)}
DEPTH = 100  # hits fetched per query: all of them, in this collection


@dataclass
class Case:
    q: str
    why: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    first: str | None = None
    top5: list[str] = field(default_factory=list)
    relevant: list[str] = field(default_factory=list)
    precise: bool = False
    absent: list[str] = field(default_factory=list)
    suggestion: str | None = None
    timeline: list[str] = field(default_factory=list)
    known_gap: str | None = None

    def __post_init__(self):
        expected = [self.first] if self.first else []
        self.relevant = list(dict.fromkeys([*expected, *self.top5, *self.relevant]))

    @property
    def label(self) -> str:
        filters = " ".join(f"{k}={v}" for k, v in self.filters.items())
        return f"{self.q} {filters}".strip()


@dataclass
class Outcome:
    case: Case
    hits: list[str]
    suggestion: str | None
    problems: list[str]
    timeline: list[str] = field(default_factory=list)

    @property
    def precision_at_5(self) -> float:
        shown = self.hits[:5]
        return sum(h in self.case.relevant for h in shown) / len(shown) if shown else 0.0

    @property
    def recall(self) -> float:
        return sum(r in self.hits for r in self.case.relevant) / len(self.case.relevant)

    @property
    def timeline_recall(self) -> float:
        wanted = self.case.timeline
        return sum(entry in self.timeline for entry in wanted) / len(wanted)

    @property
    def average_precision(self) -> float:
        """Mean of the precision at the rank of each relevant passage (0 for one not found):
        high when all relevant passages come before the others."""
        found, total = 0, 0.0
        for rank, hit in enumerate(self.hits, start=1):
            if hit in self.case.relevant:
                found += 1
                total += found / rank
        return total / len(self.case.relevant)


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Case(**entry) for entry in data["cases"]]


def _ask(client, q: str, filters: dict[str, str]) -> tuple[int, dict]:
    response = client.get("/api/search", query_string={"q": q, **filters, "per_page": DEPTH})
    return response.status_code, response.get_json()


def run_case(client, case: Case) -> Outcome:
    """Run one case through /api/search as a reader would, and list what is wrong."""
    problems = []
    status, body = _ask(client, case.q, case.filters)
    if status != 200:
        return Outcome(case, [], None, [f"status {status}: {body.get('error')}"])
    suggestion = body["suggestion"]
    if case.suggestion and (suggestion or "").casefold() != case.suggestion.casefold():
        problems.append(f"suggested {suggestion!r}, expected {case.suggestion!r}")
    if body["total"] == 0 and suggestion:
        status, body = _ask(client, suggestion, case.filters)
        if status != 200:
            return Outcome(case, [], suggestion, [*problems, f"suggestion gives status {status}"])
    hits = [f"{h['narrator']['slug']}#{h['passage']['anchor']}" for h in body["hits"]]
    timeline = [f"event:{e['slug']}" for e in body.get("events", [])]
    timeline += [f"place:{p['slug']}" for p in body.get("places", [])]
    unlisted = [entry for entry in case.timeline if entry not in timeline]
    if unlisted:
        problems.append(f"timeline lacks: {', '.join(unlisted)}")
    if case.first and hits and hits[0] != case.first:
        problems.append(f"first is {hits[0] if hits else 'nothing'}, expected {case.first}")
    missing = [p for p in case.top5 if p not in hits[:5]]
    if missing:
        problems.append(f"not in the first five: {', '.join(missing)}")
    if not hits and case.relevant:
        problems.append("found nothing")
    if case.precise:
        stray = [h for h in hits[:5] if h not in case.relevant]
        if stray:
            problems.append(f"not relevant but in the first five: {', '.join(stray)}")
    unwanted = [p for p in case.absent if p in hits]
    if unwanted:
        problems.append(f"returned although excluded: {', '.join(unwanted)}")
    return Outcome(case, hits, suggestion, problems, timeline)


@contextmanager
def first_collection_client(fixtures: tuple[Path, ...] = ()) -> Iterator:
    """A test client on the first collection, built from `transcripts/` in a temporary dir,
    with the testimony files `fixtures` imported beside it."""
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        result = run_cli(app, "init")
        if result.exit_code != 0:
            raise SystemExit(f"init failed:\n{result.output}")
        if fixtures:
            result = run_cli(app, "import", *(str(path) for path in fixtures))
            if result.exit_code != 0:
                raise SystemExit(f"import failed:\n{result.output}")
        yield app.test_client()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="show every case, not only failures")
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="default: both")
    args = parser.parse_args()
    for name in args.set or list(SETS):
        with first_collection_client(FIXTURES.get(name, ())) as client:
            outcomes = [run_case(client, case) for case in load_cases(SETS[name])]
        print(f"=== {name} ({SETS[name].name})")
        report(outcomes, show_all=args.all)


def report(outcomes: list[Outcome], show_all: bool) -> None:
    """Print the failing cases (every case with `show_all`) and the set's figures."""
    for outcome in outcomes:
        if outcome.problems or show_all:
            mark = "FAIL" if outcome.problems else "ok  "
            figures = (
                f"P@5={outcome.precision_at_5:.2f} R={outcome.recall:.2f}"
                if outcome.case.relevant
                else f"timeline R={outcome.timeline_recall:.2f}"
            )
            print(f"{mark} {figures}  {outcome.case.label}")
            for problem in outcome.problems:
                print(f"       {problem}")
    passages = [o for o in outcomes if o.case.relevant]
    timeline = [o for o in outcomes if o.case.timeline]
    n = len(passages)
    passed = sum(not o.problems for o in outcomes)
    print(f"\ncases: {len(outcomes)}   all checks met: {passed}/{len(outcomes)}")
    print(f"judged on passages: {n}")
    print(f"mean precision@5: {sum(o.precision_at_5 for o in passages) / n:.3f}")
    print(f"mean recall:      {sum(o.recall for o in passages) / n:.3f}")
    print(f"MAP:              {sum(o.average_precision for o in passages) / n:.3f}")
    if timeline:
        recall = sum(o.timeline_recall for o in timeline) / len(timeline)
        print(f"timeline recall:  {recall:.3f} over {len(timeline)} cases")
    print()


if __name__ == "__main__":
    main()
