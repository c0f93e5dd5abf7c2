"""The benchmark keeps working: a 1,000-passage synthetic collection, built and searched.

Correctness only; the benchmark script (`python -m benchmarks.run`) measures the speed.
"""

from __future__ import annotations

import os
import sqlite3

import numpy as np
import pytest
from sqlalchemy import func, select

from benchmarks.generate import FINDING_KINDS, Query, extra_testimony, generate, load
from benchmarks.run import api_request, build_fts, fts_search
from oralhistory import search
from oralhistory.record.models import Passage, Testimony
from oralhistory.search import postings
from oralhistory.services import indexing, searching
from oralhistory.services.importer import parse_testimony, store_testimony
from oralhistory.web import db, search_app
from tests.conftest import copy_database, make_app, sqlite_only

SIZE = 1000


@pytest.fixture(scope="module")
def collection():
    return generate(SIZE)


@pytest.fixture(scope="module")
def archive(built_archive, tmp_path_factory, collection):
    """The first collection plus the generated one, stored through the importer and indexed."""
    tmp = tmp_path_factory.mktemp("benchmark")
    copy_database(built_archive, tmp)
    app = make_app(tmp)
    with app.app_context():
        session = db.session()
        before = session.scalar(select(func.count(Passage.id)))
        load(session, collection)
        with pytest.MonkeyPatch.context() as patch:
            # built by several processes into several segments, as a large archive is
            patch.setattr(search, "PARALLEL_BUILD_PASSAGES", SIZE // 2)
            indexed = indexing.rebuild_index(session, search_app.archive_index())
    return app, tmp, indexed - before


def page(app, q="", narrator=None, include_restricted=False, **options):
    request = search.SearchRequest(
        q=q, narrator=narrator, include_restricted=include_restricted, **options
    )
    with app.test_request_context("/api/search"):
        return searching.search_page(db.session(), search_app.archive_index(), request)


def test_the_same_seed_generates_the_same_collection(collection):
    again = generate(SIZE)
    assert [t.file_text() for t in again.testimonies] == [
        t.file_text() for t in collection.testimonies
    ]
    assert collection.passage_count == SIZE
    assert collection.restricted and collection.probes


def test_every_generated_passage_is_indexed(archive):
    _, _, indexed = archive
    assert indexed == SIZE


def test_parallel_build_writes_one_segment_per_process(archive):
    app, _, _ = archive
    with app.app_context():
        segments = len(search_app.archive_index().searcher().leaf_searchers())
    assert segments == min(os.cpu_count() or 1, 4)


def test_each_passage_follows_its_testimonys_document_in_a_parallel_build(archive):
    # A testimony's document and its passages are written together into one segment, by
    # whichever process takes them: each passage's document is its own testimony's.
    app, _, _ = archive
    with app.app_context():
        searcher = search_app.archive_index().searcher()
        found = postings.search_arrays(searcher)
        passages = np.flatnonzero(found.live)
        assert len(passages) == searcher.doc_count() - len(np.flatnonzero(found.parents == -2))
        for doc in passages.tolist():
            parent = int(found.parents[doc])
            assert parent >= 0, doc
            testimony = searcher.stored_fields(parent)
            assert "passage_id" not in testimony
            assert testimony["testimony_id"] == searcher.stored_fields(doc)["testimony_id"]


def test_a_probe_word_finds_exactly_its_passage(archive, collection):
    app, _, _ = archive
    public = [t for t in collection.probes if t.access == "public"]
    assert public
    with app.app_context():
        ids = dict(db.session().execute(select(Testimony.slug, Testimony.id)).all())
    for testimony in public:
        body = page(app, testimony.probe)
        assert body["total"] == 1, testimony.probe
        hit = body["hits"][0]
        assert hit["testimony"]["id"] == ids[testimony.slug]
        assert hit["passage"]["anchor"] == f"p-{testimony.probe_position}"


def test_restricted_generated_testimony_is_not_found_anonymously(archive, collection):
    app, _, _ = archive
    client = app.test_client()
    for testimony in collection.restricted:
        body = client.get("/api/search", query_string={"q": testimony.probe}).get_json()
        assert (body["total"], body["hits"], body["facets"]["narrator"]) == (0, [], [])
        assert page(app, testimony.probe, include_restricted=True)["total"] == 1


def test_the_mix_holds_at_least_200_distinct_searches_of_every_kind(collection):
    mix = collection.query_mix()
    assert len(set(mix)) == len(mix) >= 200
    kinds = {query.kind for query in mix}
    assert set(FINDING_KINDS) | {"misspelling", "no hits"} <= kinds
    assert {"narrator filter", "place filter", "event filter", "year filter"} <= kinds


def test_every_search_of_the_mix_answers(archive, collection):
    app, _, _ = archive
    for query in collection.query_mix():
        body = page(app, **api_request(query).__dict__)
        if query.kind == "misspelling":
            assert body["total"] == 0 and body["suggestion"], query
        elif query.kind == "no hits":
            assert body["total"] == 0, query
        elif query.kind in FINDING_KINDS:
            assert body["total"] > 0 and body["hits"], query
        if query.narrator:
            assert {h["narrator"]["slug"] for h in body["hits"]} == {query.narrator}
            facet = [f["count"] for f in body["facets"]["narrator"] if f["slug"] == query.narrator]
            assert facet == [body["total"]]


@sqlite_only  # the baseline reads the archive's SQLite file
def test_fts5_baseline_runs_every_search_of_the_mix(archive, collection):
    _, tmp, _ = archive
    build_fts(tmp)
    conn = sqlite3.connect(tmp / "fts.db")
    for query in collection.query_mix():
        # the same search as the archive's (its numbers differ: it has no spellings, no
        # stemming of names, no narrator text in the same way)
        total, hits = fts_search(conn, query)
        assert total >= len(hits) and len(hits) <= 10, query
    conn.close()


def test_a_variant_spelling_finds_as_much_as_the_usual_name(archive):
    app, _, _ = archive
    assert page(app, "Enzharat")["total"] == page(app, "Indharat")["total"] > 0
    assert page(app, "Haleb")["total"] == page(app, "Aleppo")["total"] > 0


def test_an_added_testimony_is_found_after_indexing(archive, collection):
    app, _, _ = archive
    added = extra_testimony(collection, 1)
    with app.app_context():
        session = db.session()
        stored = store_testimony(session, parse_testimony(added.file_text(), "added.md"))
        session.commit()
        indexing.index_testimonies(session, search_app.archive_index(), [stored.id], None)
    body = page(app, added.probe)
    assert body["total"] == 1
    assert body["hits"][0]["passage"]["anchor"] == f"p-{added.probe_position}"


@sqlite_only
def test_fts5_baseline_holds_the_same_passages(archive, collection):
    _, tmp, _ = archive
    build_fts(tmp)
    conn = sqlite3.connect(tmp / "fts.db")
    public = next(t for t in collection.probes if t.access == "public")
    restricted = collection.restricted[0]
    assert fts_search(conn, Query("probe", public.probe))[0] == 1
    assert fts_search(conn, Query("probe", restricted.probe))[0] == 0
    conn.close()
