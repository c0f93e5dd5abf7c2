""" "Did you mean": from the archive's own words, and never from what the reader may not see."""

from __future__ import annotations

import pytest

from tests.conftest import import_testimony, sign_in


def ask(client, q, **params):
    return client.get("/api/search", query_string={"q": q, **params}).get_json()


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("orphens", "orphans"),
        ("barel bombs", "barrel bombs"),
        ("lawer", "lawyer"),
        ("graves of my freinds", "graves of my friends"),
        # slips in a consonant: a slip in a vowel finds the name through its key instead
        ("Garablus", "Jarablus"),
        ("ORPHENS", "ORPHANS"),
        ("al-Ibdharat", "al-Indharat"),
        ('"barel bombs"', '"barrel bombs"'),
        ("barel narrator:qadsi", "barrel narrator:qadsi"),
    ],
)
def test_a_misspelt_query_suggests_the_archives_word_as_typed(client, typed, suggested):
    assert ask(client, typed)["suggestion"] == suggested


def test_the_suggestion_finds_something(client):
    suggestion = ask(client, "barel bomsb")["suggestion"]
    assert suggestion == "barrel bombs"
    assert ask(client, suggestion)["total"] > 0


@pytest.mark.parametrize(
    "q",
    ["Alhalabi", "bombed", "Enzharat", "Mohamed", "الحلبي", "Hananu", "Sheikh Said", "lawyer"],
)
def test_a_word_the_archive_knows_in_some_form_gets_no_suggestion(client, q):
    assert ask(client, q)["suggestion"] is None


def test_no_suggestion_when_nothing_near_would_find_anything(client):
    assert ask(client, "Sheikh Zzyzx")["suggestion"] is None


def test_the_suggestion_is_a_link_on_the_search_page(client):
    page = client.get("/search?q=orphens").get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=orphans" dir="auto">orphans</a>?' in page


def test_a_suggestion_link_keeps_the_chosen_filters(client):
    page = client.get("/search?q=barel&narrator=muhammad-qadsi").get_data(as_text=True)
    assert 'href="/search?q=barrel&amp;narrator=muhammad-qadsi"' in page


# --- restricted testimony never shows through a suggestion ----------------------------------

SECRET = "The quartermaster hid the ledger under the orphanz bakery."


@pytest.fixture
def restricted(app, client, tmp_path):
    """A restricted testimony whose words are nowhere else in the archive."""
    before = {q: _visible(ask(client, q)) for q in QUERIES}
    narrator = import_testimony(app, tmp_path, "secret", SECRET, access="restricted")
    return narrator, before


QUERIES = ["quartermaster", "quartermastr", "ledgr", "orphanz", "bakery OR orphans", "Aleppo"]


def _visible(body):
    """What an anonymous reader sees of a response, less scores (statistics of the index)."""
    hits = [(h["narrator"]["slug"], h["passage"]["anchor"], h["snippet"]) for h in body["hits"]]
    return body["total"], hits, body["facets"], body["suggestion"]


@pytest.mark.parametrize("q", QUERIES)
def test_a_restricted_testimony_changes_nothing_an_anonymous_reader_sees(client, restricted, q):
    _narrator, before = restricted
    assert _visible(ask(client, q)) == before[q]


def test_a_word_only_in_restricted_text_is_never_suggested_to_an_anonymous_reader(
    client, restricted
):
    assert ask(client, "quartermastr")["suggestion"] is None
    assert ask(client, "quartermaster")["total"] == 0


def test_a_word_only_in_restricted_text_does_not_stop_a_public_suggestion(client, restricted):
    # "orphanz" is in the restricted text; for an anonymous reader it is unknown like any
    # misspelling, and the public word near it is offered
    assert ask(client, "orphanz")["suggestion"] == "orphans"


def test_an_archivist_gets_suggestions_from_restricted_text(app, client, restricted):
    narrator, _before = restricted
    sign_in(app, client)
    assert ask(client, "quartermastr")["suggestion"] == "quartermaster"
    body = ask(client, "quartermaster")
    assert [h["narrator"]["slug"] for h in body["hits"]] == [narrator]
    assert ask(client, "orphanz")["suggestion"] is None
