"""Passage times: an archivist sets where each passage is heard in the recording (from a
WebVTT file or by hand), readers jump to a passage's moment and get the times as WebVTT.

Everything here is invented by the test: a tone made with Python's `wave` module for the
recording, and made-up words for the testimony; never anyone's voice or words.
"""

from __future__ import annotations

import io
import re

import pytest
import webvtt
from sqlalchemy import select

from oralhistory.record.models import ChangeLog, Revision
from oralhistory.web import db
from tests.archive_helpers import csrf_token, submit
from tests.conftest import import_testimony, sign_in
from tests.test_archivists import edit_form
from tests.test_recordings import id_of, tone, upload

WORDS = [
    "Zorbel lanterns hummed along the quay of the invented town.",
    "Then the qwindle bell rang twice and everyone counted the boats.",
    "By evening the frobnar bakers had shared their bread with the whole street.",
]
TONE = tone(seconds=12.0)

TIMED_VTT = """WEBVTT

NOTE invented times for an invented testimony

p-1
00:00:00.500 --> 00:00:03.250
Zorbel lanterns

p-2
00:00:03.250 --> 00:00:07.125
qwindle bell

p-3
00:00:07.125 --> 00:00:11.000
frobnar bakers
"""


@pytest.fixture
def archivist(app, client):
    sign_in(app, client)
    return client


@pytest.fixture
def invented(app, tmp_path) -> int:
    """An invented testimony of three passages, with a tone as its recording."""
    import_testimony(app, tmp_path, "zorbel-quay", "\n\n".join(WORDS))
    return id_of(app, "zorbel-quay")


def send_vtt(client, tid: int, text: str | bytes, name: str = "times.vtt", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    token = csrf_token(client, f"/archive/testimonies/{tid}/edit")
    return client.post(
        f"/archive/testimonies/{tid}/timecodes",
        data={"csrf_token": token, "timecodes": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        **kwargs,
    )


def times(client, tid: int) -> dict[str, tuple]:
    passages = client.get(f"/api/testimonies/{tid}").get_json()["passages"]
    return {p["anchor"]: (p["start"], p["end"], p["timing"]) for p in passages}


def test_webvtt_uploaded_by_the_archivist_comes_back_with_the_same_times(app, archivist, invented):
    upload(archivist, invented, TONE)
    response = send_vtt(archivist, invented, TIMED_VTT, follow_redirects=True)
    assert response.status_code == 200
    assert "The passages’ times are set" in response.get_data(as_text=True)
    assert times(archivist, invented) == {
        "p-1": (0.5, 3.25, "imported"),
        "p-2": (3.25, 7.125, "imported"),
        "p-3": (7.125, 11.0, "imported"),
    }
    # a revision and a change-log entry, like every other write
    with app.app_context():
        session = db.session()
        revision = session.scalars(
            select(Revision).where(Revision.testimony_id == invented).order_by(Revision.id.desc())
        ).first()
        change = session.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
    assert revision.summary == "Times imported from times.vtt: 3 passages (p-1 to p-3)"
    assert revision.snapshot["times"][1] == {
        "anchor": "p-2",
        "start": 3.25,
        "end": 7.125,
        "timing": "imported",
    }
    assert (change.kind, change.revision_id) == ("corrected", revision.id)

    served = archivist.get(f"/testimonies/{invented}/transcript.vtt")
    assert served.status_code == 200
    assert served.mimetype == "text/vtt"
    cues = webvtt.from_string(served.get_data(as_text=True))
    assert [(c.identifier, c.start, c.end) for c in cues] == [
        ("p-1", "00:00:00.500", "00:00:03.250"),
        ("p-2", "00:00:03.250", "00:00:07.125"),
        ("p-3", "00:00:07.125", "00:00:11.000"),
    ]
    assert cues[1].text == WORDS[1]
    # read back and sent again, it changes nothing
    again = send_vtt(archivist, invented, served.get_data(), follow_redirects=True)
    assert "already" in again.get_data(as_text=True)


def test_cues_without_identifiers_are_matched_in_order(archivist, invented):
    unnamed = re.sub(r"\np-\d\n", "\n", TIMED_VTT)
    assert "p-1" not in unnamed
    assert send_vtt(archivist, invented, unnamed).status_code == 303
    assert times(archivist, invented)["p-3"] == (7.125, 11.0, "imported")


@pytest.mark.parametrize(
    ("vtt", "said"),
    [
        ("not a caption file at all", "The file is not WebVTT"),
        (TIMED_VTT.replace("00:00:03.250 --> 00:00:07.125", "00:00:03.250 --> 7s"), "line 10"),
        (TIMED_VTT.replace("p-2\n", "p-9\n"), "Cue p-9 (line 10 of the WebVTT file) names no"),
        (
            TIMED_VTT.replace("00:00:07.125 --> 00:00:11.000", "00:00:11.000 --> 00:00:07.125"),
            "Cue p-3",
        ),
        (
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nonly one\n",
            "1 cues without passage identifiers",
        ),
    ],
)
def test_a_bad_webvtt_file_is_refused_naming_the_cue_and_nothing_is_stored(
    app, archivist, invented, vtt, said
):
    revisions_before = len(
        archivist.get(f"/api/archive/testimonies/{invented}/history").get_json()["revisions"]
    )
    response = send_vtt(archivist, invented, vtt, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The times were not stored" in page
    assert said in page
    assert set(times(archivist, invented).values()) == {(None, None, None)}
    history = archivist.get(f"/api/archive/testimonies/{invented}/history").get_json()
    assert len(history["revisions"]) == revisions_before


def test_the_refusal_is_in_arabic_for_an_arabic_reader(archivist, invented):
    archivist.set_cookie("lang", "ar")
    page = send_vtt(archivist, invented, "nonsense", follow_redirects=True).get_data(as_text=True)
    assert "WEBVTT" in page
    assert "The times were not stored" not in page


def test_the_archivist_types_a_start_time_by_hand_in_the_correction_form(archivist, invented):
    upload(archivist, invented, TONE)
    form = edit_form(archivist, invented)
    assert form["start_2"] == ""
    form["start_2"] = "0:04"
    form["start_3"] = "0:08.5"
    response = submit(archivist, f"/archive/testimonies/{invented}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert times(archivist, invented) == {
        "p-1": (None, None, None),
        "p-2": (4.0, None, "manual"),
        "p-3": (8.5, None, "manual"),
    }
    # the form shows them again, and saving it unchanged keeps them as they are
    form = edit_form(archivist, invented)
    assert (form["start_2"], form["start_3"]) == ("0:04", "0:08.5")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("soon", "The start of passage 2, ‘soon’, is not a time"),
        ("1:75", "is not a time"),
        ("0:30", "is after the end of the recording (0:12)"),
    ],
)
def test_a_start_time_that_is_not_a_time_is_refused_with_a_message(
    archivist, invented, typed, said
):
    upload(archivist, invented, TONE)
    form = edit_form(archivist, invented)
    form["start_2"] = typed
    response = submit(archivist, f"/archive/testimonies/{invented}/edit", form)
    assert response.status_code == 422 or response.status_code == 400
    assert said in response.get_data(as_text=True)
    assert times(archivist, invented)["p-2"] == (None, None, None)


def test_a_correction_keeps_the_times_and_marks_a_passage_whose_words_changed(
    app, archivist, invented
):
    send_vtt(archivist, invented, TIMED_VTT)
    form = edit_form(archivist, invented)
    form["passage_2"] = form["passage_2"].replace("twice", "three times")
    assert submit(archivist, f"/archive/testimonies/{invented}/edit", form).status_code == 302
    assert times(archivist, invented) == {
        "p-1": (0.5, 3.25, "imported"),
        "p-2": (3.25, 7.125, "imported"),
        "p-3": (7.125, 11.0, "imported"),
    }
    passages = archivist.get(f"/api/testimonies/{invented}").get_json()["passages"]
    assert [p["timing_stale"] for p in passages] == [False, True, False]
    # a time set again by hand is checked: no longer marked
    form = edit_form(archivist, invented)
    form["start_2"] = "0:03.5"
    assert submit(archivist, f"/archive/testimonies/{invented}/edit", form).status_code == 302
    passages = archivist.get(f"/api/testimonies/{invented}").get_json()["passages"]
    assert [(p["start"], p["timing"], p["timing_stale"]) for p in passages][1] == (
        3.5,
        "manual",
        False,
    )


def test_transcript_vtt_is_not_found_for_a_restricted_testimony_and_gone_when_withdrawn(
    app, archivist, invented, tmp_path
):
    import_testimony(
        app, tmp_path, "kept-apart", "Invented words, for archivists.", access="restricted"
    )
    restricted = id_of(app, "kept-apart")
    reader = app.test_client()
    assert reader.get(f"/testimonies/{restricted}/transcript.vtt").status_code == 404
    assert archivist.get(f"/testimonies/{restricted}/transcript.vtt").status_code == 200

    send_vtt(archivist, invented, TIMED_VTT)
    assert "qwindle" in reader.get(f"/testimonies/{invented}/transcript.vtt").get_data(as_text=True)
    token = csrf_token(archivist, f"/archive/testimonies/{invented}/edit")
    withdrawn = archivist.post(
        f"/archive/testimonies/{invented}/withdraw",
        data={"csrf_token": token, "reason": "Invented reason", "confirm": "yes"},
    )
    assert withdrawn.status_code == 302
    gone = reader.get(f"/testimonies/{invented}/transcript.vtt")
    assert gone.status_code == 410
    assert "qwindle" not in gone.get_data(as_text=True)


def test_the_page_links_each_timed_passage_to_its_moment_and_starts_at_t(app, archivist, invented):
    upload(archivist, invented, TONE)
    send_vtt(archivist, invented, TIMED_VTT)
    reader = app.test_client()
    page = reader.get(f"/testimonies/{invented}").get_data(as_text=True)
    assert f'href="/testimonies/{invented}/recording#t=3.25"' in page
    assert "listen from here" in page
    assert "listening.js" in page
    assert "autoplay" not in page
    at = reader.get(f"/testimonies/{invented}?t=5").get_data(as_text=True)
    assert f'src="/testimonies/{invented}/recording#t=5"' in at
    heard = re.search(r'<section class="passage heard" id="(p-\d+)"[^>]*aria-current="true"', at)
    assert heard and heard.group(1) == "p-2"
    arabic = reader.get(f"/testimonies/{invented}", headers={"Accept-Language": "ar"})
    assert "listen from here" not in arabic.get_data(as_text=True)


def test_a_video_gets_the_passages_as_its_captions_track(app, archivist, invented):
    with app.app_context():
        from oralhistory.record.models import Recording

        upload(archivist, invented, TONE)
        session = db.session()
        recording = session.scalar(select(Recording).where(Recording.testimony_id == invented))
        recording.media_type = "video/webm"  # as a video's row says; the page reads the row
        session.commit()
    page = app.test_client().get(f"/testimonies/{invented}").get_data(as_text=True)
    assert f'<track kind="captions" src="/testimonies/{invented}/transcript.vtt"' in page


def test_the_api_gives_each_passage_its_start_end_and_timing(app, archivist, invented):
    send_vtt(archivist, invented, TIMED_VTT)
    passage = app.test_client().get(f"/api/testimonies/{invented}").get_json()["passages"][0]
    assert (passage["start"], passage["end"], passage["timing"]) == (0.5, 3.25, "imported")
    untimed = app.test_client().get(f"/api/testimonies/{id_of(app)}").get_json()["passages"][0]
    assert (untimed["start"], untimed["end"], untimed["timing"]) == (None, None, None)


def test_a_search_hit_carries_its_passage_start_and_plays_from_there(
    app, archivist, invented, tmp_path
):
    import_testimony(app, tmp_path, "untimed-quay", "Another qwindle rang, untimed and invented.")
    untimed_id = id_of(app, "untimed-quay")
    send_vtt(archivist, invented, TIMED_VTT)
    hits = app.test_client().get("/api/search?q=qwindle").get_json()["hits"]
    by_testimony = {hit["testimony"]["id"]: hit["passage"] for hit in hits}
    assert by_testimony[invented]["start"] == 3.25
    assert by_testimony[invented]["url"] == f"/testimonies/{invented}?t=3.25#p-2"
    assert by_testimony[untimed_id]["start"] is None
    assert by_testimony[untimed_id]["url"] == f"/testimonies/{untimed_id}#p-1"
