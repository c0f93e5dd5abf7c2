"""Pages and JSON a reader uses: profiles, testimonies, timeline; errors never a 500."""

from __future__ import annotations

import pytest


def test_home_page_says_what_the_archive_is_and_lists_the_narrators(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Syria Direct" in html
    for name in ("Hisham Skeif", "Asmar al-Halabi", "Muhammad Qadsi", "Omar al-Halabi"):
        assert name in html
    assert 'role="search"' in html


def test_profile_shows_biography_testimony_and_how_to_cite(client):
    html = client.get("/narrators/asmar-al-halabi").get_data(as_text=True)
    assert "director of the last orphanage in east Aleppo" in html
    assert "How to cite" not in html or "Cite as" in html
    assert "Cite as:" in html
    assert "Alaa Nassar and Waleed a-Noufal" in html
    assert "Syria Direct" in html


def test_testimony_page_shows_the_citation_block(client):
    narrator = client.get("/api/narrators/omar-al-halabi").get_json()
    html = client.get(narrator["testimonies"][0]["url"]).get_data(as_text=True)
    assert "How to cite" in html
    assert "Their statements have been edited for length and clarity." in html
    assert "Konrad Adenauer Foundation" in html


def test_testimony_page_lists_the_events_it_speaks_of(client):
    narrator = client.get("/api/narrators/muhammad-qadsi").get_json()
    testimony = client.get(f"/api/testimonies/{narrator['testimonies'][0]['id']}").get_json()
    assert "evacuation-of-east-aleppo" in {e["slug"] for e in testimony["events"]}


def test_narrator_json_has_biography_testimonies_and_dated_events(client):
    body = client.get("/api/narrators/hisham-skeif").get_json()
    assert body["age_at_interview"] == 41
    assert body["testimonies"][0]["title"]
    event = body["events"][0]
    assert set(event) >= {"slug", "date", "title"}
    assert len(event["date"]) == 10


def test_timeline_shows_both_evacuation_figures_with_their_sources(client):
    html = client.get("/timeline").get_data(as_text=True)
    assert "35,000" in html
    assert "25,000" in html or "25 thousand" in html
    body = client.get("/api/events").get_json()
    dates = [e["date"] for e in body["events"]]
    assert dates == sorted(dates)


def test_event_page_cites_its_sources(client):
    body = client.get("/api/events/evacuation-of-east-aleppo").get_json()
    assert body["sources"]
    assert len(body["testimonies"]) == 5
    html = client.get("/events/evacuation-of-east-aleppo").get_data(as_text=True)
    assert "Voices on this event" in html


def test_place_page_lists_its_spellings_and_passages(client):
    body = client.get("/api/places/al-indharat").get_json()
    assert "Enzharat" in body["variants"]
    assert body["passages"][0]["narrator"]["slug"] == "muhammad-qadsi"


def test_json_is_utf8_not_escaped(client):
    response = client.get("/api/narrators/omar-al-halabi")
    assert "عمر" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/narrators/nobody", "/testimonies/999", "/events/nothing", "/places/nowhere", "/no/page"],
)
def test_unknown_address_gets_a_readable_404_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/api/narrators/nobody", "/api/testimonies/999", "/api/events/nothing", "/api/places/x"],
)
def test_unknown_slug_in_the_api_gets_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_a_search_result_opens_its_passage_with_the_readers_words_marked(client):
    import re

    html = client.get("/search?q=Muhammad Qadsi returning").get_data(as_text=True)
    first = re.search(r'<p class="hit-head"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    path, anchor = first.split("#")
    assert path.startswith("/testimonies/") and "q=Muhammad+Qadsi+returning" in path
    page = client.get(path).get_data(as_text=True)
    passage = page[page.index(f'id="{anchor}"') :].split(' id="p-')[0]
    assert "<mark" in passage
    assert "in this testimony" in page  # the count of matches, with a link to the first


def test_the_stylesheet_is_kept_by_browsers_until_it_changes(client):
    import re

    html = client.get("/").get_data(as_text=True)
    address = re.search(r'href="(/static/style\.css\?v=[0-9a-f]{12})"', html).group(1)
    kept = client.get(address)
    assert kept.status_code == 200
    assert "max-age=31536000" in kept.headers["Cache-Control"]
    # an address naming another version is not kept: it may not be what it names
    stale = client.get("/static/style.css?v=000000000000")
    assert "max-age=31536000" not in stale.headers.get("Cache-Control", "")
