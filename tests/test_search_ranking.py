"""Ranking a reader would agree with (the judged queries are in tests/relevance)."""

from __future__ import annotations

from oralhistory import db, search
from oralhistory.search import postings
from tests.conftest import import_testimony

JOURNEY = (
    "We walked for days through the countryside and the villages, past the checkpoints and "
    "the fields, and we spoke of the city we had left behind. Then we reached Jarablus, and "
    "the orphans were safe."
)


def hits(client, q):
    body = client.get("/api/search", query_string={"q": q, "per_page": 50}).get_json()
    return [f"{h['narrator']['slug']}#{h['passage']['anchor']}" for h in body["hits"]]


def test_repeated_short_passages_do_not_crowd_out_the_rest(app, client, tmp_path):
    narrator = import_testimony(
        app, tmp_path, "repeats", "\n\n".join(["Jarablus."] * 6 + [JOURNEY])
    )
    found = hits(client, "Jarablus")
    repeats = {f"{narrator}#p-{n}" for n in range(1, 7)}
    assert len(repeats & set(found[:5])) == 1
    assert {"asmar-al-halabi#p-1", f"{narrator}#p-7"} <= set(found[:5])
    assert repeats <= set(found)  # moved down, not hidden


def test_a_passage_that_says_something_of_a_place_beats_a_bare_mention(app, client, tmp_path):
    narrator = import_testimony(app, tmp_path, "bare", "Jarablus.\n\nJarablus.")
    found = hits(client, "Jarablus")
    assert found.index("asmar-al-halabi#p-1") < found.index(f"{narrator}#p-1")


def test_a_passage_that_names_the_thing_beats_one_that_shares_a_common_word(client):
    assert hits(client, "Fastaqim OR work")[0] == "muhammad-haj-qasim#p-3"
    assert hits(client, "Jarablus OR city")[0] == "asmar-al-halabi#p-1"


def test_the_passage_that_says_it_beats_the_narrators_biography(client):
    assert hits(client, "lawyer")[0] == "muhammad-qadsi#p-1"
    assert hits(client, "journalist")[0] == "omar-al-halabi#p-3"


def planned(app, queries):
    """(searcher, query as Whoosh reads it) for each query, as `search` plans it."""
    with app.test_request_context():
        searcher = search.archive_index().searcher()
        for q in queries:
            yield searcher, search.plan_search(searcher, search.SearchRequest(q=q), db.session())


def test_scores_worked_out_from_postings_are_whooshs_own(app):
    # `postings.bm25f_scores` adds up each word's share of the score from its postings;
    # Whoosh scores one document at a time through its matchers. Both must give every
    # document one score.
    queries = [
        "Aleppo",
        "family Aleppo",
        "Jarablus OR city",
        "bombs -barrel",
        '"barrel bombs"',
        '"east Aleppo" OR regime',
        '"the regime" Aleppo',
        "Haleb lawyer",
        "حلب",
    ]
    for (searcher, plan), q in zip(planned(app, queries), queries):
        matches = postings.Matches(searcher, plan.query)
        found = matches.found(plan.filter())
        assert found, q
        ours = postings.bm25f_scores(searcher, matches, found)
        assert ours is not None, q
        scored = searcher.search(plan.query, filter=found, limit=None).top_n
        whooshs = {docnum: score for score, docnum in scored}
        assert set(ours) == set(whooshs) == found, q
        assert all(abs(ours[d] - whooshs[d]) < 1e-9 for d in found), q


def test_phrases_find_what_whooshs_phrase_matcher_finds(app, tmp_path):
    import_testimony(
        app,
        tmp_path,
        "phrases",
        "Bye bye, we said. The barrel bombs fell, bombs and barrels, barrel after barrel.",
    )
    phrases = [
        '"barrel bombs"',
        '"bombs barrel"',
        '"bye bye"',
        '"barrel after barrel"',
        '"the regime"',
        '"east Aleppo"',
        '"green buses"',
    ]
    found_any = 0
    for (searcher, plan), q in zip(planned(app, phrases), phrases):
        found = postings.matching_docs(searcher, plan.query)
        assert found == set(searcher.docs_for_query(plan.query)), q
        found_any += bool(found)
    assert found_any >= 5
