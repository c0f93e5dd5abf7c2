"""Generated queries and parameters sent to /api/search and /search: never a 500.

Hypothesis runs with a fixed seed (derandomize) and a bounded number of examples, so that a
failure is found again by the next run and the test stays fast.
"""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import copy_database, make_app

# Pieces of the query language and of Whoosh's, which a reader must never reach.
PIECES = [
    "orphans",
    "Aleppo",
    "حلب",
    "bomb",
    "the",
    "a",
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "-",
    "(",
    ")",
    '"',
    "“",
    ":",
    "^",
    "*",
    "?",
    "~2",
    "[",
    "]",
    "{",
    "}",
    "TO",
    "'",
    "\\",
    "%",
    "·",
    "²",
    "narrator:",
    "place:",
    "event:",
    "year:",
    "access:",
    "text:",
    "a-year:",
    "a-access:",
    "title:",
    "2017",
    "*:",
    "\x00",
    "\x1e",
    "\t",
    " ",
    "  ",
]
pieces = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
queries = st.one_of(
    pieces, st.text(max_size=40), st.text(st.sampled_from('ab:"()-^* '), max_size=20)
)
numbers = st.one_of(
    st.none(),
    st.integers(-5, 200).map(str),
    st.text(st.sampled_from("0123456789²٣ -+.e"), max_size=8),
    st.text(max_size=6),
)
FUZZ = settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# The query language's operators and what they join, for combinations of them: every one is
# either searched or refused with a reason.
OPERANDS = [
    "Idlib",
    "orphans",
    '"barrel bombs"',
    "the",
    "حلب",
    "narrator:halabi",
    'place:"east Aleppo"',
    "event:evacuation",
    "year:2017",
    "year:x",
]
OPERATORS = ["NOT", "-", "OR", "AND", "(", ")", '"']
operator_queries = st.lists(
    st.one_of(st.sampled_from(OPERANDS), st.sampled_from(OPERATORS)), min_size=1, max_size=7
).flatmap(
    # a minus sign is written against what follows it, or apart
    lambda parts: st.sampled_from([" ", ""]).map(
        lambda glue: " ".join(parts).replace("- ", "-" if glue == "" else "- ")
    )
)
SEARCH_ADDRESSES = ["/search", "/api/search", "/search.csv", "/testimonies/1"]
OPERATOR_FUZZ = settings(FUZZ, max_examples=150)


@pytest.fixture(scope="module")
def reader(built_archive, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    copy_database(built_archive, tmp)
    shutil.copytree(built_archive / "index", tmp / "index")
    return make_app(tmp).test_client()


def _params(q, page, per_page, narrator) -> dict:
    params = {"q": q, "page": page, "per_page": per_page, "narrator": narrator}
    return {name: value for name, value in params.items() if value is not None}


def _check(response) -> None:
    assert response.status_code in (200, 400), (response.status_code, response.data[:300])
    assert b"Traceback" not in response.data


@FUZZ
@given(q=queries, page=numbers, per_page=numbers, narrator=st.one_of(st.none(), queries))
def test_no_generated_search_gives_a_500_from_the_api(reader, q, page, per_page, narrator):
    response = reader.get("/api/search", query_string=_params(q, page, per_page, narrator))
    _check(response)
    body = response.get_json()
    assert ("error" in body) == (response.status_code == 400)


@FUZZ
@given(q=queries, page=numbers, per_page=numbers, narrator=st.one_of(st.none(), queries))
def test_no_generated_search_gives_a_500_on_the_search_page(reader, q, page, per_page, narrator):
    _check(reader.get("/search", query_string=_params(q, page, per_page, narrator)))


@OPERATOR_FUZZ
@given(q=operator_queries)
def test_no_combination_of_operators_gives_a_500_anywhere_a_query_is_read(reader, q):
    for address in SEARCH_ADDRESSES:
        response = reader.get(address, query_string={"q": q})
        _check(response)
        if response.status_code == 400 and address == "/api/search":
            assert response.get_json()["error"].startswith("This search cannot be run: ")
