"""Searches a reader would make find the right narrator's passage, shown safely."""

from __future__ import annotations

import pytest

from tests.archive_helpers import archivist_client
from tests.conftest import TESTIMONY, run_cli
from tests.helpers import hits


@pytest.mark.parametrize(
    ("query", "narrator", "anchor"),
    [
        ("barrel bombs", "muhammad-qadsi", "p-2"),
        ("house destroyed", "muhammad-qadsi", "p-2"),
        ("orphans caretakers", "asmar-al-halabi", "p-1"),
        ("graves of my friends", "asmar-al-halabi", "p-2"),
        ('"hope of returning"', "asmar-al-halabi", "p-4"),
        ("two displacements", "hisham-skeif", "p-2"),
        ("intifada", "hisham-skeif", "p-3"),
        ("Fastaqim", "muhammad-haj-qasim", "p-3"),
        ("burn your home car", "omar-al-halabi", "p-2"),
        ("lawyer", "muhammad-qadsi", "p-1"),
    ],
)
def test_a_readers_search_finds_the_right_passage_first(client, query, narrator, anchor):
    assert hits(client, query)[0] == f"{narrator}#{anchor}"


def test_stemming_finds_other_forms_of_a_word(client):
    assert "muhammad-qadsi#p-2" in hits(client, "bombed", per_page=10)


def test_spelling_variant_of_a_district_finds_the_passage(client):
    assert hits(client, "Enzharat")[0] == "muhammad-qadsi#p-2"


def test_arabic_script_finds_the_city(client):
    assert len(hits(client, "حلب", per_page=50)) >= 10


def test_snippet_marks_matched_words(client):
    body = client.get("/api/search?q=barrel").get_json()
    assert "<mark>barrel</mark> bombs" in body["hits"][0]["snippet"]


def test_snippet_escapes_the_passage_text(app, client, tmp_path):
    path = tmp_path / "markup.md"
    path.write_text(TESTIMONY.format(slug="markup-test", text="I wrote <b>bold</b> & left."))
    assert run_cli(app, "import", str(path)).exit_code == 0
    snippet = client.get("/api/search?q=bold").get_json()["hits"][0]["snippet"]
    assert snippet == "I wrote &lt;b&gt;<mark>bold</mark>&lt;/b&gt; &amp; left."


def test_narrator_filter_and_facet_counts(client):
    body = client.get("/api/search?q=Aleppo&per_page=50").get_json()
    facet = {f["slug"]: f["count"] for f in body["facets"]["narrator"]}
    assert sum(facet.values()) == body["total"]
    assert set(facet) >= {"hisham-skeif", "muhammad-qadsi"}
    narrowed = client.get("/api/search?q=Aleppo&narrator=hisham-skeif&per_page=50").get_json()
    assert narrowed["total"] == facet["hisham-skeif"]
    assert {h["narrator"]["slug"] for h in narrowed["hits"]} == {"hisham-skeif"}


def test_results_are_paged(client):
    first = client.get("/api/search?q=Aleppo&per_page=5").get_json()
    second = client.get("/api/search?q=Aleppo&per_page=5&page=2").get_json()
    assert len(first["hits"]) == 5
    assert first["total"] > 5
    assert not {h["passage"]["url"] for h in first["hits"]} & {
        h["passage"]["url"] for h in second["hits"]
    }


def test_hit_follows_the_json_contract(client):
    body = client.get("/api/search?q=lawyer").get_json()
    assert set(body) >= {"query", "total", "page", "per_page", "hits", "facets", "suggestion"}
    hit = body["hits"][0]
    assert set(hit) >= {"narrator", "testimony", "passage", "snippet", "score"}
    assert hit["passage"]["url"] == f"{hit['testimony']['url']}#{hit['passage']['anchor']}"


def test_misspelt_word_suggests_the_archives_word(client):
    body = client.get("/api/search?q=orphens").get_json()
    assert body["total"] == 0
    assert body["suggestion"] == "orphans"


def test_known_spelling_variant_gets_no_suggestion(client):
    assert client.get("/api/search?q=Enzharat").get_json()["suggestion"] is None


@pytest.mark.parametrize(
    ("query_string", "word"),
    [
        ("q=%22hope+of", "quotation mark"),
        ("q=(orphans", "bracket"),
        ("q=orphans)", "bracket"),
        ("q=Aleppo&page=99", "last page"),
        ("q=Aleppo&page=zero", "whole number"),
        ("q=Aleppo&per_page=1000", "per_page"),
        ("q=", "empty"),
    ],
)
def test_bad_query_gets_a_400_that_says_what_is_wrong(client, query_string, word):
    response = client.get(f"/api/search?{query_string}")
    assert response.status_code == 400
    assert word in response.get_json()["error"]


def test_broken_query_gets_a_friendly_page(client):
    response = client.get('/search?q="hope+of')
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "quotation mark" in html
    assert "How to search" in html


def test_empty_search_page_explains_how_to_search(client):
    response = client.get("/search?q=")
    assert response.status_code == 200
    assert "exact phrase" in response.get_data(as_text=True)


def test_a_reimported_testimony_loses_its_old_text_for_a_reader_who_searched_before(
    app, client, tmp_path
):
    path = tmp_path / "changing.md"
    path.write_text(TESTIMONY.format(slug="changing", text="First.\n\nSecond.\n\nThird."))
    assert run_cli(app, "import", str(path)).exit_code == 0
    assert client.get("/api/search?q=Third").get_json()["total"] == 1
    path.write_text(TESTIMONY.format(slug="changing", text="Only one now, about quinces."))
    assert run_cli(app, "import", str(path)).exit_code == 0
    assert client.get("/api/search?q=Third").get_json()["total"] == 0
    assert client.get("/api/search?q=quinces").get_json()["total"] == 1


def test_a_facet_lists_the_values_with_most_passages_and_counts_the_rest(client, monkeypatch):
    from oralhistory import search

    everyone = client.get("/api/search", query_string={"q": "Aleppo"}).get_json()
    narrators = [f["slug"] for f in everyone["facets"]["narrator"]]
    assert len(narrators) == 5 and everyone["facets_more"]["narrator"] == 0
    monkeypatch.setattr(search, "FACET_VALUES", 2)
    body = client.get("/api/search", query_string={"q": "Aleppo"}).get_json()
    assert [f["slug"] for f in body["facets"]["narrator"]] == narrators[:2]
    assert body["facets_more"]["narrator"] == 3
    # the chosen narrator stays listed, to be removed, however few its passages
    last = narrators[-1]
    body = client.get("/api/search", query_string={"q": "Aleppo", "narrator": last}).get_json()
    assert [f["slug"] for f in body["facets"]["narrator"]] == [*narrators[:2], last]
    assert body["facets_more"]["narrator"] == 2
    page = client.get("/search", query_string={"q": "Aleppo"}).get_data(as_text=True)
    assert "and 3 more, with fewer passages" in page


@pytest.mark.parametrize(
    ("text", "q"),
    [
        # a long passage, shown by its best fragments
        (("We walked for hours. " * 30) + "<script>alert(1)</script> the bold convoy left. "
         + ("Then we waited. " * 30), "convoy"),
        # the words matched in the editor's note alone
        ("<i>We</i> left at dawn. [Ed.: <b>convoy</b> & checkpoint]", "checkpoint"),
        # matched by a name's key alone (Kassem for Qassem)
        ("<img src=x onerror=alert(1)> Qassem & his brother left.", "Kassem"),
    ],
)  # fmt: skip
def test_every_kind_of_snippet_escapes_the_passage_and_adds_only_marks(
    app, client, tmp_path, text, q
):
    path = tmp_path / "markup.md"
    path.write_text(TESTIMONY.format(slug="markup-test", text=text))
    assert run_cli(app, "import", str(path)).exit_code == 0
    hits = client.get("/api/search", query_string={"q": q}).get_json()["hits"]
    snippet = next(h["snippet"] for h in hits if h["testimony"]["title"] == "A test testimony")
    assert "<mark>" in snippet
    assert "<" not in snippet.replace("<mark>", "").replace("</mark>", "")
    assert "&lt;" in snippet


@pytest.mark.parametrize(
    "query, named",
    [
        ("Halaby", {"asmar-al-halabi", "omar-al-halabi"}),
        ("Qadsy", {"muhammad-qadsi"}),
        ("Mohamad Kodsi", {"muhammad-qadsi"}),
        ("قدسي", {"muhammad-qadsi"}),
        ("Muhammad Qadsi returning", {"muhammad-qadsi"}),
        ("Kassem", {"muhammad-haj-qasim"}),
        ("bread", set()),
        ("Aleppo", set()),
        ("siege -Skeif", set()),
    ],
)
def test_a_name_search_names_the_narrator_first(client, query, named):
    body = client.get("/api/search", query_string={"q": query}).get_json()
    assert {n["slug"] for n in body["narrators"]} == named
    for narrator in body["narrators"]:
        assert narrator["url"] == f"/narrators/{narrator['slug']}" and narrator["read_as"]
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    if named:
        assert page.index('class="named"') < page.index('class="count"')
        for slug in named:
            assert f'href="/narrators/{slug}"' in page
    else:
        assert 'class="named"' not in page


def test_a_narrator_known_only_by_restricted_testimony_is_never_named_to_readers(
    app, client, tmp_path
):
    secret = TESTIMONY.format(slug="hidden-voice-2020", text="Words nobody may read yet.")
    secret = secret.replace("access: public", "access: restricted")
    secret = secret.replace("slug: test-narrator", "slug: zenobia-quartermaine")
    secret = secret.replace("name: Test Narrator", "name: Zenobia Quartermaine")
    assert "access: restricted" in secret and "Zenobia" in secret
    path = tmp_path / "hidden.md"
    path.write_text(secret, encoding="utf-8")
    assert run_cli(app, "import", str(path)).exit_code == 0
    body = client.get("/api/search", query_string={"q": "Quartermaine"}).get_json()
    assert body["narrators"] == []
    signed_in = archivist_client(app).get("/api/search", query_string={"q": "Quartermaine"})
    assert [n["slug"] for n in signed_in.get_json()["narrators"]] == ["zenobia-quartermaine"]
