"""The query language readers type: words, phrases, OR, exclusion, filters, and broken input."""

from __future__ import annotations

import pytest

from tests.conftest import import_testimony, sign_in
from tests.helpers import hits, search


def narrators(client, q="", **params):
    return {hit.split("#")[0] for hit in hits(client, q, **params)}


# --- words, phrases, OR, exclusion -----------------------------------------------------------


def test_all_words_must_appear(client):
    assert hits(client, "barrel house") == ["muhammad-qadsi#p-2"]


def test_an_exact_phrase_needs_the_words_together(client):
    assert hits(client, '"hope of returning"') == ["asmar-al-halabi#p-4"]
    assert hits(client, '"returning hope"') == []


def test_curly_quotation_marks_make_a_phrase_too(client):
    assert hits(client, "“hope of returning”") == ["asmar-al-halabi#p-4"]


def test_or_finds_either_word(client):
    found = hits(client, "orphans OR journalist")
    assert "asmar-al-halabi#p-1" in found and "omar-al-halabi#p-3" in found


def test_minus_and_not_leave_a_word_out(client):
    assert "muhammad-qadsi#p-2" in hits(client, "bombing")
    for q in ("bombing -barrel", "bombing NOT barrel"):
        found = hits(client, q)
        assert "muhammad-qadsi#p-2" not in found
        assert "asmar-al-halabi#p-1" in found


def test_a_phrase_can_be_left_out(client):
    assert "muhammad-qadsi#p-2" not in hits(client, 'bombs -"barrel bombs"')


def test_brackets_group_alternatives(client):
    assert hits(client, "(orphans OR children) Jarablus")[0] == "asmar-al-halabi#p-1"
    found = hits(client, "(orphans OR journalist) western")
    assert found[0] == "omar-al-halabi#p-3"
    assert "asmar-al-halabi#p-1" not in found


def test_a_hyphen_inside_a_word_is_not_an_exclusion(client):
    assert "hisham-skeif#p-3" in hits(client, "win-or-lose")


def test_question_marks_and_stars_are_not_wildcards(client):
    assert hits(client, "lawyer?")[0] == "muhammad-qadsi#p-1"
    assert hits(client, "[lawyer]")[0] == "muhammad-qadsi#p-1"


def test_only_excluding_finds_everything_else(client):
    found = hits(client, "-revolution")
    assert found and not {"hisham-skeif#p-3", "muhammad-qadsi#p-4"} & set(found)


# --- filters -----------------------------------------------------------------------------------


def test_narrator_filter_takes_a_slug(client):
    assert narrators(client, "Aleppo narrator:hisham-skeif") == {"hisham-skeif"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("halabi", {"asmar-al-halabi", "omar-al-halabi"}),
        ("el-Halabi", {"asmar-al-halabi", "omar-al-halabi"}),
        ("الحلبي", {"asmar-al-halabi", "omar-al-halabi"}),
        ('"Umar al-Halabi"', {"omar-al-halabi"}),
        ("Mohammed", {"muhammad-qadsi", "muhammad-haj-qasim"}),
        ("Qudsi", {"muhammad-qadsi"}),
    ],
)
def test_narrator_filter_takes_a_name_in_any_spelling(client, value, expected):
    assert narrators(client, f"narrator:{value}") == expected


def test_narrator_parameter_takes_a_name_too(client):
    assert narrators(client, "Aleppo", narrator="Halabi") == {"asmar-al-halabi", "omar-al-halabi"}


@pytest.mark.parametrize("value", ["al-indharat", "Enzharat", "Inzarat", "الإنذارات", "indharat"])
def test_place_filter_takes_a_slug_or_any_name_of_the_place(client, value):
    assert hits(client, f"place:{value}") == ["muhammad-qadsi#p-2"]
    assert hits(client, "", place=value) == ["muhammad-qadsi#p-2"]


def test_place_filter_means_that_place_and_not_places_inside_it(client):
    # "western Aleppo" is west-aleppo, not aleppo; a passage naming only it is not in Aleppo
    assert "hisham-skeif#p-2" in hits(client, "place:west-aleppo")
    assert "muhammad-qadsi#p-4" not in hits(client, "place:aleppo")


def test_place_filter_with_a_quoted_name_of_several_words(client):
    assert set(hits(client, 'place:"western Aleppo"')) == set(hits(client, "place:west-aleppo"))


def test_year_filter(client):
    assert len(hits(client, "regime year:2017")) == 4
    assert hits(client, "regime year:2016") == []


def test_event_filter_takes_a_slug_or_words_of_its_title(client):
    by_slug = hits(client, "event:haydariyah-indharat-sakhour-fall")
    assert {h.split("#")[0] for h in by_slug} == {"muhammad-qadsi"}
    assert set(hits(client, "event:Haydariyah")) == set(by_slug)
    assert narrators(client, "event:evacuation") == narrators(client, "Aleppo")


def test_an_unknown_narrator_or_place_finds_nothing_rather_than_everything(client):
    assert search(client, "narrator:nobody").get_json()["total"] == 0
    assert search(client, "Aleppo place:Atlantis").get_json()["total"] == 0


def test_filters_combine_with_each_other_and_with_words(client):
    assert hits(client, "bombs narrator:qadsi place:Enzharat year:2017") == ["muhammad-qadsi#p-2"]
    assert hits(client, "bombs", narrator="muhammad-qadsi", place="al-indharat") == [
        "muhammad-qadsi#p-2"
    ]
    assert hits(
        client,
        "house",
        narrator="muhammad-qadsi",
        place="al-indharat",
        event="haydariyah-indharat-sakhour-fall",
    ) == ["muhammad-qadsi#p-2"]
    assert hits(client, "bombs", narrator="hisham-skeif", place="al-indharat") == []


def test_a_filter_can_be_one_side_of_an_or(client):
    found = narrators(client, "narrator:hisham-skeif OR lawyer")
    assert found == {"hisham-skeif", "muhammad-qadsi"}


def test_a_filter_can_be_excluded(client):
    assert "asmar-al-halabi" not in narrators(client, "Aleppo -narrator:asmar-al-halabi")


def test_filter_names_may_be_capitalised(client):
    assert narrators(client, "Narrator:hisham-skeif") == {"hisham-skeif"}


def test_a_filter_alone_does_not_say_the_passage_matched_by_name(client):
    body = search(client, "narrator:hisham-skeif").get_json()
    assert all(hit["matched_in"] == [] for hit in body["hits"])
    page = client.get("/search?q=narrator:hisham-skeif").get_data(as_text=True)
    assert "not in this passage" not in page


# --- facets --------------------------------------------------------------------------------------


def test_facets_count_by_narrator_place_and_event(client):
    body = search(client, "bombs").get_json()
    facets = {
        name: {f["slug"]: f["count"] for f in body["facets"][name]} for name in body["facets"]
    }
    assert sum(facets["narrator"].values()) == body["total"]
    assert facets["place"]["al-indharat"] == 1
    assert facets["event"]["haydariyah-indharat-sakhour-fall"] == 1
    narrowed = search(client, "bombs", place="al-indharat").get_json()
    assert narrowed["total"] == facets["place"]["al-indharat"]


@pytest.mark.parametrize("facet", ["narrator", "place", "event"])
def test_choosing_a_facet_finds_as_many_passages_as_it_counted(client, facet):
    body = search(client, "Aleppo").get_json()
    assert body["facets"][facet]
    for entry in body["facets"][facet]:
        narrowed = search(client, "Aleppo", **{facet: entry["slug"]}).get_json()
        assert narrowed["total"] == entry["count"], entry["slug"]


def test_a_restricted_narrators_slug_or_name_changes_nothing_for_a_reader(app, client, tmp_path):
    queries = ["narrator:omar-halabi", "Aleppo narrator:test", "narrator:test-narrator"]
    before = [search(client, q).get_json()["total"] for q in queries]
    assert before[0] == 3  # "omar-halabi" read as a name: Omar al-Halabi
    import_testimony(
        app, tmp_path, "secret", "Aleppo, again.", access="restricted", narrator="omar-halabi"
    )
    assert [search(client, q).get_json()["total"] for q in queries] == before
    sign_in(app, client)
    assert search(client, "narrator:omar-halabi").get_json()["total"] == 1


def test_a_chosen_facet_still_shows_its_alternatives(client):
    body = search(client, "bombs", narrator="muhammad-qadsi").get_json()
    assert len(body["facets"]["narrator"]) > 1
    assert {f["slug"] for f in body["facets"]["place"]} == {"aleppo", "al-indharat"}


def test_facet_counts_leave_out_what_the_reader_may_not_see(app, client, tmp_path):
    secret = import_testimony(
        app, tmp_path, "hidden", "Barrel bombs fell on al-Indharat.", access="restricted"
    )
    body = search(client, "bombs").get_json()
    assert secret not in {f["slug"] for f in body["facets"]["narrator"]}
    places = {f["slug"]: f["count"] for f in body["facets"]["place"]}
    assert places["al-indharat"] == 1
    sign_in(app, client)
    body = search(client, "bombs").get_json()
    assert secret in {f["slug"] for f in body["facets"]["narrator"]}
    assert {f["slug"]: f["count"] for f in body["facets"]["place"]}["al-indharat"] == 2


# --- broken input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "says"),
    [
        ("Aleppo OR", "'OR' needs a word or phrase on each side"),
        ("OR Aleppo", "'OR' needs a word or phrase on each side"),
        ("Aleppo AND", "'AND' needs a word or phrase on each side"),
        ("Aleppo OR OR Idlib", "'OR' needs a word or phrase on each side"),
        ("(Aleppo OR) Idlib", "'OR' needs a word or phrase on each side"),
        ("Aleppo NOT", "'NOT' or '-' needs the word or phrase to leave out"),
        ("Aleppo -", "a minus sign leaves out the word written right after it"),
        ("foo:bar", "'foo:' is not a filter this search knows"),
        ("http://example.org", "'http:' is not a filter"),
        ("narrator:", "narrator: needs a value"),
        ('place:""', "place: needs a value"),
        ("year:last", "year: takes a year of four digits"),
        ('Aleppo ""', "the quotation marks hold no words"),
        ("Aleppo ()", "the brackets '()' hold nothing"),
        ("the of", "no word that can be searched for"),
        ('"hope of', "quotation mark"),
        ("(orphans", "bracket '(' that is never closed"),
        ("orphans)", "bracket ')' that was never opened"),
        ("x" * 501, "the limit is 500"),
    ],
)
def test_a_malformed_query_gets_a_400_that_says_what_is_wrong(client, q, says):
    response = search(client, q)
    assert response.status_code == 400
    assert says in response.get_json()["error"]


@pytest.mark.parametrize("q", ["Aleppo OR", "foo:bar", "year:last", "the"])
def test_a_malformed_query_gets_a_friendly_page_with_the_help(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This search cannot be run" in page
    assert "How to search" in page
    assert 'value="' + q.replace('"', "&#34;") in page


def test_a_word_followed_by_a_colon_is_just_a_word(client):
    assert hits(client, "lawyer: Aleppo")[0] == "muhammad-qadsi#p-1"
