"""The relevance set as tests: each judged query finds what a reader would agree with."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.relevance.evaluate import SETS, load_cases, run_case

CASES = load_cases() + load_cases(SETS["spellings"])


@pytest.fixture(scope="module")
def reader(built_archive):
    """A client on the first collection as built once for the run (these tests only read)."""
    return make_app(built_archive).test_client()


def test_each_set_has_at_least_forty_judged_queries():
    for path in SETS.values():
        cases = load_cases(path)
        assert len(cases) >= 40, path.name
        assert all(case.relevant or case.timeline for case in cases), path.name


def _marked(case):
    # A known gap runs too: it must keep failing until the search meets it (then say so).
    gap = pytest.mark.xfail(reason=case.known_gap, strict=True) if case.known_gap else ()
    return pytest.param(case, id=case.label, marks=gap)


@pytest.mark.parametrize("case", [_marked(case) for case in CASES])
def test_a_judged_query_finds_what_a_reader_expects(reader, case):
    outcome = run_case(reader, case)
    assert not outcome.problems, f"{case.why}: " + "; ".join(outcome.problems)
