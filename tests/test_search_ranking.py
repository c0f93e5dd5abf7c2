"""Ranking a reader would agree with (the judged queries are in tests/relevance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from oralhistory import search
from oralhistory.search import postings, ranking, segment_layout
from oralhistory.services import searching
from oralhistory.web import db, search_app
from tests.conftest import import_testimony
from tests.helpers import archive_schema_and_groups, hits

JOURNEY = (
    "We walked for days through the countryside and the villages, past the checkpoints and "
    "the fields, and we spoke of the city we had left behind. Then we reached Jarablus, and "
    "the orphans were safe."
)


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


def planned(app, queries, include_restricted=False):
    """(searcher, query as Whoosh reads it) for each query, as `search` plans it."""
    with app.test_request_context():
        searcher = search_app.archive_index().searcher()
        for q in queries:
            request = search.SearchRequest(q=q, include_restricted=include_restricted)
            yield (
                searcher,
                search.plan_search(searcher, request, searching.search_gazetteer(db.session())),
            )


def flat_index(app):
    """A searcher on the archive's index as it was built before testimony documents: what
    the archive says of the narrator copied into each of their passages. Whoosh's own
    matchers on it find and score what the arrays must."""
    with app.app_context():
        session = db.session()
        schema, groups = archive_schema_and_groups(session)
        # in the test's own directory: Whoosh's temporary files beside a RamStorage go to
        # /tmp/MAIN.tmp, shared with every other process building one at the same moment
        folder = Path(app.config["INDEX_DIR"]).parent / "flat-index"
        folder.mkdir(exist_ok=True)
        ix = FileStorage(str(folder)).create_index(schema)
        with ix.writer() as writer:
            for testimony, *passages in groups:
                about = {name: testimony[name] for name in segment_layout.ABOUT_FIELDS}
                for passage in passages:
                    writer.add_document(**passage, **about)
    flat = ix.searcher(weighting=BM25F(B=ranking.BM25_B, K1=ranking.BM25_K1))
    numbers = {int(fields["passage_id"]): d for d, fields in enumerate(flat.all_stored_fields())}
    return flat, numbers


def passage_ids(searcher, docs):
    return {int(searcher.stored_fields(d)["passage_id"]) for d in docs}


PARITY_QUERIES = [
    "Aleppo",
    "family Aleppo",
    "Jarablus OR city",
    "bombs -barrel",
    '"barrel bombs"',
    '"east Aleppo" OR regime',
    '"the regime" Aleppo',
    "Haleb lawyer",
    "حلب",
    "narrator:halabi OR orphans",
    "narrator:qadsi OR year:2017 OR place:jarablus",
    # what the archive says of the narrator: a role, a phrase of a biography
    "lawyer",
    '"Idlib countryside"',
    "-lawyer",
    # spellings nobody listed: found and scored by the names' keys
    "Kassem",
    "Kassem OR regime",
]


@pytest.mark.parametrize("include_restricted", [False, True], ids=["anonymous", "archivist"])
def test_scores_worked_out_from_postings_are_whooshs_own(app, tmp_path, include_restricted):
    # `ranking.bm25f_scores` adds up each word's share of the score for all passages at
    # once, what is said of their narrator (held once, by the testimony's document) counted
    # in each; Whoosh scores one document at a time through its matchers, on an index with
    # it copied into every passage. Both must find the same passages and give each one
    # score: for an archivist with Whoosh's own statistics of every passage, for an
    # anonymous reader with those of the public ones (a restricted testimony makes them
    # differ).
    import_testimony(
        app, tmp_path, "hidden", "Aleppo, the regime, barrel bombs.", access="restricted"
    )
    flat, numbers = flat_index(app)
    for (searcher, plan), q in zip(
        planned(app, PARITY_QUERIES, include_restricted), PARITY_QUERIES
    ):
        matches = postings.Matches(searcher, plan.query, plan.access)
        found = matches.found(plan.filter())
        assert found.any(), q
        stats = ranking.statistics(searcher, plan.access)
        weighting = flat.weighting
        if not include_restricted:
            weighting = ranking.StatisticsBM25F(stats, B=weighting.B, K1=weighting.K1)
        wanted = Searcher(flat.reader(), weighting=weighting, closereader=False)
        allowed = None
        if plan.filter() is not None:
            allowed = set(wanted.docs_for_query(plan.filter()))
        theirs = {
            d: score
            for score, d in wanted.search(plan.query, filter=allowed, limit=None).top_n
            if allowed is None or d in allowed
        }
        docs = np.flatnonzero(found).tolist()
        assert {numbers[p] for p in passage_ids(searcher, docs)} == set(theirs), q
        ours = ranking.bm25f_scores(searcher, matches, found)
        assert ours is not None, q
        by_passage = dict(zip((int(searcher.stored_fields(d)["passage_id"]) for d in docs), docs))
        assert all(abs(ours[d] - theirs[numbers[p]]) < 1e-9 for p, d in by_passage.items()), q


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
        # in biographies and roles, held by the testimonies' documents
        '"Idlib countryside"',
        '"Local Council"',
        '"Muhammad Qadsi"',
    ]
    flat, numbers = flat_index(app)
    found_any = 0
    for (searcher, plan), q in zip(planned(app, phrases), phrases):
        found = postings.matching_docs(searcher, plan.query)
        theirs = set(flat.docs_for_query(plan.query))
        assert {numbers[p] for p in passage_ids(searcher, found)} == theirs, q
        found_any += bool(found)
    assert found_any >= 8
