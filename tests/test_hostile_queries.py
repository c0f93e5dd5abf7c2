"""Queries and numbers an attacker or a careless reader sends: a 400 that says what is wrong,
never a 500, and never a way to search the index's own fields."""

from __future__ import annotations

import pytest

from tests.archive_helpers import archivist_client, form_for_testimony, submit


def api(client, **params):
    return client.get("/api/search", query_string=params)


@pytest.mark.parametrize("q", ["a-year:2017", "a^narrator:x", "x%narrator:y", "\u00b7year:x"])
def test_a_field_name_inside_a_word_is_read_as_words_not_a_crash(client, q):
    response = api(client, q=q)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["query"] == q


def test_the_index_access_field_cannot_be_searched_by_a_reader(client):
    everything = api(client, q="-zzzzqqq").get_json()["total"]
    found = api(client, q="a-access:public").get_json()
    # before: every public passage, as if `access:public` were asked for
    assert found["total"] < everything
    assert found["total"] == 0


def test_the_index_text_field_cannot_be_searched_by_a_reader(client):
    assert api(client, q="orphans").get_json()["total"] > 0
    assert api(client, q="a-text:orphans").get_json()["total"] == 0


def test_a_control_character_in_a_query_is_refused_by_name(client):
    response = api(client, q="orphans\x01year:0")
    assert response.status_code == 400
    assert "control character (U+0001)" in response.get_json()["error"]


@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "9" * 5000, "-1", "1.5", "1e3"])
def test_a_page_number_that_is_not_plain_digits_gets_a_400_naming_it(client, name, value):
    response = api(client, q="orphans", **{name: value})
    assert response.status_code == 400
    assert f"'{name}' must be a whole number" in response.get_json()["error"]
    page = client.get("/search", query_string={"q": "orphans", name: value})
    assert page.status_code == 400
    assert "must be a whole number" in page.get_data(as_text=True)


def test_a_revision_number_that_is_not_plain_digits_gets_a_400(app):
    client = archivist_client(app)
    testimony = client.get("/api/archive/testimonies").get_json()[0]["id"]
    for value in ("\u00b2", "9" * 5000):
        response = client.get(f"/api/archive/testimonies/{testimony}/history?older={value}")
        assert response.status_code == 400
        assert "must be a whole number" in response.get_json()["error"]


def test_a_link_to_passage_superscript_two_is_refused_not_a_crash(app):
    client = archivist_client(app)
    testimony = client.get("/api/archive/testimonies").get_json()[0]["id"]
    path = f"/archive/testimonies/{testimony}/links"
    response = submit(
        client,
        path,
        {"passage": "p-\u00b2", "target": "place:aleppo"},
        form_page=f"/testimonies/{testimony}",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "must name a passage of this testimony" in response.get_data(as_text=True)


def test_an_age_written_as_superscript_two_is_refused_by_the_form(app):
    client = archivist_client(app)
    response = submit(client, "/archive/testimonies/new", form_for_testimony(narrator_age="\u00b2"))
    assert response.status_code == 400
    assert "Age at the interview" in response.get_data(as_text=True)


# 2**31 is past PostgreSQL's `integer`, 2**63 past SQLite's: both used to give a 500.
@pytest.mark.parametrize("number", [2**31, 1645779533108765, 2**63, 10**30])
@pytest.mark.parametrize(
    "path",
    [
        "/testimonies/{n}",
        "/api/testimonies/{n}",
        "/testimonies/{n}/passages/p-1",
        "/api/testimonies/{n}/passages/p-1",
        "/testimonies/1/revisions/{n}",
        "/testimonies/{n}/export.json",
    ],
)
def test_a_record_number_too_large_for_the_database_is_not_found_not_a_crash(client, path, number):
    response = client.get(path.format(n=number))
    assert response.status_code == 404, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000])
def test_a_review_queue_number_that_is_not_plain_digits_gets_a_400(app, value):
    client = archivist_client(app)
    response = client.get("/api/archive/links", query_string={"testimony": value})
    assert response.status_code == 400
    assert "'testimony' must be a whole number" in response.get_json()["error"]


SEARCH_ADDRESSES = ["/search", "/api/search", "/search.csv", "/testimonies/1"]


@pytest.mark.parametrize("address", SEARCH_ADDRESSES)
@pytest.mark.parametrize(
    "q", ["NOT -Idlib", "NOT NOT Idlib", 'NOT -"barrel bombs"', "bread OR NOT -Idlib", "-NOT x"]
)
def test_leaving_out_twice_in_a_row_is_refused_saying_why_not_a_crash(client, address, q):
    response = client.get(address, query_string={"q": q})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "leave out" in response.get_data(as_text=True)


def test_leaving_out_twice_in_a_row_is_explained_in_arabic(client):
    client.set_cookie("lang", "ar")
    page = client.get("/search", query_string={"q": "NOT -Idlib"}).get_data(as_text=True)
    assert "مرتين" in page
