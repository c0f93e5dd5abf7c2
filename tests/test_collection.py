"""The first collection loads from `transcripts/` word for word, with its citation."""

from __future__ import annotations

from sqlalchemy import func, select

from oralhistory.record.models import Event, Narrator, Passage, Testimony
from oralhistory.web import db

NARRATORS = {
    "hisham-skeif": "Hisham Skeif",
    "asmar-al-halabi": "Asmar al-Halabi",
    "muhammad-qadsi": "Muhammad Qadsi",
    "muhammad-haj-qasim": "Muhammad Haj Qasim",
    "omar-al-halabi": "Omar al-Halabi",
}


def test_collection_loads_the_five_narrators(app):
    with app.app_context():
        narrators = dict(db.session().execute(select(Narrator.slug, Narrator.name)).all())
    assert narrators == NARRATORS


def test_timeline_holds_the_dated_events_of_october_to_december_2016(app):
    with app.app_context():
        dates = db.session().scalars(select(Event.date)).all()
    assert len(dates) >= 12
    assert min(dates).isoformat() == "2016-10-23"
    assert max(dates).isoformat() == "2016-12-22"


def test_testimony_is_stored_word_for_word(app):
    with app.app_context():
        passage = db.session().scalar(
            select(Passage)
            .join(Testimony)
            .where(Testimony.slug == "muhammad-qadsi-2017")
            .where(Passage.position == 2)
        )
    assert passage.text == (
        "My house in the al-Indharat district of Aleppo was destroyed as well. There was "
        "terrible bombing, and it was hit by a number of barrel bombs."
    )


def test_editors_note_is_kept_apart_from_the_narrators_words(client):
    page = client.get("/api/narrators/muhammad-haj-qasim").get_json()
    testimony = client.get(f"/api/testimonies/{page['testimonies'][0]['id']}").get_json()
    last = testimony["passages"][-1]
    assert last["text"].endswith(
        "I left Fastaqim because of the aggression and betrayal of [other] factions."
    )
    assert "[Ed.:" not in last["text"]
    assert last["editor_note"].startswith(
        "Between late 2016 and early 2017, Fastaqim was dissolved"
    )
    html = client.get(testimony["url"]).get_data(as_text=True)
    assert "Editor’s note:" in html
    assert '<aside class="editor-note"' in html


def test_publishers_insertions_are_marked_as_not_the_narrators(client):
    page = client.get("/api/narrators/hisham-skeif").get_json()
    html = client.get(page["testimonies"][0]["url"]).get_data(as_text=True)
    assert 'without my mother <span class="insertion"' in html
    assert ">[Aleppo]</span>" in html


def test_every_passage_has_a_numbered_anchor(client):
    page = client.get("/api/narrators/asmar-al-halabi").get_json()
    html = client.get(page["testimonies"][0]["url"]).get_data(as_text=True)
    for n in range(1, 5):
        assert f'id="p-{n}"' in html


def test_init_twice_changes_nothing(app):
    from tests.conftest import run_cli

    def snapshot():
        with app.app_context():
            session = db.session()
            rows = {
                model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Narrator, Testimony, Passage, Event)
            }
            texts = session.scalars(select(Passage.text).order_by(Passage.id)).all()
        hits = app.test_client().get("/api/search?q=Aleppo&per_page=50").get_json()
        return rows, texts, hits

    before = snapshot()
    result = run_cli(app, "init")
    assert result.exit_code == 0, result.output
    assert "5 already in the archive" in result.output
    assert snapshot() == before


def test_reindex_gives_the_same_results_as_init(app, client):
    from tests.conftest import run_cli

    queries = ["Aleppo", "barrel bombs", '"hope of returning"', "orphans", "Enzharat"]
    before = [client.get("/api/search", query_string={"q": q}).get_json() for q in queries]
    assert run_cli(app, "reindex").exit_code == 0
    after = [client.get("/api/search", query_string={"q": q}).get_json() for q in queries]
    assert after == before
