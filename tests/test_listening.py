"""Listening while reading: an archivist sets a passage's start to the player's moment ("this
passage starts here"), and the permanent passage page plays from the passage's start or `?t=`.

Everything here is invented by the test: a tone for the recording, made-up words.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from oralhistory.record.models import ChangeLog
from oralhistory.web import db
from tests.archive_helpers import csrf_token
from tests.conftest import import_testimony, sign_in
from tests.test_passage_times import TIMED_VTT, TONE, WORDS, send_vtt, times
from tests.test_recordings import id_of, upload

SLUG = "zorbel-quay"


@pytest.fixture
def archivist(app, client):
    sign_in(app, client)
    return client


@pytest.fixture
def timed(app, tmp_path, archivist) -> int:
    """An invented testimony of three passages with a 12-second tone, timed by WebVTT."""
    import_testimony(app, tmp_path, SLUG, "\n\n".join(WORDS))
    tid = id_of(app, SLUG)
    upload(archivist, tid, TONE)
    assert send_vtt(archivist, tid, TIMED_VTT).status_code == 303
    return tid


def starts_here(client, tid: int, anchor: str, start: str, **kwargs):
    token = csrf_token(client, f"/testimonies/{tid}")
    return client.post(
        f"/archive/testimonies/{tid}/passages/{anchor}/start",
        data={"csrf_token": token, "start": start},
        **kwargs,
    )


def last_change(app, tid: int) -> str:
    with app.app_context():
        return (
            db.session()
            .scalars(
                select(ChangeLog).where(ChangeLog.testimony_id == tid).order_by(ChangeLog.id.desc())
            )
            .first()
            .summary
        )


def test_this_passage_starts_here_sets_the_start_to_the_players_moment(app, archivist, timed):
    response = starts_here(archivist, timed, "p-2", "4.5")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/testimonies/{timed}#p-2")
    assert times(archivist, timed)["p-2"] == (4.5, 7.125, "manual")
    assert times(archivist, timed)["p-1"] == (0.5, 3.25, "imported")
    assert last_change(app, timed) == "Start of p-2 set to 0:04.5 while listening"
    history = archivist.get(f"/archive/testimonies/{timed}/history").get_data(as_text=True)
    assert "while listening" in history


def test_the_starts_here_button_is_for_archivists_only(app, archivist, timed):
    page = archivist.get(f"/testimonies/{timed}").get_data(as_text=True)
    assert page.count('class="starts-here"') == 3
    assert "This passage starts here" in page
    reader = app.test_client()
    assert "starts-here" not in reader.get(f"/testimonies/{timed}").get_data(as_text=True)
    refused = reader.post(f"/archive/testimonies/{timed}/passages/p-2/start", data={"start": "4.5"})
    assert refused.status_code in (302, 303, 400, 403)
    assert times(archivist, timed)["p-2"][0] == 3.25


@pytest.mark.parametrize(
    ("start", "words"),
    [("", "The player’s time was not sent"), ("soon", "not sent"), ("99", "after the end")],
)
def test_a_moment_that_cannot_be_a_start_is_refused_and_nothing_changes(
    app, archivist, timed, start, words
):
    page = starts_here(archivist, timed, "p-2", start, follow_redirects=True)
    assert "The time was not stored" in page.get_data(as_text=True)
    assert words in page.get_data(as_text=True)
    assert times(archivist, timed)["p-2"] == (3.25, 7.125, "imported")


def test_the_refusal_is_in_arabic_for_an_arabic_reader(app, archivist, timed):
    archivist.set_cookie("lang", "ar")
    page = starts_here(
        archivist, timed, "p-2", "", follow_redirects=True, headers={"Accept-Language": "ar"}
    ).get_data(as_text=True)
    assert "لم يُحفظ الوقت" in page


def test_the_permanent_passage_page_plays_from_the_passages_start(app, archivist, timed):
    reader = app.test_client()
    page = reader.get(f"/testimonies/{timed}/passages/p-2").get_data(as_text=True)
    assert 'id="recording-player"' in page and 'data-moment="3.25"' in page
    assert f"/testimonies/{timed}/recording#t=3.25" in page
    assert "autoplay" not in page and "listening.js" in page


def test_the_permanent_passage_page_starts_at_t(app, archivist, timed):
    page = app.test_client().get(f"/testimonies/{timed}/passages/p-2?t=5.5").get_data(as_text=True)
    assert 'data-moment="5.5"' in page and "recording#t=5.5" in page


def test_an_untimed_passage_page_has_no_player_without_t(app, archivist, tmp_path):
    import_testimony(app, tmp_path, SLUG, "\n\n".join(WORDS))
    tid = id_of(app, SLUG)
    upload(archivist, tid, TONE)
    page = app.test_client().get(f"/testimonies/{tid}/passages/p-2").get_data(as_text=True)
    assert "recording-player" not in page
