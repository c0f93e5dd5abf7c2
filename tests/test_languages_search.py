"""Search finds a passage in any language its testimony is held in, with the same analysis,
and says which language matched; restricted testimony stays hidden in every language."""

from __future__ import annotations

from tests.language_fixtures import ARABIC, ENGLISH, import_pair


def _hits(client, q: str) -> list[dict]:
    return client.get("/api/search", query_string={"q": q}).get_json()["hits"]


def test_a_passage_is_found_by_its_arabic_words_and_the_hit_says_arabic(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    hits = [h for h in _hits(client, "الإبريق") if h["testimony"]["id"] == testimony_id]
    assert [(h["passage"]["anchor"], h["language"]) for h in hits] == [("p-2", "ar")]
    assert "<mark>الإبريق</mark>" in hits[0]["snippet"]
    # the same passage found by its English words says English and shows the English
    hits = [h for h in _hits(client, "kettle") if h["testimony"]["id"] == testimony_id]
    assert [(h["passage"]["anchor"], h["language"]) for h in hits] == [("p-2", "en")]
    assert "<mark>kettle</mark>" in hits[0]["snippet"]


def test_arabic_words_are_found_whatever_their_hamza_and_the_page_marks_the_snippet_arabic(
    app, tmp_path
):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    # written without its hamza, as many type it
    hits = [h for h in _hits(client, "الابريق") if h["testimony"]["id"] == testimony_id]
    assert [h["language"] for h in hits] == ["ar"]
    page = client.get("/search", query_string={"q": "الابريق"}).get_data(as_text=True)
    assert '<p class="snippet" lang="ar" dir="rtl">' in page
    assert "Found in its text in Arabic." in page


def test_a_misspelt_arabic_word_is_suggested_from_the_arabic_text(app, tmp_path):
    import_pair(app, tmp_path)
    found = app.test_client().get("/api/search", query_string={"q": "الليمزن"}).get_json()
    assert found["total"] == 0
    assert found["suggestion"] == "الليمون"


def test_a_restricted_testimonys_translation_is_found_by_archivists_only(app, tmp_path):
    from tests.conftest import sign_in

    import_pair(app, tmp_path, access="restricted")
    reader = app.test_client()
    assert _hits(reader, "الإبريق") == []
    assert reader.get("/api/search", query_string={"q": "الليمزن"}).get_json()["suggestion"] is None
    archivist = app.test_client()
    sign_in(app, archivist)
    assert [h["language"] for h in _hits(archivist, "الإبريق")] == ["ar"]


def test_english_and_arabic_of_one_passage_are_one_hit(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    hits = [
        h
        for h in _hits(app.test_client(), "kettle OR الإبريق")
        if h["testimony"]["id"] == testimony_id
    ]
    assert len(hits) == 1 and hits[0]["language"] == "en"
    assert ENGLISH and ARABIC
