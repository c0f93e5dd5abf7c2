"""The relevance set as tests: each judged query finds what a reader would agree with."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import copy_database, make_app, run_cli
from tests.relevance.evaluate import FIXTURES, SETS, load_cases, run_case

CASES = load_cases() + load_cases(SETS["spellings"])
ARABIC_CASES = load_cases(SETS["arabic"])


@pytest.fixture(scope="module")
def reader(built_archive):
    """A client on the first collection as built once for the run (these tests only read)."""
    return make_app(built_archive).test_client()


@pytest.fixture(scope="module")
def arabic_reader(built_archive, tmp_path_factory):
    """A client on the first collection with the invented Arabic text stored beside it."""
    tmp = tmp_path_factory.mktemp("arabic-relevance")
    copy_database(built_archive, tmp)
    shutil.copytree(built_archive / "index", tmp / "index")
    app = make_app(tmp)
    result = run_cli(app, "import", *(str(path) for path in FIXTURES["arabic"]))
    assert result.exit_code == 0, result.output
    return app.test_client()


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


@pytest.mark.parametrize("case", [_marked(case) for case in ARABIC_CASES])
def test_an_arabic_query_finds_the_arabic_text_however_it_is_spelt(arabic_reader, case):
    outcome = run_case(arabic_reader, case)
    assert not outcome.problems, f"{case.why}: " + "; ".join(outcome.problems)
