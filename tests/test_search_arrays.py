"""Each index segment's postings, decoded once into arrays kept beside the segment: written
with the segment, shared by every process, gone with the segment."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from oralhistory import search
from oralhistory.record.models import Narrator, Passage, Testimony
from oralhistory.search import arrays, postings, segment_decoding, segment_layout
from oralhistory.web import db, search_app
from tests.conftest import import_testimony, make_app, run_cli


def generation(app) -> Path:
    root = Path(app.config["INDEX_DIR"])
    return root / (root / "CURRENT").read_text().strip()


def segment_ids(app) -> set[str]:
    with app.app_context():
        searcher = search_app.archive_index().searcher()
        return {leaf.reader().segment().segment_id() for leaf, _ in searcher.leaf_searchers()}


def array_segments(app) -> set[str]:
    return {
        path.name.split(".")[0] for path in generation(app).glob(f"*.{segment_layout.FORMAT}_*.npy")
    }


def search_body(client, q: str) -> dict:
    return client.get("/api/search", query_string={"q": q, "per_page": 50}).get_json()


def test_a_rebuilt_index_has_its_postings_decoded_beside_each_segment(app):
    assert run_cli(app, "reindex").exit_code == 0
    assert array_segments(app) == segment_ids(app) != set()


def test_an_added_testimony_gets_arrays_and_a_merged_segment_takes_its_arrays_away(app, tmp_path):
    before = segment_ids(app)
    import_testimony(app, tmp_path, "arrays", "The orphans of Jarablus waited for the buses.")
    after = segment_ids(app)
    assert array_segments(app) == after
    # the index now holds more segments, or the new one was merged with the old ones
    assert after != before
    client = app.test_client()
    assert search_body(client, "orphans Jarablus")["total"] >= 1


def test_a_fresh_process_memory_maps_the_arrays_instead_of_decoding(app, tmp_path):
    client = app.test_client()
    expected = {q: search_body(client, q) for q in ("Aleppo", '"barrel bombs"', "orphans OR city")}
    fresh = make_app(tmp_path)  # another worker on the same index
    with fresh.app_context():
        found = postings.search_arrays(search_app.archive_index().searcher())
        texts = [segment.fields["text"].docs for segment, _ in found.parts]
    assert texts and all(isinstance(docs, np.memmap) for docs in texts)
    other = fresh.test_client()
    assert {q: search_body(other, q) for q in expected} == expected


def test_an_index_written_before_the_arrays_gets_them_on_first_search(app):
    client = app.test_client()
    expected = search_body(client, "Aleppo family")
    for path in generation(app).glob(f"*.{segment_layout.FORMAT}_*.npy"):
        path.unlink()
    arrays.forget_segments_except(set())
    fresh = make_app(Path(app.config["INDEX_DIR"]).parent)
    assert search_body(fresh.test_client(), "Aleppo family") == expected
    assert array_segments(app) == segment_ids(app)


def test_every_field_a_search_scores_has_its_postings_in_the_arrays():
    # A scored field left out of the arrays would find and score nothing there: a spelling
    # read by its name's key would silently go missing from results.
    assert set(search.FIELD_WEIGHTS) <= set(segment_layout.SCORED_FIELDS)


@pytest.mark.parametrize("q", ["Aleppo", "Halabi", "buses OR family", "Idlib", "حلب"])
@pytest.mark.parametrize("limit", [1, 2, 25])
def test_a_facet_lists_the_values_held_most_by_name_among_equals(app, q, limit):
    """`Matches.facet` against counts of the found passages' stored values, sorted in
    Python, with and without a choice."""
    with app.app_context():
        searcher = search_app.archive_index().searcher()
        plan = search.plan_search(searcher, search.SearchRequest(q=q), None)
        matches = postings.Matches(searcher, plan.query, plan.access)
        found = np.flatnonzero(matches.found(plan.filter())).tolist()
        for fieldname in ("narrator", "place", "event"):
            counts = Counter(
                value
                for docnum in found
                for value in searcher.stored_fields(docnum)[fieldname].split(",")
                if value
            )
            expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
            assert matches.facet(fieldname, plan.filter(), limit) == (
                expected,
                len(counts) - len(expected),
            )
            for chosen in sorted(counts):
                shown, _ = matches.facet(fieldname, plan.filter(), limit, chosen)
                assert shown[: len(expected)] == expected
                assert (chosen, counts[chosen]) in shown


def test_what_is_said_of_a_narrator_is_indexed_once_and_found_in_each_of_their_passages(
    app, client
):
    # "lawyer" is in Muhammad Qadsi's roles alone, never in the words of a passage
    body = search_body(client, "lawyer")
    with app.app_context():
        passages = db.session().scalar(
            select(func.count(Passage.id))
            .join(Testimony)
            .join(Narrator)
            .where(Narrator.slug == "muhammad-qadsi")
        )
        reader = search_app.archive_index().searcher().reader()
        # once, by his testimony's document ...
        assert reader.doc_frequency("context", "lawyer") == 1
        # ... counted for each of its passages in "did you mean"
        held = postings.search_arrays(search_app.archive_index().searcher())
        assert held.passages_with(("public_about",), b"lawyer") == passages
    qadsi = [hit for hit in body["hits"] if hit["narrator"]["slug"] == "muhammad-qadsi"]
    assert passages > 1 and len(qadsi) == passages


def test_a_segment_written_has_the_arrays_it_would_decode_and_none_are_read_back(
    app, tmp_path, monkeypatch
):
    import_testimony(app, tmp_path, "written", "The orphans of Jarablus waited for the buses.")
    # the arrays are made as Whoosh writes the postings: decoding them is never needed
    monkeypatch.setattr(
        segment_decoding, "decode_segment", lambda reader: pytest.fail("arrays read back")
    )
    assert run_cli(app, "reindex").exit_code == 0
    monkeypatch.undo()
    with app.app_context():
        searcher = search_app.archive_index().searcher()
        for leaf, _ in searcher.leaf_searchers():
            reader = leaf.reader()
            files = segment_layout.array_files(generation(app), reader.segment().segment_id())
            decoded = segment_decoding.decode_segment(reader)
            assert set(decoded) == set(files)
            for name, path in files.items():
                written = np.load(path, allow_pickle=False)
                assert written.dtype == decoded[name].dtype, name
                assert np.array_equal(written, decoded[name]), name


@pytest.mark.parametrize(
    "array",
    [
        np.arange(5, dtype=np.int64),
        np.zeros(0, dtype=np.int32),
        np.array([0.5, 2.25], dtype=np.float32),
        np.array([True, False]),
        np.arange(12, dtype=np.uint16).reshape(3, 4),
        np.arange(3, dtype=">i4"),
        np.arange(200_000, dtype=np.int64),
    ],
)
def test_an_array_saved_beside_a_segment_is_mapped_as_numpy_maps_it(tmp_path, array):
    path = tmp_path / "array.npy"
    np.save(path, array, allow_pickle=False)
    mapped, loaded = arrays.mapped(path), np.load(path, mmap_mode="r", allow_pickle=False)
    assert type(mapped) is type(loaded) is np.memmap
    assert mapped.dtype == loaded.dtype and mapped.shape == loaded.shape
    assert np.array_equal(mapped, array)


def test_an_array_with_a_header_of_another_form_is_left_to_numpy(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.asfortranarray(np.arange(6).reshape(2, 3)), allow_pickle=False)
    assert np.array_equal(arrays.mapped(path), np.arange(6).reshape(2, 3))
