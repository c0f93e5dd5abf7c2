"""The review queue at /archive/links: every proposed link, narrowed, decided many at once."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from oralhistory.record.models import ContextLink, Revision
from oralhistory.web import db
from tests.archive_helpers import archivist_client, csrf_token
from tests.test_links import EVACUATION, import_text

QUEUE, API = "/archive/links", "/api/archive/links"


@pytest.fixture
def archivist(app):
    return archivist_client(app)


def proposed_in_record(app) -> set[int]:
    with app.app_context():
        return set(
            db.session().scalars(select(ContextLink.id).where(ContextLink.status == "proposed"))
        )


def queue(client, **filters) -> dict:
    response = client.get(API, query_string={"per_page": 200, **filters})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def revisions_of(app, testimony_id: int) -> int:
    with app.app_context():
        return db.session().scalar(
            select(func.count()).select_from(Revision).where(Revision.testimony_id == testimony_id)
        )


def decide(client, ids: list[int], decision: str, **fields):
    data = {"csrf_token": csrf_token(client, QUEUE), "link": ids, "decision": decision, **fields}
    return client.post(QUEUE, data=data)


def test_anonymous_visitors_are_sent_to_sign_in_and_json_clients_get_401(client):
    page = client.get(QUEUE)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    api = client.get(API)
    assert api.status_code == 401 and "Sign in" in api.get_json()["error"]
    token = csrf_token(client, "/login")
    post = client.post(QUEUE, data={"csrf_token": token, "link": [1], "decision": "confirm"})
    assert post.status_code == 302 and post.headers["Location"].startswith("/login")


def test_queue_holds_every_proposed_link_with_its_reason_and_passage(app, archivist):
    body = queue(archivist)
    assert {link["id"] for link in body["links"]} == proposed_in_record(app)
    assert body["total"] == len(body["links"]) > 20
    for link in body["links"]:
        assert link["reason"] and link["rules"] and link["passage"]["text"]
        assert (
            link["passage"]["url"]
            == f"/testimonies/{link['testimony']['id']}#p-{link['passage']['position']}"
        )
    page = archivist.get(QUEUE, query_string={"per_page": 200}).get_data(as_text=True)
    assert page.count('type="checkbox" name="link"') == body["total"]
    passages = {link["passage"]["url"] for link in body["links"]}
    assert page.count("<blockquote") == len(passages) < body["total"]  # each passage once
    assert "names the place Aleppo" in page and "(place-name)" in page
    assert 'name="csrf_token"' in page


def test_each_filter_narrows_the_queue_to_what_it_names(archivist):
    every = queue(archivist)["links"]
    testimony = every[0]["testimony"]["id"]
    by_testimony = queue(archivist, testimony=testimony)["links"]
    assert by_testimony and {link["testimony"]["id"] for link in by_testimony} == {testimony}
    by_event = queue(archivist, event=EVACUATION)["links"]
    assert by_event and {(link["kind"], link["slug"]) for link in by_event} == {
        ("event", EVACUATION)
    }
    by_place = queue(archivist, place="aleppo")["links"]
    assert by_place and {(link["kind"], link["slug"]) for link in by_place} == {("place", "aleppo")}
    by_rule = queue(archivist, rule="relative-date")["links"]
    assert by_rule and all("relative-date" in link["rules"] for link in by_rule)
    assert len(by_rule) < len(every)
    both = queue(archivist, testimony=testimony, rule="place-name")["links"]
    assert {link["id"] for link in both} == {
        link["id"] for link in by_testimony if "place-name" in link["rules"]
    }


@pytest.mark.parametrize(
    "filters, named",
    [
        ({"event": "no-such-event"}, "'event'"),
        ({"place": "atlantis"}, "'place'"),
        ({"rule": "astrology"}, "'rule'"),
        ({"testimony": "9999"}, "'testimony'"),
        ({"testimony": "first"}, "'testimony'"),
        ({"page": "99"}, "'page'"),
        ({"page": "0"}, "'page'"),
        ({"per_page": "5000"}, "'per_page'"),
    ],
)
def test_a_filter_or_page_that_names_nothing_is_refused_with_the_field_named(
    archivist, filters, named
):
    api = archivist.get(API, query_string=filters)
    assert api.status_code == 400 and named in api.get_json()["error"]
    page = archivist.get(QUEUE, query_string=filters)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "The queue cannot be shown" in text and "Traceback" not in text


def test_queue_is_paged_and_pages_keep_the_filters(archivist):
    first = queue(archivist, per_page=10)
    assert first["pages"] == -(-first["total"] // 10) > 1
    second = queue(archivist, per_page=10, page=2)
    assert not {link["id"] for link in first["links"]} & {link["id"] for link in second["links"]}
    text = archivist.get(QUEUE, query_string={"rule": "place-name", "per_page": 5}).get_data(
        as_text=True
    )
    assert re.search(r'rel="next" href="/archive/links\?[^"]*per_page=5[^"]*rule=place-name', text)


def test_confirming_links_of_two_testimonies_makes_one_revision_each(app, archivist):
    links = queue(archivist)["links"]
    first, second = links[0]["testimony"]["id"], links[-1]["testimony"]["id"]
    assert first != second
    chosen = [link["id"] for link in links if link["testimony"]["id"] in (first, second)]
    before = {t: revisions_of(app, t) for t in (first, second)}
    response = decide(archivist, chosen, "confirm", rule="", page="")
    assert response.status_code == 303 and response.headers["Location"] == QUEUE
    assert f"{len(chosen)} links confirmed, in 2 testimonies" in archivist.get(QUEUE).get_data(
        as_text=True
    )
    assert {t: revisions_of(app, t) for t in (first, second)} == {
        t: n + 1 for t, n in before.items()
    }
    left = {link["id"] for link in queue(archivist)["links"]}
    assert not left & set(chosen)
    with app.app_context():
        statuses = db.session().scalars(
            select(ContextLink.status).where(ContextLink.id.in_(chosen))
        )
        assert set(statuses) == {"confirmed"}


def test_rejecting_from_the_queue_takes_the_passage_out_of_that_events_search(app, archivist):
    def event_hits() -> set[tuple[int, str]]:
        body = archivist.get(
            "/api/search", query_string={"q": "Aleppo", "event": EVACUATION, "per_page": 50}
        )
        return {
            (hit["testimony"]["id"], hit["passage"]["anchor"]) for hit in body.get_json()["hits"]
        }

    proposed = queue(archivist, event=EVACUATION)["links"]
    target = next(
        link
        for link in proposed
        if (link["testimony"]["id"], link["passage"]["anchor"]) in event_hits()
    )
    response = decide(archivist, [target["id"]], "reject", event=EVACUATION)
    assert response.headers["Location"] == f"{QUEUE}?event={EVACUATION}"
    assert (target["testimony"]["id"], target["passage"]["anchor"]) not in event_hits()


def test_a_submission_naming_an_unknown_link_changes_nothing(app, archivist):
    real = sorted(proposed_in_record(app))[:2]
    response = archivist.post(
        QUEUE,
        data={
            "csrf_token": csrf_token(archivist, QUEUE),
            "link": [*real, 99999],
            "decision": "confirm",
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 404 and "99999" in response.get_json()["error"]
    assert set(real) <= proposed_in_record(app)


@pytest.mark.parametrize(
    "ids, decision, message",
    [
        ([], "confirm", "tick at least one link"),
        (["x"], "confirm", "'link'"),
        ([1], "maybe", "'confirm' or 'reject'"),
    ],
)
def test_a_form_without_a_link_or_a_decision_is_refused_in_plain_words(
    app, archivist, ids, decision, message
):
    before = proposed_in_record(app)
    response = decide(archivist, ids, decision)
    assert response.status_code == 303
    assert message in html.unescape(archivist.get(QUEUE).get_data(as_text=True))
    assert proposed_in_record(app) == before


def test_restricted_testimonys_proposals_are_in_the_queue_for_archivists(app, archivist, tmp_path):
    import_text(app, tmp_path, "closed", "We left Aleppo in the evacuation.", access="restricted")
    restricted = [
        link for link in queue(archivist)["links"] if link["testimony"]["access"] == "restricted"
    ]
    assert restricted and all(link["testimony"]["title"] for link in restricted)


def test_archive_index_and_each_testimony_lead_to_the_queue(archivist):
    assert 'href="/archive/links"' in archivist.get("/archive/").get_data(as_text=True)
    testimony = queue(archivist)["links"][0]["testimony"]
    page = archivist.get(testimony["url"]).get_data(as_text=True)
    assert f'href="/archive/links?testimony={testimony["id"]}"' in page


def test_the_queue_marks_the_words_each_rule_matched_and_decides_from_top_or_bottom(archivist):
    body = queue(archivist)
    page = archivist.get(QUEUE, query_string={"per_page": 200}).get_data(as_text=True)
    quotes = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", page, re.S)
    marked = {
        html.unescape(m).lower() for q in quotes for m in re.findall(r"<mark>(.*?)</mark>", q)
    }
    # words across a publisher's [insertion] are marked on either side of it
    matched = {
        part.strip().lower()
        for link in body["links"]
        for r in link["reason"]
        for part in re.split(r"[\[\]]", r.get("words") or "")
    }
    assert marked and marked <= matched
    with_words = {
        link["passage"]["url"]
        for link in body["links"]
        if any(r.get("words") for r in link["reason"])
    }
    assert sum("<mark>" in q for q in quotes) == len(with_words)
    assert page.count('name="decision" value="confirm"') == 2
    assert 'id="select-all"' in page and "review.js" in page
