"""Pages that stay right as the archive grows: counts made by the database, long lists and
long testimonies read a page at a time, and every passage's anchor still reachable.

Correctness only; `python -m benchmarks.pages` measures the speed.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from oralhistory.record.access import Viewer, visible
from oralhistory.record.models import ContextLink, Event, Passage, Testimony, TestimonyEvent
from oralhistory.services import timeline_pages
from oralhistory.web import db
from tests.conftest import import_testimony, sign_in

LONG = 450  # passages: four pages of 100, and one of 50
FALL = "haydariyah-indharat-sakhour-fall"


def long_text(count: int = LONG) -> str:
    paragraphs = []
    for n in range(1, count + 1):
        words = f"Paragraph {n} of the long account, told slowly."
        if n % 7 == 0:
            words += " The barrel bombs fell on al-Indharat that night."
        if n in (3, 250, 420):
            words += " The zqlantern was still lit."
        paragraphs.append(words)
    return "\n\n".join(paragraphs)


@pytest.fixture
def long_id(app, tmp_path) -> int:
    import_testimony(app, tmp_path, "long-account", long_text(), narrator="long-narrator")
    with app.app_context():
        return db.session().scalar(select(Testimony.id).where(Testimony.slug == "long-account"))


def section_anchors(html: str) -> list[str]:
    return re.findall(r'<section class="passage" id="(p-\d+)"', html)


def test_a_long_testimony_shows_every_passage_once_across_its_pages(client, long_id):
    first = client.get(f"/testimonies/{long_id}").get_data(as_text=True)
    pages = [first] + [
        client.get(f"/testimonies/{long_id}?page={n}").get_data(as_text=True) for n in (2, 3, 4, 5)
    ]
    shown = [anchor for html in pages for anchor in section_anchors(html)]
    assert [len(section_anchors(html)) for html in pages] == [100, 100, 100, 100, 50]
    assert sorted(shown) == sorted(f"p-{n}" for n in range(1, LONG + 1))
    assert "Page 1 of 5" in first and f'href="/testimonies/{long_id}?page=2"' in first
    assert client.get(f"/testimonies/{long_id}?page=6").status_code == 404
    assert client.get(f"/testimonies/{long_id}?page=two").status_code == 400
    assert client.get(f"/testimonies/{long_id}?page=0").status_code == 400


def test_every_anchor_of_a_long_testimony_is_reachable_from_its_first_page(client, long_id):
    first = client.get(f"/testimonies/{long_id}").get_data(as_text=True)
    for n in range(1, LONG + 1):
        assert first.count(f'id="p-{n}"') == 1, n  # a passage, or its entry on another page
    entry = re.search(r'<a id="p-350" href="([^"]+)"', first)
    assert entry.group(1) == f"/testimonies/{long_id}?page=4#p-350"
    page, _, anchor = entry.group(1).partition("#")
    assert f'<section class="passage" id="{anchor}"' in client.get(page).get_data(as_text=True)
    permanent = client.get(f"/testimonies/{long_id}/passages/p-350").get_data(as_text=True)
    assert f'href="/testimonies/{long_id}?page=4#p-350"' in permanent


def test_a_passage_in_a_long_testimony_is_linked_to_the_page_that_shows_it(client, long_id):
    hits = client.get("/api/search?q=zqlantern").get_json()["hits"]
    urls = {hit["passage"]["anchor"]: hit["passage"]["url"] for hit in hits}
    assert urls == {
        "p-3": f"/testimonies/{long_id}#p-3",
        "p-250": f"/testimonies/{long_id}?page=3#p-250",
        "p-420": f"/testimonies/{long_id}?page=5#p-420",
    }
    voices = client.get("/api/places/al-indharat?page=1").get_json()
    mine = [p for p in voices["passages"] if p["testimony_id"] == long_id]
    for passage in mine:
        number = int(passage["anchor"][2:])
        expected = "" if number <= 100 else f"?page={(number - 1) // 100 + 1}"
        assert passage["url"] == f"/testimonies/{long_id}{expected}#{passage['anchor']}"


def test_finding_words_in_a_long_testimony_counts_and_links_matches_on_every_page(client, long_id):
    html = client.get(f"/testimonies/{long_id}?q=zqlantern").get_data(as_text=True)
    assert "3 matches for “zqlantern” in this testimony" in html
    assert html.count('id="match-') == 1  # only page 1's match is on page 1
    assert f"/testimonies/{long_id}?q=zqlantern&amp;page=3#match-2" in html
    third = client.get(f"/testimonies/{long_id}?q=zqlantern&page=5").get_data(as_text=True)
    assert 'id="match-3"' in third
    assert f"/testimonies/{long_id}?q=zqlantern&amp;page=3#match-2" in third


def test_a_long_testimony_as_json_and_as_text_holds_every_passage_in_order(client, long_id):
    whole = client.get(f"/testimonies/{long_id}/export.json").get_json()
    assert [p["anchor"] for p in whole["passages"]] == [f"p-{n}" for n in range(1, LONG + 1)]
    assert whole["passage_count"] == LONG and whole["events"]
    first = client.get(f"/api/testimonies/{long_id}").get_json()
    assert (first["page"], first["pages"], len(first["passages"])) == (1, 5, 100)
    assert (whole["page"], whole["pages"], whole["per_page"]) == (1, 1, LONG)
    assert {**first, "pages": 1, "per_page": LONG} == {**whole, "passages": whole["passages"][:100]}
    second = client.get(f"/api/testimonies/{long_id}?page=2").get_json()
    assert (second["page"], second["pages"], second["per_page"]) == (2, 5, 100)
    assert [p["anchor"] for p in second["passages"]] == [f"p-{n}" for n in range(101, 201)]
    assert second["passages"] == whole["passages"][100:200]
    text = client.get(f"/testimonies/{long_id}/export.txt").get_data(as_text=True)
    anchors = re.findall(r"^(p-\d+) \(", text, re.MULTILINE)
    assert anchors == [f"p-{n}" for n in range(1, LONG + 1)]
    assert "Paragraph 450 of the long account" in text
    # the last passage, then the citation the cite page gives (one way to cite)
    assert text.index("told slowly.\n") < text.rindex("\nCite as: ")


def naive_event_counts(session, viewer: Viewer) -> dict[str, tuple[int, int]]:
    """Every link read into Python, as the pages once counted them."""
    testimonies: dict[str, set[int]] = {}
    passages: dict[str, int] = {}
    seen = set(session.scalars(select(Testimony.id).where(visible(viewer))))
    numbers = {tuple(row) for row in session.execute(select(Passage.testimony_id, Passage.number))}
    for slug, testimony_id in session.execute(
        select(Event.slug, TestimonyEvent.testimony_id).join(
            TestimonyEvent, TestimonyEvent.event_id == Event.id
        )
    ):
        if testimony_id in seen:
            testimonies.setdefault(slug, set()).add(testimony_id)
    for link in session.scalars(select(ContextLink).where(ContextLink.kind == "event")):
        shown = link.testimony_id in seen and (link.testimony_id, link.position) in numbers
        if shown and link.status != "rejected":
            testimonies.setdefault(link.target, set()).add(link.testimony_id)
            passages[link.target] = passages.get(link.target, 0) + 1
    return {s: (len(testimonies.get(s, ())), passages.get(s, 0)) for s in testimonies}


def test_the_timeline_counts_what_each_reader_may_see_as_every_link_says(
    app, client, tmp_path, long_id
):
    import_testimony(app, tmp_path, "closed", long_text(30), access="restricted")

    def shown(events: dict) -> dict[str, tuple[int, int]]:
        return {
            e["slug"]: (e["testimony_count"], e["passage_count"])
            for e in events["events"]
            if e["testimony_count"] or e["passage_count"]
        }

    anonymous = shown(client.get("/api/events").get_json())
    with app.app_context():
        assert anonymous == naive_event_counts(db.session(), Viewer())
        archivist = naive_event_counts(db.session(), Viewer("keeper"))
    assert archivist[FALL][1] > anonymous[FALL][1]  # the restricted passages, for archivists
    with app.app_context():
        place_links = select(ContextLink).where(
            ContextLink.kind == "place",
            ContextLink.target == "al-indharat",
            ContextLink.status != "rejected",
        )
        public = [
            link
            for link in db.session().scalars(place_links)
            if link.testimony.is_public and link.testimony.slug != "closed"
        ]
    assert client.get("/api/places/al-indharat").get_json()["passage_count"] == len(public)
    sign_in(app, client)
    assert shown(client.get("/api/events").get_json()) == archivist
    place = client.get("/api/places/al-indharat").get_json()
    assert place["passage_count"] > len(public)  # the restricted testimony's, for archivists


def test_a_narrator_with_many_links_shows_the_events_spoken_of_and_passage_counts(
    app, client, long_id
):
    profile = client.get("/api/narrators/long-narrator").get_json()
    assert [t["passage_count"] for t in profile["testimonies"]] == [LONG]
    with app.app_context():
        session = db.session()
        targets = set(
            session.scalars(
                select(ContextLink.target).where(
                    ContextLink.testimony_id == long_id,
                    ContextLink.kind == "event",
                    ContextLink.status != "rejected",
                )
            )
        )
    assert FALL in targets
    assert {e["slug"] for e in profile["events"]} == targets
    html = client.get("/narrators/long-narrator").get_data(as_text=True)
    assert "450 passages" in html


def test_an_event_page_reads_its_passages_a_page_at_a_time_each_once(client, long_id, monkeypatch):
    monkeypatch.setattr(timeline_pages, "VOICES_PER_PAGE", 10_000)
    whole = client.get(f"/api/events/{FALL}").get_json()
    assert whole["passage_count"] == len(whole["passages"]) > 60
    monkeypatch.setattr(timeline_pages, "VOICES_PER_PAGE", 25)
    first = client.get(f"/api/events/{FALL}").get_json()
    pages = first["passages_page"]["pages"]
    assert pages == -(-whole["passage_count"] // 25)
    voices = [
        (v["testimony_id"], v["anchor"])
        for n in range(1, pages + 1)
        for v in client.get(f"/api/events/{FALL}?page={n}").get_json()["passages"]
    ]
    assert voices == [(v["testimony_id"], v["anchor"]) for v in whole["passages"]]
    html = client.get(f"/events/{FALL}?page=2").get_data(as_text=True)
    assert f"Page 2 of {pages}" in html and f'href="/events/{FALL}?page=3#voices"' in html
    assert client.get(f"/events/{FALL}?page={pages + 1}").status_code == 404
    assert client.get(f"/api/events/{FALL}?page=x").get_json()["error"]


def test_the_home_page_names_the_timeline_span_without_listing_it(client):
    html = client.get("/").get_data(as_text=True)
    events = client.get("/api/events").get_json()["events"]
    assert f"{len(events)} dated events, from" in html


def test_the_narrators_are_listed_a_page_at_a_time_each_once(app, client, tmp_path, monkeypatch):
    from oralhistory.web.views import pages

    for n in range(4):
        import_testimony(app, tmp_path, f"voice-{n}", "A few words.", narrator=f"voice-{n}")
    every = [n["slug"] for n in client.get("/api/narrators").get_json()]
    monkeypatch.setattr(pages, "NARRATORS_PER_PAGE", 4)
    monkeypatch.setattr(pages, "HOME_NARRATORS", 3)
    listed = []
    for n in range(1, -(-len(every) // 4) + 1):
        html = client.get(f"/narrators?page={n}").get_data(as_text=True)
        listed += re.findall(r'<h2><a href="/narrators/([^"]+)"', html)
    assert listed == every
    home = client.get("/").get_data(as_text=True)
    assert len(re.findall(r'<h3><a href="/narrators/', home)) == 3
    assert f"All the narrators ({len(every)})" in home
