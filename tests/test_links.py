"""Context links: passages tied to timeline events and places, explained, decided by archivists."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from oralhistory.record import revisions
from oralhistory.record.models import ContextLink, Testimony, utcnow
from oralhistory.web import db
from tests.conftest import TESTIMONY, TRANSCRIPTS, run_cli, sign_in

FALL = "haydariyah-indharat-sakhour-fall"
EVACUATION = "evacuation-of-east-aleppo"
NARRATORS = [
    "hisham-skeif",
    "asmar-al-halabi",
    "muhammad-qadsi",
    "muhammad-haj-qasim",
    "omar-al-halabi",
]


def read_testimony(client, narrator: str) -> dict:
    profile = client.get(f"/api/narrators/{narrator}").get_json()
    return client.get(f"/api/testimonies/{profile['testimonies'][0]['id']}").get_json()


def links_of(testimony: dict, anchor: str) -> dict[str, dict]:
    passage = next(p for p in testimony["passages"] if p["anchor"] == anchor)
    return {link["slug"]: link for link in passage["links"]}


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def decide(client, testimony: dict, link: dict, decision: str):
    token = csrf_token(client, testimony["url"])
    return client.post(f"/archive/links/{link['id']}/{decision}", data={"csrf_token": token})


def import_text(
    app, tmp_path, slug: str, text: str, access: str = "public", interviewed: str = "2020-01-02"
):
    path = tmp_path / f"{slug}.md"
    content = TESTIMONY.format(slug=slug, text=text).replace("access: public", f"access: {access}")
    path.write_text(content.replace("interview_date: 2020-01-02", f"interview_date: {interviewed}"))
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    return path


# --- what the rules find ----------------------------------------------------------------------


def test_barrel_bomb_passage_links_to_the_fall_of_its_district_and_says_why(client):
    qadsi = read_testimony(client, "muhammad-qadsi")
    links = links_of(qadsi, "p-2")
    fall = links[FALL]
    assert fall["status"] == "proposed"
    assert fall["origin"] == "automatic"
    assert {"rule": "place-event", "words": "al-Indharat"}.items() <= fall["reason"][0].items()
    assert "al-Indharat" in fall["reason"][0]["says"]
    assert links["al-indharat"]["kind"] == "place"
    offensive = links["ground-offensive-east-aleppo"]
    assert {r["words"] for r in offensive["reason"]} >= {"barrel bombs", "bombing"}

    html = client.get(qadsi["url"]).get_data(as_text=True)
    section = html[html.index('id="p-2"') : html.index('id="p-3"')]
    assert f'href="/events/{FALL}#voice-{qadsi["id"]}-p-2"' in section
    assert "Possibly related, not yet reviewed" in section  # readers: quietly, without reasons

    sign_in(client.application, client)
    html = client.get(qadsi["url"]).get_data(as_text=True)
    section = html[html.index('id="p-2"') : html.index('id="p-3"')]
    assert "<summary>Why proposed</summary>" in section
    assert "“al-Indharat”" in section and "(place-event)" in section


def test_narrators_profile_lists_the_event_in_which_his_district_fell(client):
    profile = client.get("/api/narrators/muhammad-qadsi").get_json()
    assert FALL in [e["slug"] for e in profile["events"]]
    event = next(e for e in profile["events"] if e["slug"] == FALL)
    assert event["date"] == "2016-11-28"
    html = client.get("/narrators/muhammad-qadsi").get_data(as_text=True)
    assert "Haydariyah, al-Indharat and Sakhour fall" in html


def test_every_testimony_links_to_the_evacuation_of_15_to_22_december_2016(client):
    event = client.get(f"/api/events/{EVACUATION}").get_json()
    assert (event["date"], event["end_date"]) == ("2016-12-15", "2016-12-22")
    for narrator in NARRATORS:
        testimony = read_testimony(client, narrator)
        linked = [
            p for p in testimony["passages"] if EVACUATION in links_of(testimony, p["anchor"])
        ]
        assert linked, f"{narrator} has no passage linked to the evacuation"
    assert {p["narrator"]["slug"] for p in event["passages"]} == set(NARRATORS)


@pytest.mark.parametrize(
    ("narrator", "anchor", "words", "day"),
    [
        ("muhammad-haj-qasim", "p-1", "One year has passed", "21 December 2016"),
        ("omar-al-halabi", "p-1", "one year later", "21 December 2016"),
        ("asmar-al-halabi", "p-2", "first anniversary", "21 December 2016"),
        ("hisham-skeif", "p-1", "Yesterday, late at night, on the anniversary", "20 December 2016"),
    ],
)
def test_time_said_relative_to_the_interview_points_to_the_evacuation(
    client, narrator, anchor, words, day
):
    reasons = links_of(read_testimony(client, narrator), anchor)[EVACUATION]["reason"]
    dated = [r for r in reasons if r["rule"] == "relative-date"]
    assert dated and dated[0]["words"] == words
    assert (
        f"about {day}, during this event (15 December 2016 – 22 December 2016)" in dated[0]["says"]
    )


@pytest.mark.parametrize(
    ("text", "interviewed", "events"),
    [
        ("Last year we lost everything.", "2020-01-02", set()),  # 2019: nothing in the timeline
        ("Last year we lost everything.", "2017-03-01", {EVACUATION}),  # 2016: its one period
        ("Three years ago we were still at home.", "2020-01-02", {EVACUATION}),  # ~2 Jan 2017
        ("A month ago, on 28 November, we lost Enzharat.", "2016-12-29", {FALL}),
    ],
)
def test_relative_dates_of_a_new_testimony_count_from_its_own_interview(
    app, client, tmp_path, text, interviewed, events
):
    import_text(app, tmp_path, "dated-voice", text, interviewed=interviewed)
    profile = client.get("/api/narrators/test-narrator").get_json()
    testimony = client.get(f"/api/testimonies/{profile['testimonies'][0]['id']}").get_json()
    linked = {slug for slug, link in links_of(testimony, "p-1").items() if link["kind"] == "event"}
    assert linked == events


def test_named_periods_and_events_are_linked_with_their_words(client):
    assert "expelled" in {
        r["words"]
        for r in links_of(read_testimony(client, "muhammad-haj-qasim"), "p-1")[EVACUATION]["reason"]
    }
    asmar = links_of(read_testimony(client, "asmar-al-halabi"), "p-1")
    assert asmar["ground-offensive-east-aleppo"]["reason"][0]["rule"] == "named-event"


def test_a_broad_place_mentioned_is_a_place_link_but_no_event_link(client):
    # "western Aleppo" is a part of the city, not a district: no event is pinned on it.
    omar = links_of(read_testimony(client, "omar-al-halabi"), "p-3")
    assert omar["west-aleppo"]["reason"][0]["words"] == "western Aleppo"
    assert "aleppo" in omar
    assert not [link for link in omar.values() if link["kind"] == "event"]


def test_newly_added_testimony_gets_proposed_links(app, client, tmp_path):
    import_text(
        app,
        tmp_path,
        "new-voice",
        "Our house in Enzharat was destroyed by barrel bombs.\n\n"
        "Then Hezbollah men stopped our convoy, and later we were evacuated.",
    )
    profile = client.get("/api/narrators/test-narrator").get_json()
    testimony = client.get(f"/api/testimonies/{profile['testimonies'][0]['id']}").get_json()
    first = links_of(testimony, "p-1")
    assert first[FALL]["reason"][0]["words"] == "Enzharat"
    assert first["al-indharat"]["status"] == "proposed"
    second = links_of(testimony, "p-2")
    assert second["fourth-convoy-stopped"]["reason"][0] == {
        "rule": "organisation",
        "words": "Hezbollah",
        "says": "an organisation this event's summary names",
    }
    assert EVACUATION in second
    assert {e["slug"]: e["status"] for e in profile["events"]}[FALL] == "proposed"


def test_no_event_after_the_interview_is_proposed(app, client, tmp_path):
    import_text(app, tmp_path, "early-voice", "We were evacuated from Enzharat.")
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).where(Testimony.slug == "early-voice"))
        testimony.interview_date = testimony.interview_date.replace(year=2015)
        from oralhistory.services.linking import link_testimony

        link_testimony(session, testimony)
        session.commit()
        kinds = {(link.kind, link.target) for link in testimony.context_links}
    assert ("place", "al-indharat") in kinds
    assert not [target for kind, target in kinds if kind == "event"]


# --- archivists decide ------------------------------------------------------------------------


def test_archivist_confirms_a_link_and_the_history_records_it(app, client):
    sign_in(app, client)
    qadsi = read_testimony(client, "muhammad-qadsi")
    response = decide(client, qadsi, links_of(qadsi, "p-2")[FALL], "confirm")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#p-2")
    link = links_of(read_testimony(client, "muhammad-qadsi"), "p-2")[FALL]
    assert (link["status"], link["decided_by"]) == ("confirmed", "keeper")
    with app.app_context():
        history = revisions.history(db.session(), qadsi["id"])
    assert history[-1].author == "keeper"
    assert "Confirmed the link from passage 2" in history[-1].summary
    assert {
        "anchor": "p-2",
        "kind": "event",
        "target": FALL,
        "status": "confirmed",
        "origin": "automatic",
    } in history[-1].snapshot["links"]
    html = client.get(qadsi["url"]).get_data(as_text=True)
    assert 'Confirmed by <bdi dir="auto">keeper</bdi>' in html
    with client.session_transaction() as session:  # readers learn that, not who
        session.pop("archivist")
    html = client.get(qadsi["url"]).get_data(as_text=True)
    section = html[html.index('id="p-2"') : html.index('id="p-3"')]
    confirmed = section[: section.index("Possibly related")]  # shown plainly, before the rest
    assert f'href="/events/{FALL}#voice-{qadsi["id"]}-p-2"' in confirmed
    assert "keeper" not in html
    assert links_of(read_testimony(client, "muhammad-qadsi"), "p-2")[FALL]["decided_by"] is None


def test_rejected_link_stays_rejected_after_reindex_and_reimport(app, client):
    sign_in(app, client)
    hisham = read_testimony(client, "hisham-skeif")
    wrong = links_of(hisham, "p-3")[EVACUATION]  # "millions of displaced": not his evacuation
    assert decide(client, hisham, wrong, "reject").status_code == 303

    def still_rejected():
        with app.app_context():
            link = db.session().get(ContextLink, wrong["id"])
            return link is not None and link.status == "rejected"

    def in_search():
        body = client.get(f"/api/search?q=intifada&event={EVACUATION}").get_json()
        return body["total"]

    assert still_rejected() and in_search() == 0
    assert run_cli(app, "reindex").exit_code == 0
    assert still_rejected() and in_search() == 0
    path = TRANSCRIPTS / "testimonies" / "hisham-skeif-2017.md"
    assert run_cli(app, "import", str(path)).exit_code == 0
    assert still_rejected() and in_search() == 0
    assert run_cli(app, "init").exit_code == 0
    assert still_rejected() and in_search() == 0

    client.get("/")  # anonymous readers never see it; archivists see it marked rejected
    with client.session_transaction() as session:
        session.pop("archivist")
    event = client.get(f"/api/events/{EVACUATION}").get_json()
    assert ("hisham-skeif", "p-3") not in {
        (p["narrator"]["slug"], p["anchor"]) for p in event["passages"]
    }
    assert EVACUATION not in links_of(read_testimony(client, "hisham-skeif"), "p-3")


def test_decisions_follow_their_passage_when_a_reimport_moves_it(app, client, tmp_path):
    sign_in(app, client)
    qadsi = read_testimony(client, "muhammad-qadsi")
    decide(client, qadsi, links_of(qadsi, "p-2")[FALL], "confirm")
    decide(client, qadsi, links_of(qadsi, "p-2")["aleppo"], "reject")
    original = (TRANSCRIPTS / "testimonies" / "muhammad-qadsi-2017.md").read_text()
    head, body = original.split("---\n", 2)[1:]
    moved = tmp_path / "muhammad-qadsi-2017.md"
    moved.write_text(f"---\n{head}---\nA paragraph the publisher added later.\n\n{body}")
    assert run_cli(app, "import", str(moved)).exit_code == 0

    # The paragraph added at the top takes a new anchor; the others keep theirs, and so
    # do the decisions made on them.
    after = read_testimony(client, "muhammad-qadsi")
    assert after["passages"][0]["anchor"] == f"p-{len(qadsi['passages']) + 1}"
    assert after["passages"][2]["anchor"] == "p-2"
    assert links_of(after, "p-2")[FALL]["status"] == "confirmed"
    assert links_of(after, "p-2")["aleppo"]["status"] == "rejected"
    assert FALL not in links_of(after, "p-3")


def test_archivist_adds_a_link_with_a_note(app, client):
    sign_in(app, client)
    omar = read_testimony(client, "omar-al-halabi")
    token = csrf_token(client, omar["url"])
    response = client.post(
        f"/archive/testimonies/{omar['id']}/links",
        data={
            "csrf_token": token,
            "passage": "p-2",
            "target": "event:last-convoy-leaves",
            "note": "He burnt his belongings before leaving with the last convoys.",
        },
    )
    assert response.status_code == 303
    link = links_of(read_testimony(client, "omar-al-halabi"), "p-2")["last-convoy-leaves"]
    assert (link["origin"], link["status"]) == ("archivist", "confirmed")
    assert link["reason"][0]["says"].startswith("He burnt his belongings")
    event = client.get("/api/events/last-convoy-leaves").get_json()
    assert ("omar-al-halabi", "p-2") in {
        (p["narrator"]["slug"], p["anchor"]) for p in event["passages"]
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"passage": "p-99", "target": f"event:{EVACUATION}"}, "'passage'"),
        ({"passage": "p-1", "target": "event:no-such-event"}, "'target'"),
        ({"passage": "p-1", "target": "person:someone"}, "'target'"),
        ({"passage": "p-1", "target": f"event:{EVACUATION}", "note": "x" * 501}, "'note'"),
        ({"passage": "p-1", "target": f"event:{EVACUATION}", "note": "a\x00b"}, "'note'"),
        ({"passage": "p-1", "target": f"event:{EVACUATION}", "note": "a\x1bb"}, "U+001B"),
    ],
)
def test_a_bad_link_is_refused_with_the_field_named_and_nothing_changes(app, client, data, message):
    sign_in(app, client)
    omar = read_testimony(client, "omar-al-halabi")
    token = csrf_token(client, omar["url"])
    response = client.post(
        f"/archive/testimonies/{omar['id']}/links",
        data={"csrf_token": token, **data},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    with app.app_context():
        # only the import's own revision
        assert [r.author for r in revisions.history(db.session(), omar["id"])] == ["(import)"]
    page = client.post(
        f"/archive/testimonies/{omar['id']}/links", data={"csrf_token": token, **data}
    )
    if any(char in data.get("note", "") for char in "\x00\x1b"):
        # refused before any view reads it (`text_rule`): the field's label, on a 400 page
        assert page.status_code == 400
        assert "control character" in page.get_data(as_text=True)
        return
    assert page.status_code == 303
    assert message in client.get(page.headers["Location"]).get_data(as_text=True).replace(
        "&#39;", "'"
    )


def test_only_a_signed_in_archivist_may_change_links(app, client):
    sign_in(app, client)
    qadsi = read_testimony(client, "muhammad-qadsi")
    link = links_of(qadsi, "p-2")[FALL]
    token = csrf_token(client, qadsi["url"])
    with client.session_transaction() as session:
        session.pop("archivist")
    assert "Add a link" not in client.get(qadsi["url"]).get_data(as_text=True)

    url = f"/archive/links/{link['id']}/reject"
    page = client.post(url, data={"csrf_token": token})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    api = client.post(url, data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert api.status_code == 401 and "error" in api.get_json()
    assert client.post(url).status_code == 400  # no form token: refused before anything else
    assert links_of(read_testimony(client, "muhammad-qadsi"), "p-2")[FALL]["status"] == "proposed"


def test_unknown_link_is_a_readable_404(app, client):
    sign_in(app, client)
    qadsi = read_testimony(client, "muhammad-qadsi")
    response = client.post(
        "/archive/links/99999/confirm", data={"csrf_token": csrf_token(client, qadsi["url"])}
    )
    assert response.status_code == 404
    assert "no link 99999" in response.get_data(as_text=True)


# --- who sees what -----------------------------------------------------------------------------


def test_restricted_and_withdrawn_passages_never_reach_anonymous_readers_through_links(
    app, client, tmp_path
):
    def counts():
        event = client.get(f"/api/events/{FALL}").get_json()
        place = client.get("/api/places/al-indharat").get_json()
        timeline = {
            e["slug"]: e["passage_count"] for e in client.get("/api/events").get_json()["events"]
        }
        return len(event["passages"]), len(place["passages"]), timeline[FALL]

    before = counts()
    import_text(
        app, tmp_path, "closed-voice", "A secret about Enzharat and barrel bombs.", "restricted"
    )
    assert counts() == before
    html = client.get(f"/events/{FALL}").get_data(as_text=True)
    assert "A secret about" not in html
    assert "A secret about" not in client.get("/places/al-indharat").get_data(as_text=True)
    assert client.get("/api/narrators/test-narrator").status_code == 404

    sign_in(app, client)
    assert counts() == tuple(n + 1 for n in before)
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).where(Testimony.slug == "closed-voice"))
        testimony.withdrawn_at = utcnow()
        session.commit()
    assert counts() == before  # withdrawn: gone from every listing, archivists' too


# --- event, place and timeline pages -------------------------------------------------------------


def test_event_page_says_what_when_where_with_sources_and_voices(client):
    html = client.get(f"/events/{FALL}").get_data(as_text=True)
    assert "2016-11-28" in html
    assert 'href="/places/al-indharat"' in html
    assert "Data of displacement agreement" in html
    assert 'id="voices"' in html
    qadsi = read_testimony(client, "muhammad-qadsi")
    assert f'id="voice-{qadsi["id"]}-p-2"' in html
    assert "barrel bombs" in html
    event = client.get(f"/api/events/{FALL}").get_json()
    assert event["passages"][0]["link"]["reason"][0]["rule"] == "place-event"
    week = client.get("/api/events/sheikh-saeed-and-other-districts-fall").get_json()
    assert week["date_precision"] == "week"
    assert "(within the week)" in client.get(
        "/events/sheikh-saeed-and-other-districts-fall"
    ).get_data(as_text=True)


def test_place_page_gives_spellings_events_and_passages(client):
    body = client.get("/api/places/al-indharat").get_json()
    assert body["name_arabic"] == "الإنذارات"
    assert FALL in [e["slug"] for e in body["events"]]
    html = client.get("/places/al-indharat").get_data(as_text=True)
    assert "Enzharat" in html and "الإنذارات" in html
    assert "My house in the al-Indharat district" in html


def test_timeline_groups_events_by_week_with_linked_passage_counts(client):
    body = client.get("/api/events").get_json()
    evacuation = next(e for e in body["events"] if e["slug"] == EVACUATION)
    assert evacuation["week"] == "2016-12-12"
    assert evacuation["passage_count"] >= 5
    html = client.get("/timeline").get_data(as_text=True)
    assert "Week of Monday 12 December 2016" in html
    assert html.index("Week of Monday 21 November 2016") < html.index(
        "Week of Monday 28 November 2016"
    )
    assert (
        f'href="/events/{EVACUATION}#voices">{evacuation["passage_count"]} linked passages' in html
    )


def test_timeline_filters_by_place(client):
    body = client.get("/api/events?place=al-indharat").get_json()
    assert [e["slug"] for e in body["events"]] == [FALL]
    ramousah = {e["slug"] for e in client.get("/api/events?place=ramousah").get_json()["events"]}
    assert "last-convoy-leaves" in ramousah and FALL not in ramousah
    html = client.get("/timeline?place=al-indharat").get_data(as_text=True)
    assert "Haydariyah, al-Indharat and Sakhour fall" in html
    assert "The evacuation of east Aleppo</a>" not in html
    assert client.get("/timeline?place=nowhere").status_code == 404
    assert "error" in client.get("/api/events?place=nowhere").get_json()


def test_timeline_shows_the_two_evacuation_counts_side_by_side_with_sources(client):
    html = client.get("/timeline").get_data(as_text=True)
    entry = html[html.index(f'<li id="{EVACUATION}"') :]
    entry = entry[: entry.index("</li>")]
    compare = entry[entry.index('class="figure-compare"') :]
    assert "35,000 civilians and rebel fighters" in compare
    assert "about 25,000 people" in compare
    assert compare.index("35,000") < compare.index("Syria Direct") < compare.index("25,000")
    assert "Not named in the copy held by the archive" in compare
    event = client.get(f"/events/{EVACUATION}").get_data(as_text=True)
    assert "35,000" in event and "25,000" in event


# --- the timeline file ---------------------------------------------------------------------------


def test_an_organisation_the_summary_does_not_name_is_refused_with_its_line(app, tmp_path):
    from oralhistory.services.importer import InvalidFile, parse_timeline

    text = (TRANSCRIPTS / "timeline.yaml").read_text()
    text = text.replace("organisations: [Fateh al-Sham]", "organisations: [Fastaqim]", 1)
    with pytest.raises(InvalidFile) as raised:
        parse_timeline(text, "timeline.yaml")
    line = text.split("\n").index("    organisations: [Fastaqim]") + 1
    assert f"timeline.yaml:{line}:" in raised.value.report()
    assert "'Fastaqim' is not named" in raised.value.report()


# --- the search index follows the links ------------------------------------------------------------


def test_search_filters_by_the_event_a_passage_is_linked_to(app, client):
    body = client.get(f"/api/search?q=house&event={FALL}").get_json()
    assert [(h["narrator"]["slug"], h["passage"]["anchor"]) for h in body["hits"]] == [
        ("muhammad-qadsi", "p-2")
    ]
    places = client.get("/api/search?q=house").get_json()["facets"]["place"]
    assert "al-indharat" in {f["slug"] for f in places}


def test_a_changed_testimony_is_found_once_not_twice(app, client):
    before = client.get("/api/search?q=intifada").get_json()["total"]
    path = TRANSCRIPTS / "testimonies" / "hisham-skeif-2017.md"
    assert run_cli(app, "import", str(path)).exit_code == 0  # replaces its passages in the index
    client.get("/api/search?q=intifada")  # the same process keeps its searcher between requests
    assert client.get("/api/search?q=intifada").get_json()["total"] == before == 1


def test_a_restricted_passage_is_not_counted_in_an_anonymous_total(app, client, tmp_path):
    import_text(app, tmp_path, "closed-word", "A zanzibar secret.", "restricted")
    body = client.get("/api/search?q=zanzibar").get_json()
    assert (body["total"], body["hits"]) == (0, [])
    sign_in(app, client)
    assert client.get("/api/search?q=zanzibar").get_json()["total"] == 1


def test_decisions_follow_passages_that_trade_places(app, client, tmp_path):
    sign_in(app, client)
    qadsi = read_testimony(client, "muhammad-qadsi")
    decide(client, qadsi, links_of(qadsi, "p-2")["aleppo"], "reject")
    decide(client, qadsi, links_of(qadsi, "p-3")["aleppo"], "confirm")
    original = (TRANSCRIPTS / "testimonies" / "muhammad-qadsi-2017.md").read_text()
    head, body = original.split("---\n", 2)[1:]
    first, second, third, fourth = body.strip().split("\n\n")
    swapped = tmp_path / "muhammad-qadsi-2017.md"
    swapped.write_text(f"---\n{head}---\n{first}\n\n{third}\n\n{second}\n\n{fourth}\n")
    assert run_cli(app, "import", str(swapped)).exit_code == 0

    # A moved paragraph keeps its anchor, and its links and decisions go with it.
    after = read_testimony(client, "muhammad-qadsi")
    assert [p["anchor"] for p in after["passages"]] == ["p-1", "p-3", "p-2", "p-4"]
    assert links_of(after, "p-2")["aleppo"]["status"] == "rejected"  # the al-Indharat passage
    assert links_of(after, "p-3")["aleppo"]["status"] == "confirmed"
    assert FALL in links_of(after, "p-2")
