"""OHMS XML both ways: an archivist's OHMS record (index points, transcript sync) gives the
passages their times, from the edit page or a testimony file's front matter; the archive's
own OHMS export is valid against the published OHMS schema and reads back in.

Everything here is invented by the test: a tone for the recording, made-up words for the
testimony and the index; never anyone's voice or words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import select

from oralhistory.record.models import ChangeLog, Testimony
from oralhistory.web import db
from tests.conftest import import_testimony, run_cli, sign_in
from tests.test_passage_times import TIMED_VTT, TONE, WORDS, send_vtt, times
from tests.test_recording_files import SLUG, write_testimony
from tests.test_recording_interop import timed_with_a_link
from tests.test_recordings import id_of, media_files, tone, upload

SCHEMA = Path(__file__).parent / "schemas" / "ohms.xsd"


@pytest.fixture
def archivist(app, client):
    sign_in(app, client)
    return client


@pytest.fixture
def invented(app, tmp_path) -> int:
    import_testimony(app, tmp_path, SLUG, "\n\n".join(WORDS))
    return id_of(app, SLUG)


@pytest.fixture
def folder(tmp_path) -> Path:
    found = tmp_path / "collection"
    found.mkdir()
    (found / "tone.wav").write_bytes(TONE)
    (found / "times.vtt").write_text(TIMED_VTT, encoding="utf-8")
    return found


def ohms(points: str, sync: str = "", transcript: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ROOT xmlns="https://www.weareavp.com/nunncenter/ohms">
  <record id="7" dt="2026-01-02">
    <version>5.4</version>
    <title>An invented interview</title>
    <sync>{sync}</sync>
    <index>{points}
    </index>
    <transcript>{transcript}</transcript>
  </record>
</ROOT>
"""


def point(time: str, title: str = "", partial: str = "", extra: str = "") -> str:
    return f"""
      <point>
        <time>{time}</time>
        <title>{title}</title>
        <title_alt>عنوان مخترع</title_alt>
        <partial_transcript>{partial}</partial_transcript>
        <synopsis>An invented synopsis.</synopsis>
        <keywords>lanterns;boats</keywords>{extra}
      </point>"""


GPS = """
        <gpspoints><gps>36.2, 37.1</gps><gps_zoom>17</gps_zoom><gps_text>Quay</gps_text></gpspoints>
        <hyperlinks><hyperlink>https://example.org/</hyperlink><hyperlink_text>More</hyperlink_text></hyperlinks>"""


def test_ohms_index_points_time_the_passages_their_titles_name(app, archivist, invented):
    upload(archivist, invented, TONE)
    record = ohms(point("2", "Arrival (p-1)") + point("9", "p-3: bread", extra=GPS))
    assert send_vtt(archivist, invented, record, name="index.xml").status_code == 303
    found = times(archivist, invented)
    assert found["p-1"] == (2.0, None, "imported")
    assert found["p-3"] == (9.0, None, "imported")
    assert found["p-2"] == (None, None, None)
    with app.app_context():
        change = (
            db.session()
            .scalars(
                select(ChangeLog)
                .where(ChangeLog.testimony_id == invented)
                .order_by(ChangeLog.id.desc())
            )
            .first()
        )
    assert "Times imported from index.xml: 2 passages" in change.summary
    assert "not kept" in change.summary and "gpspoints (1)" in change.summary
    assert "synopsis (2)" in change.summary and "title_alt (2)" in change.summary


def test_ohms_index_points_find_their_passages_by_their_first_words(app, archivist, invented):
    upload(archivist, invented, TONE)
    record = ohms(
        point("4", "The bell", "Then the QWINDLE bell rang, twice…")
        + point("8", "Bread", "By evening the frobnar bakers had shared")
    )
    assert send_vtt(archivist, invented, record, name="index.xml").status_code == 303
    found = times(archivist, invented)
    assert (found["p-2"][0], found["p-3"][0]) == (4.0, 8.0)
    assert found["p-1"][0] is None


def test_ohms_index_points_naming_nothing_time_the_passages_in_order(app, archivist, invented):
    upload(archivist, invented, TONE)
    record = ohms(point("1", "One") + point("5", "Two") + point("10", "Three"))
    assert send_vtt(archivist, invented, record, name="index.xml").status_code == 303
    assert [t[0] for t in times(archivist, invented).values()] == [1.0, 5.0, 10.0]


def test_the_ohms_transcript_sync_times_each_passage_it_finds(app, archivist, invented):
    upload(archivist, invented, tone(seconds=180.0, rate=2000))
    # a mark every minute: minute 1 ends at line 2, word 1 (the start of the second passage)
    transcript = "\n".join(WORDS)
    record = ohms("", sync="1:|2(1)|3(1)", transcript=transcript)
    assert send_vtt(archivist, invented, record, name="sync.xml").status_code == 303
    found = times(archivist, invented)
    assert [found[a][0] for a in ("p-1", "p-2", "p-3")] == [0.0, 60.0, 120.0]


@pytest.mark.parametrize(
    ("record", "words"),
    [
        (ohms(point("3", "p-1")).replace("</time>", "</tme>"), "Line 9 of the OHMS file is not"),
        (ohms(point("soon", "p-1")), "line 8"),
        (ohms(point("3", "p-1") + point("4", "an unknown point")), "line 16"),
        (ohms(point("3", "p-1") + point("4", "again p-1")), "lines 8 and 16"),
        (ohms("", sync="one:|2(1)"), "line 6"),
        ("<html><body>not ohms</body></html>", "not an OHMS record"),
    ],
)
def test_a_malformed_ohms_file_is_refused_naming_the_line_and_nothing_is_stored(
    app, archivist, invented, record, words
):
    upload(archivist, invented, TONE)
    send_vtt(archivist, invented, ohms(point("1", "p-2")), name="first.xml")
    before = times(archivist, invented)
    page = send_vtt(archivist, invented, record, name="bad.xml", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "The times were not stored" in text and words in text
    assert times(archivist, invented) == before


def test_a_testimony_file_takes_its_times_from_an_ohms_record(app, client, folder):
    (folder / "index.xml").write_text(
        ohms(point("1.5", "p-1") + point("6", "p-2")), encoding="utf-8"
    )
    path = write_testimony(folder, "recording:\n  file: tone.wav\n  timecodes: index.xml")
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    found = times(client, id_of(app, SLUG))
    assert (found["p-1"][0], found["p-2"][0], found["p-3"][0]) == (1.5, 6.0, None)


def test_a_testimony_files_malformed_ohms_record_is_refused_with_its_line(app, folder):
    (folder / "index.xml").write_text(ohms(point("soon", "p-1")), encoding="utf-8")
    path = write_testimony(folder, "recording:\n  file: tone.wav\n  timecodes: index.xml")
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0
    assert "index.xml" in result.output and "line 8" in result.output
    with app.app_context():
        assert db.session().scalar(select(Testimony).where(Testimony.slug == SLUG)) is None
    assert media_files(app) == []


def test_the_ohms_export_is_valid_against_the_published_ohms_schema(app, archivist, tmp_path):
    tid = timed_with_a_link(app, archivist, tmp_path)
    response = app.test_client().get(f"/testimonies/{tid}/ohms.xml")
    assert response.status_code == 200
    xmlschema.XMLSchema(str(SCHEMA)).validate(response.data)


def test_the_ohms_export_reads_back_in_with_the_same_starts(app, archivist, tmp_path):
    tid = timed_with_a_link(app, archivist, tmp_path)
    exported = app.test_client().get(f"/testimonies/{tid}/ohms.xml").data
    before = {a: t[0] for a, t in times(archivist, tid).items()}
    # forget the times, then read the export back in
    assert (
        send_vtt(
            archivist,
            tid,
            ohms(point("0", "p-1") + point("1", "p-2") + point("2", "p-3")),
            name="x.xml",
        ).status_code
        == 303
    )
    assert send_vtt(archivist, tid, exported, name="ohms.xml").status_code == 303
    after = {a: t[0] for a, t in times(archivist, tid).items()}
    assert after == {a: float(int(s)) for a, s in before.items()}
