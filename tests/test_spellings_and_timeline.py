"""Spellings nobody listed, the timeline beside the passages, marks, and search in a testimony."""

from __future__ import annotations

import re

import pytest

from oralhistory.search.transliteration import name_key
from tests.conftest import TESTIMONY, import_testimony, run_cli, sign_in
from tests.helpers import hit_names

QASIM = ["muhammad-haj-qasim#p-1", "muhammad-haj-qasim#p-2", "muhammad-haj-qasim#p-3"]


def ask(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, "per_page": 100, **params})
    return response.get_json()


# --- the key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["qasim", "kassem", "qassem", "kasim", "قاسم"],
        ["ramousah", "ramouseh", "ramosa", "راموسه"],
        ["haydariyah", "haidariya", "haidariyyah", "حيدريه"],
        ["indharat", "inzarat", "enzharat", "intharat", "انذارات"],
        ["skeif", "skeef", "sqeif", "سكيف"],
        ["sa'id", "saʿid", "saeed", "سعيد"],
    ],
)
def test_spellings_of_one_name_share_one_key(spellings):
    assert len({name_key(spelling) for spelling in spellings}) == 1


def test_different_names_keep_different_keys():
    assert len({name_key(n) for n in ["qasim", "qadsi", "hisham", "halabi", "hanano"]}) == 5
    # the family name is not the city, and the district is not Omar
    assert name_key("halabi") != name_key("haleb") == name_key("حلب")
    assert name_key("omar") != name_key("amiriyah") == name_key("عامريه")


def test_a_city_is_not_read_as_a_family_name_made_from_it(client):
    assert ask(client, "Haleb")["total"] == ask(client, "Aleppo")["total"]


# --- what a key finds ------------------------------------------------------------------------


def test_an_unlisted_spelling_finds_the_narrator_and_says_what_it_was_read_as(client):
    body = ask(client, "Kassem")
    assert hit_names(body) == QASIM
    assert {hit["read_as"] for hit in body["hits"]} == {"Qasim"}
    page = client.get("/search?q=Kassem").get_data(as_text=True)
    assert "Read as a spelling of Qasim." in page


def test_arabic_script_meets_a_name_stored_only_in_latin_letters(client):
    # The archive stores no Arabic form of the charity; the key of its Arabic spelling meets
    # the key of the Latin one.
    body = ask(client, "تكافل")
    assert {h["narrator"]["slug"] for h in body["hits"]} == {"muhammad-qadsi"}


def test_an_unlisted_spelling_in_the_text_is_marked_in_the_snippet(client):
    body = ask(client, "Jerablus")
    first = body["hits"][0]
    assert first["passage"]["anchor"] == "p-1"
    assert "<mark>Jarablus</mark>" in first["snippet"]
    assert first["read_as"] == "Jarablus"


def test_the_exact_spelling_ranks_above_a_key_match(app, client, tmp_path):
    exact = import_testimony(app, tmp_path, "exact", "We waited for Kassem at the bridge.")
    keyed = import_testimony(app, tmp_path, "keyed", "We waited for Qasem at the bridge.")
    body = ask(client, "Kassem")
    found = hit_names(body)
    assert found.index(f"{exact}#p-1") < found.index(f"{keyed}#p-1")
    by_passage = {f"{h['narrator']['slug']}#{h['passage']['anchor']}": h for h in body["hits"]}
    assert by_passage[f"{exact}#p-1"]["read_as"] is None
    assert by_passage[f"{keyed}#p-1"]["read_as"] == "Qasem"


# Totals measured on the search before the key existed (main at 18ebb29): words of the
# collection, and English words whose key is that of a name in it (chasm ~ Qasim, smear ~
# Asmar, skiff ~ Skeif, cusp ~ Qadsi's k-s, hush ~ Hisham's h-s).
COMMON_WORD_TOTALS = {
    "bombs": 6,
    "city": 18,
    "home": 5,
    "return": 6,
    "revolution": 5,
    "regime": 4,
    "left": 6,
    "memories": 3,
    "orphans": 4,
    "work": 14,
    "people": 3,
    "year": 10,
    "friends": 4,
    "media": 4,
    "house": 5,
    "turkey": 7,
    "office": 9,
    "head": 5,
    "sham": 5,
    "said": 0,
    "smear": 0,
    "chasm": 0,
    "skiff": 0,
    "cusp": 0,
    "hush": 0,
    "shame": 0,
    "comes": 1,
    "kids": 1,
    "coda": 0,
    "hall": 0,
}


@pytest.mark.parametrize(("word", "total"), COMMON_WORD_TOTALS.items())
def test_the_totals_of_common_english_words_do_not_change(client, word, total):
    body = ask(client, word)
    assert body["total"] == total
    assert all(hit["read_as"] is None for hit in body["hits"])


def test_leaving_out_an_unlisted_spelling_leaves_out_every_spelling_it_matches(client):
    found = hit_names(ask(client, "Aleppo -Kassem"))
    assert found and not set(found) & set(QASIM)


def test_a_key_does_not_widen_a_phrase(client):
    # The key of "western Aleppo" would be Aleppo's alone.
    found = hit_names(ask(client, '"western Aleppo"'))
    assert found and "asmar-al-halabi#p-2" not in found


def test_a_key_does_not_widen_a_filter(client):
    body = ask(client, "Aleppo narrator:Kassem")
    assert body["total"] == 0


def test_a_query_of_common_words_only_keeps_the_friendly_message(client):
    response = client.get("/api/search", query_string={"q": "the of"})
    assert response.status_code == 400
    assert "very common words" in response.get_json()["error"]


def test_a_key_match_never_shows_restricted_text_to_a_reader(app, client, tmp_path):
    narrator = import_testimony(
        app, tmp_path, "hidden", "The ledger was kept by Zubayr Qawwas.", access="restricted"
    )
    body = ask(client, "Zobeir Kawas")
    assert (body["total"], body["hits"], body["facets"]["narrator"]) == (0, [], [])
    assert body["suggestion"] is None
    assert "Qawwas" not in client.get("/search?q=Zobeir+Kawas").get_data(as_text=True)
    sign_in(app, client)
    assert hit_names(ask(client, "Zobeir Kawas")) == [f"{narrator}#p-1"]


# --- suggestions from everything a reader may see --------------------------------------------


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("oposition", "opposition"), ("educaton", "education"), ("charaty", "charity")],
)
def test_a_misspelt_word_of_a_biography_or_role_gets_a_suggestion(client, typed, suggested):
    body = ask(client, typed)
    assert body["suggestion"] == suggested
    assert ask(client, suggested)["total"] > 0


def test_a_restricted_narrators_biography_suggests_nothing_to_a_reader(app, client, tmp_path):
    body = TESTIMONY.format(slug="secret", text="We spoke at night.")
    body = body.replace("access: public", "access: restricted")
    body = body.replace(
        "  name: Test Narrator\n", "  name: Test Narrator\n  biography: A xylographer.\n"
    )
    path = tmp_path / "secret.md"
    path.write_text(body, encoding="utf-8")
    assert run_cli(app, "import", str(path)).exit_code == 0
    assert ask(client, "xylografer")["suggestion"] is None
    sign_in(app, client)
    assert ask(client, "xylografer")["suggestion"] == "xylographer"


# --- the timeline in the results -------------------------------------------------------------


def test_a_place_no_passage_names_is_found_on_the_timeline(client):
    body = ask(client, "Sheikh Saeed")
    assert body["total"] == 0
    assert [e["slug"] for e in body["events"]] == ["sheikh-saeed-and-other-districts-fall"]
    assert body["events"][0]["url"] == "/events/sheikh-saeed-and-other-districts-fall"
    assert body["events"][0]["date"] == "2016-12-08"
    assert [p["slug"] for p in body["places"]] == ["sheikh-saeed"]
    page = client.get("/search?q=Sheikh+Saeed").get_data(as_text=True)
    assert "No passage matches “Sheikh Saeed”, but the timeline has these:" in page
    assert 'href="/places/sheikh-saeed"' in page


def test_an_unlisted_spelling_finds_the_place_and_says_what_it_was_read_as(client):
    body = ask(client, "Ramosa")
    assert [(p["slug"], p["read_as"]) for p in body["places"]] == [("ramousah", "Ramousah")]


def test_a_misspelt_word_is_not_read_as_a_name_on_the_timeline(client):
    # "oposition" has the key of Bustan (b-s-t-n); the reader meant "opposition".
    body = ask(client, "oposition")
    assert body["suggestion"] == "opposition"
    assert all(entry["read_as"] is None for entry in body["events"] + body["places"])
    assert "bustan-al-basha" not in [place["slug"] for place in body["places"]]


def test_the_contract_keys_of_the_search_answer_are_kept(client):
    body = ask(client, "Aleppo")
    assert {"query", "total", "page", "per_page", "hits", "facets", "suggestion"} <= set(body)
    assert {"narrator", "testimony", "passage", "snippet", "score"} <= set(body["hits"][0])
    assert "events" in body and "places" in body


def test_the_timeline_stands_above_few_passages_and_beside_many(client):
    few = client.get("/search?q=Haidariya").get_data(as_text=True)
    assert few.index("On the timeline") < few.index('class="results-layout"')
    many = client.get("/search?q=Aleppo").get_data(as_text=True)
    assert many.index('class="results-layout"') < many.index("On the timeline")


def test_a_word_left_out_keeps_its_events_out_of_the_timeline(client):
    places = [p["slug"] for p in ask(client, "Ramousah -Ramousah")["places"]]
    assert places == []


# --- marks -----------------------------------------------------------------------------------


def test_adjacent_matched_words_are_one_mark(client):
    snippet = ask(client, "barrel bombs")["hits"][0]["snippet"]
    assert "<mark>barrel bombs</mark>" in snippet


def test_a_phrase_is_one_mark_with_its_small_words(client):
    snippet = ask(client, '"hope of returning"')["hits"][0]["snippet"]
    assert snippet == "We live on the <mark>hope of returning</mark>."


# --- search within a testimony ---------------------------------------------------------------


def qadsi_page(client, q: str):
    testimony = ask(client, "narrator:muhammad-qadsi")["hits"][0]["testimony"]["url"]
    return client.get(testimony, query_string={"q": q})


def test_q_on_a_testimony_page_marks_its_matches_with_next_and_previous(client):
    response = qadsi_page(client, "Aleppo")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    marks = re.findall(r'<mark id="(match-\d+)">Aleppo</mark>', page)
    assert marks == ["match-1", "match-2", "match-3"]
    assert "3 matches for “Aleppo” in this testimony" in page
    assert '<a href="#match-2">next match</a>' in page
    assert '<a href="#match-2">previous match</a>' in page
    # no JavaScript needed: the match links are plain links; the page's scripts are JSON-LD
    # metadata, which runs nothing, and enhancements from static/ (Copy), never inline code
    scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", page)
    assert all(re.fullmatch(r'<script src="/static/[\w.-]+\.js\?v=\w+" defer>', s) for s in scripts)


def test_q_on_a_testimony_page_marks_a_phrase_as_one(client):
    page = qadsi_page(client, '"barrel bombs"').get_data(as_text=True)
    assert re.search(r'<mark id="match-\d">barrel bombs</mark>', page)


def test_a_bad_q_on_a_testimony_page_says_what_is_wrong_and_shows_the_testimony(client):
    response = qadsi_page(client, '"barrel')
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "opening quotation mark" in page
    assert "al-Indharat" in page


def test_no_match_in_the_testimony_is_said_plainly(client):
    page = qadsi_page(client, "orphans").get_data(as_text=True)
    assert "No match for “orphans” in this testimony" in page
    assert "<mark" not in page


def test_an_arabic_reader_gets_the_timeline_and_the_matches_in_arabic(client):
    client.set_cookie("lang", "ar")
    page = client.get("/search?q=Sheikh+Saeed").get_data(as_text=True)
    assert "على الخط الزمني" in page
    testimony = qadsi_page(client, "Aleppo").get_data(as_text=True)
    assert "3 مواضع مطابقة لـ «Aleppo» في هذه الشهادة" in testimony
