"""The relevance set as tests: each judged query finds what a reader would agree with."""

from __future__ import annotations

import pytest

from tests.conftest import make_app
from tests.relevance.evaluate import load_cases, run_case

CASES = load_cases()


@pytest.fixture(scope="module")
def reader(built_archive):
    """A client on the first collection as built once for the run (these tests only read)."""
    return make_app(built_archive).test_client()


def test_the_set_has_at_least_forty_judged_queries():
    assert len(CASES) >= 40
    assert all(case.relevant for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_a_judged_query_finds_what_a_reader_expects(reader, case):
    outcome = run_case(reader, case)
    assert not outcome.problems, f"{case.why}: " + "; ".join(outcome.problems)
