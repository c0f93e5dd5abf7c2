"""What search keeps between requests follows the index: new passages, new access, new words."""

from __future__ import annotations

import pickle

from sqlalchemy import select

from oralhistory import search as archive_search
from oralhistory import warm_up
from oralhistory.record import changes
from oralhistory.record.models import Place
from oralhistory.search import postings
from oralhistory.web import db, search_app
from tests import conftest
from tests.conftest import TESTIMONY, run_cli, sign_in


def search(client, q, **params):
    return client.get("/api/search", query_string={"q": q, **params}).get_json()


def import_text(app, tmp_path, text, access="public", slug="cache-test"):
    path = tmp_path / f"{slug}.md"
    path.write_text(
        TESTIMONY.format(slug=slug, text=text).replace("access: public", f"access: {access}")
    )
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output


def test_facets_count_a_testimony_added_after_earlier_searches(app, client, tmp_path):
    before = search(client, "Aleppo")
    assert "test-narrator" not in {f["slug"] for f in before["facets"]["narrator"]}
    import_text(app, tmp_path, "We walked out of Aleppo at dawn.")
    after = search(client, "Aleppo")
    facet = {f["slug"]: f["count"] for f in after["facets"]["narrator"]}
    assert facet["test-narrator"] == 1
    assert after["total"] == before["total"] + 1 == sum(facet.values())


def test_hit_says_whether_it_matched_the_passage_or_the_narrator(client):
    in_text = search(client, "barrel")["hits"][0]
    assert "text" in in_text["matched_in"]
    by_biography = search(client, "journalist", per_page=50)["hits"]
    assert any(h["matched_in"] == ["context"] for h in by_biography)


def test_no_suggestion_from_a_testimony_once_it_is_restricted(app, client, tmp_path):
    import_text(app, tmp_path, "The Zanzibarian merchant kept our keys.")
    assert search(client, "Zanibarian")["suggestion"] == "Zanzibarian"
    import_text(app, tmp_path, "The Zanzibarian merchant kept our keys.", "restricted")
    body = search(client, "Zanibarian")
    assert (body["total"], body["suggestion"]) == (0, None)
    assert search(client, "Zanzibarian")["total"] == 0


def test_archivist_gets_suggestions_from_restricted_testimony(app, client, tmp_path):
    import_text(app, tmp_path, "The Zanzibarian merchant kept our keys.", "restricted")
    assert search(client, "Zanibarian")["suggestion"] is None
    sign_in(app, client)
    assert search(client, "Zanibarian")["suggestion"] == "Zanzibarian"
    assert search(client, "Zanzibarian")["total"] == 1


def test_testimony_made_restricted_leaves_results_of_a_server_that_searched_before(
    app, client, tmp_path
):
    import_text(app, tmp_path, "The Zanzibarian merchant kept our keys.")
    assert search(client, "Zanzibarian")["total"] == 1
    import_text(app, tmp_path, "The Zanzibarian merchant kept our keys.", "restricted")
    body = search(client, "Zanzibarian merchant")
    assert (body["total"], body["hits"], body["facets"]["narrator"]) == (0, [], [])


def test_a_value_repeated_from_one_passage_to_the_next_is_indexed_as_if_analysed_anew():
    from whoosh.fields import TEXT

    from oralhistory.search.analysis import text_analyzer
    from oralhistory.search.documents import RepeatedText

    analyzer = text_analyzer({"haleb": "aleppo"})
    repeated = RepeatedText(slot="test", analyzer=analyzer)
    plain = TEXT(analyzer=analyzer)
    for value in ["We left Haleb.", "We left Haleb.", "The buses came.", "We left Haleb."]:
        assert list(repeated.index(value)) == list(plain.index(value))
    # another analyzer (a changed gazetteer) in the same slot does not reuse the analysis
    other = RepeatedText(slot="test", analyzer=text_analyzer({}))
    assert list(other.index("We left Haleb.")) == list(
        TEXT(analyzer=text_analyzer({})).index("We left Haleb.")
    )
    assert list(other.index("We left Haleb.")) != list(plain.index("We left Haleb."))


def test_a_server_warmed_up_at_start_has_its_index_read_before_the_first_reader(app):
    with app.app_context():
        searcher = search_app.archive_index().searcher()
        assert "arrays" not in postings.searcher_cache(searcher)
        warm_up(app)
        cache = postings.searcher_cache(search_app.archive_index().searcher())
    assert "arrays" in cache and cache["statistics"]  # mapped, and the public statistics


def test_a_server_with_no_index_yet_starts_all_the_same(tmp_path, caplog):
    app = conftest.make_app(tmp_path)
    with app.app_context():
        db.upgrade_schema()
    warm_up(app)
    assert "no warm-up search" in caplog.text


def test_search_names_a_renamed_place_once_the_timeline_change_is_logged(app, client):
    """The timeline's names are kept between searches, and read again after a change."""
    place = search(client, "Aleppo")["facets"]["place"][0]
    with app.app_context():
        session = db.session()
        row = session.scalars(select(Place).where(Place.slug == place["slug"])).one()
        row.name = "A renamed place"
        changes.log(session, "links", summary="a change after which the timeline is read again")
        session.commit()
    named = {f["slug"]: f["name"] for f in search(client, "Aleppo")["facets"]["place"]}
    assert named[place["slug"]] == "A renamed place" != place["name"]


def test_an_index_written_before_the_search_package_had_modules_still_opens():
    """Its fields are pickled under their old name, `oralhistory.search._RepeatedText`."""
    schema = archive_search.documents.build_schema({})
    written = pickle.dumps(schema, protocol=2)  # names classes as text: "module\nname\n"
    new_name = b"oralhistory.search.documents\nRepeatedText\n"
    assert new_name in written
    older = written.replace(new_name, b"oralhistory.search\n_RepeatedText\n")
    assert pickle.loads(older).names() == schema.names()


def test_a_commit_leaves_the_words_each_analyzer_has_seen(app, client, tmp_path):
    # Each commit gives a new generation, its schema unpickled again: its analyzers are the
    # ones already in use, not new ones that have seen no word.
    def analyzers():
        with app.app_context():
            schema = search_app.archive_index().searcher().schema
            return schema["text"].analyzer, schema["name_keys"].analyzer

    import_text(app, tmp_path, "A first testimony of the garden.")  # written by this version
    search(client, "garden")
    before = analyzers()
    assert before[0]._entries  # it has looked words up
    import_text(app, tmp_path, "The orchard by the river.", slug="cache-test-2")
    assert search(client, "orchard")["total"] == 1
    after = analyzers()
    assert after[0] is before[0] and after[1] is before[1]
    assert "orchard" in after[0]._entries
