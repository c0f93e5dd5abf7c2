"""Recordings: an archivist attaches a testimony's audio or video; readers who may read the
testimony hear it, and nobody else learns it exists.

Every recording here is invented by the test itself: a tone made with Python's `wave` module,
never anyone's voice.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import wave

import jsonschema
import pytest
from sqlalchemy import select

from oralhistory.record import media
from oralhistory.record.models import ChangeLog, Recording, Revision, Testimony
from oralhistory.web import db
from tests.archive_helpers import csrf_token
from tests.conftest import import_testimony, make_app, sign_in


def tone(seconds: float = 2.0, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A WAV file of a pure tone: an invented recording, nobody's speech."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


TONE = tone()
TONE_SHA = hashlib.sha256(TONE).hexdigest()


def id_of(app, slug: str | None = None) -> int:
    with app.app_context():
        query = select(Testimony.id).order_by(Testimony.id)
        if slug:
            query = query.where(Testimony.slug == slug)
        return db.session().scalar(query.limit(1))


def upload(client, tid: int, content: bytes, name: str = "tone.wav", **kwargs):
    token = csrf_token(client, f"/archive/testimonies/{tid}/edit")
    return client.post(
        f"/archive/testimonies/{tid}/recording",
        data={"csrf_token": token, "recording": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        **kwargs,
    )


def history_of(client, tid: int) -> list[dict]:
    return client.get(f"/api/archive/testimonies/{tid}/history").get_json()["revisions"]


def media_files(app) -> list[str]:
    """Every file under the media directory, the folder of uploads in progress included."""
    root = media.Path(app.config["MEDIA_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def recording_rows(app, tid: int) -> list[Recording]:
    with app.app_context():
        return list(db.session().scalars(select(Recording).where(Recording.testimony_id == tid)))


@pytest.fixture
def archivist(app, client):
    sign_in(app, client)
    return client


def test_archivist_uploads_a_recording_kept_by_its_sha256_with_a_revision_and_change_log(
    app, archivist
):
    tid = id_of(app)
    response = upload(archivist, tid, TONE, "interview tape 1.wav", follow_redirects=True)
    assert response.status_code == 200
    assert "The recording is added" in response.get_data(as_text=True)

    kept = media.Path(app.config["MEDIA_DIR"]) / TONE_SHA[:2] / TONE_SHA
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == TONE_SHA
    assert media_files(app) == [f"{TONE_SHA[:2]}/{TONE_SHA}"]  # nothing left in .incoming

    [row] = recording_rows(app, tid)
    assert (row.part, row.sha256, row.size, row.media_type) == (1, TONE_SHA, len(TONE), "audio/wav")
    assert row.duration == pytest.approx(2.0, abs=0.01)
    assert row.original_filename == "interview tape 1.wav"
    with app.app_context():
        session = db.session()
        revision = session.scalars(
            select(Revision).where(Revision.testimony_id == tid).order_by(Revision.id.desc())
        ).first()
        change = session.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
    assert revision.author == "keeper"
    assert revision.summary.startswith("Recording added: interview tape 1.wav (WAV, 2 s")
    assert revision.snapshot["recording"]["sha256"] == TONE_SHA
    assert (change.kind, change.testimony_id, change.revision_id) == ("corrected", tid, revision.id)

    history = archivist.get(f"/archive/testimonies/{tid}/history").get_data(as_text=True)
    assert "Recording added" in history


def test_the_recording_is_served_with_ranges_etags_and_head(app, archivist, client):
    tid = id_of(app)
    upload(archivist, tid, TONE)
    url = f"/testimonies/{tid}/recording"
    reader = app.test_client()

    whole = reader.get(url)
    assert whole.status_code == 200 and whole.data == TONE
    assert whole.headers["Content-Type"] == "audio/wav"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"] == f'"{TONE_SHA}"'
    assert whole.headers["Cache-Control"] == "public, no-cache"

    part = reader.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == TONE[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(TONE)}"

    assert reader.get(url, headers={"Range": "bytes=99999999-"}).status_code == 416

    head = reader.head(url)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(TONE))

    again = reader.get(url, headers={"If-None-Match": f'"{TONE_SHA}"'})
    assert again.status_code == 304 and again.data == b""

    saved = reader.get(url, query_string={"download": "1"})
    assert saved.headers["Content-Disposition"].startswith("attachment")


def test_a_restricted_testimonys_recording_is_not_found_by_anonymous_readers(
    app, archivist, tmp_path
):
    import_testimony(app, tmp_path, "kept-apart", "Words for archivists.", access="restricted")
    tid = id_of(app, "kept-apart")
    upload(archivist, tid, TONE, "secret-name.wav")
    url = f"/testimonies/{tid}/recording"

    served = archivist.get(url, headers={"Range": "bytes=0-9"})
    assert served.status_code == 206
    assert served.headers["Cache-Control"] == "private, no-cache"

    reader = app.test_client()
    for response in (
        reader.get(url),
        reader.head(url),
        reader.get(url, headers={"Range": "bytes=0-99"}),
        reader.get(url, headers={"If-None-Match": f'"{TONE_SHA}"'}),
    ):
        assert response.status_code == 404
        for leak in (TONE_SHA, "secret-name", str(len(TONE)), "audio/wav"):
            assert leak not in response.get_data(as_text=True)
        assert "ETag" not in response.headers and "Content-Range" not in response.headers
    assert reader.get(f"/api/testimonies/{tid}").status_code == 404


def test_a_withdrawn_testimonys_recording_is_gone(app, archivist):
    tid = id_of(app)
    upload(archivist, tid, TONE)
    token = csrf_token(archivist, f"/archive/testimonies/{tid}/edit")
    withdrawn = archivist.post(
        f"/archive/testimonies/{tid}/withdraw",
        data={"csrf_token": token, "reason": "Consent revoked", "confirm": "yes"},
    )
    assert withdrawn.status_code == 302
    reader = app.test_client()
    assert reader.get(f"/testimonies/{tid}").status_code == 410
    for response in (
        reader.get(f"/testimonies/{tid}/recording"),
        reader.head(f"/testimonies/{tid}/recording"),
        reader.get(f"/testimonies/{tid}/recording", headers={"Range": "bytes=0-99"}),
    ):
        assert response.status_code == 410
        assert TONE_SHA not in response.get_data(as_text=True)


def test_a_text_file_named_mp3_is_refused_with_a_clear_message_and_nothing_stored(app, archivist):
    tid = id_of(app)
    revisions_before = len(history_of(archivist, tid))
    response = upload(
        archivist, tid, b"Not a recording, only words.\n" * 50, "song.mp3", follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "This file is text, not a recording: nothing was stored." in page
    assert "WAV, MP3, Ogg (Vorbis or Opus), FLAC" in page
    assert media_files(app) == []
    assert recording_rows(app, tid) == []
    assert len(history_of(archivist, tid)) == revisions_before


def test_the_refusal_is_in_arabic_for_an_arabic_reader(app, archivist):
    archivist.set_cookie("lang", "ar")
    tid = id_of(app)
    page = upload(archivist, tid, b"%PDF-1.7 not audio", "a.wav", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "ليس تسجيلًا" in text and "مستند PDF" in text
    assert media_files(app) == []


def test_replacing_and_removing_a_recording_keeps_only_the_current_file(app, archivist):
    tid = id_of(app)
    upload(archivist, tid, TONE, "first.wav")
    other = tone(1.0, 660.0)
    other_sha = hashlib.sha256(other).hexdigest()
    replaced = upload(archivist, tid, other, "second.wav", follow_redirects=True)
    assert "The recording is replaced" in replaced.get_data(as_text=True)
    assert media_files(app) == [f"{other_sha[:2]}/{other_sha}"]
    [row] = recording_rows(app, tid)
    assert (row.sha256, row.original_filename) == (other_sha, "second.wav")
    assert row.duration == pytest.approx(1.0, abs=0.01)

    token = csrf_token(archivist, f"/archive/testimonies/{tid}/edit")
    removed = archivist.post(
        f"/archive/testimonies/{tid}/recording/remove",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "The recording is removed" in removed.get_data(as_text=True)
    assert media_files(app) == [] and recording_rows(app, tid) == []
    assert archivist.get(f"/testimonies/{tid}/recording").status_code == 404
    summaries = [r["summary"] for r in history_of(archivist, tid)]
    assert any(s.startswith("Recording replaced: first.wav") for s in summaries)
    assert any(s.startswith("Recording removed: second.wav") for s in summaries)


def test_the_api_gives_the_recording_or_null(app, archivist):
    tid = id_of(app)
    reader = app.test_client()
    assert reader.get(f"/api/testimonies/{tid}").get_json()["recording"] is None
    upload(archivist, tid, TONE)
    found = reader.get(f"/api/testimonies/{tid}").get_json()
    assert found["recording"] == {
        "url": f"/testimonies/{tid}/recording",
        "media_type": "audio/wav",
        "duration": pytest.approx(2.0, abs=0.01),
        "sha256": TONE_SHA,
        "size": len(TONE),
        "available": True,
    }
    assert found["passages"] and found["title"]  # every other field is still there
    document = reader.get("/api/openapi.json").get_json()
    schema = {
        **document["components"]["schemas"]["Testimony"],
        "components": document["components"],
    }
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(found)) == []


def test_the_testimony_page_plays_the_recording_without_autoplay(app, archivist):
    tid = id_of(app)
    upload(archivist, tid, TONE)
    reader = app.test_client()
    page = reader.get(f"/testimonies/{tid}").get_data(as_text=True)
    assert (
        '<audio id="recording-player" controls preload="metadata" aria-labelledby="recording-h">'
        in page
    )
    assert f'<source src="/testimonies/{tid}/recording" type="audio/wav">' in page
    assert "autoplay" not in page
    assert f'href="/testimonies/{tid}/recording?download=1" download' in page
    assert "Length 0:02" in page
    reader.set_cookie("lang", "ar")
    arabic = reader.get(f"/testimonies/{tid}").get_data(as_text=True)
    assert "التسجيل" in arabic and "تنزيل التسجيل" in arabic


def test_the_edit_page_has_a_recording_form_with_its_own_token(app, archivist):
    tid = id_of(app)
    page = archivist.get(f"/archive/testimonies/{tid}/edit").get_data(as_text=True)
    assert f'action="/archive/testimonies/{tid}/recording"' in page
    assert 'accept="audio/*,video/*"' in page
    assert "This testimony has no recording yet." in page
    upload(archivist, tid, TONE, "tape.wav")
    page = archivist.get(f"/archive/testimonies/{tid}/edit").get_data(as_text=True)
    assert "tape.wav" in page and TONE_SHA in page and "Remove the recording" in page


def test_an_upload_without_its_csrf_token_stores_nothing(app, archivist):
    tid = id_of(app)
    response = archivist.post(
        f"/archive/testimonies/{tid}/recording",
        data={"recording": (io.BytesIO(TONE), "tone.wav")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert media_files(app) == [] and recording_rows(app, tid) == []


def test_a_recording_may_be_larger_than_other_forms_but_not_than_its_own_limit(
    built_archive, tmp_path
):
    from tests.conftest import copy_database

    copy_database(built_archive, tmp_path)
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=4000, MAX_RECORDING_BYTES=len(TONE) + 10)
    client = app.test_client()
    sign_in(app, client)
    tid = id_of(app)
    assert upload(client, tid, TONE).status_code == 303  # eight times the forms' limit
    assert len(recording_rows(app, tid)) == 1

    bigger = tone(3.0)
    refused = upload(client, tid, bigger)
    assert refused.status_code == 413
    assert "at most" in refused.get_data(as_text=True)
    assert recording_rows(app, tid)[0].sha256 == TONE_SHA
    assert media_files(app) == [f"{TONE_SHA[:2]}/{TONE_SHA}"]

    # readers and other forms keep the general limit: nothing reaches the media directory
    reader = app.test_client()
    anonymous = reader.post(
        f"/archive/testimonies/{tid}/recording",
        data={"recording": (io.BytesIO(bigger), "tone.wav")},
        content_type="multipart/form-data",
    )
    assert anonymous.status_code in (302, 413)
    assert media_files(app) == [f"{TONE_SHA[:2]}/{TONE_SHA}"]


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00\x00\x00\x00", "audio/mpeg"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis", "audio/ogg"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", "audio/ogg"),
        (b"fLaC\x00\x00\x00\x22", "audio/flac"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "video/x-matroska"),
    ],
)
def test_the_kind_of_media_is_read_from_the_first_bytes(head, media_type):
    assert media.sniff(head).media_type == media_type


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b"", "an empty file"),
        (b"Plain words", "text"),
        (b"%PDF-1.4", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "a RIFF file of another kind than WAVE"),
        (b"\x00\x01\x02\x03\xfe\xfd\xfc\xfb\x00\x00", "a file beginning with the bytes 00 01"),
    ],
)
def test_what_is_not_media_is_named(head, found):
    assert media.sniff(head) is None
    assert media.what_it_is(head).startswith(found)


def test_an_upload_to_a_testimony_that_does_not_exist_leaves_nothing(app, archivist):
    tid = id_of(app)
    token = csrf_token(archivist, f"/archive/testimonies/{tid}/edit")
    response = archivist.post(
        "/archive/testimonies/999999/recording",
        data={"csrf_token": token, "recording": (io.BytesIO(TONE), "tone.wav")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert media_files(app) == []


def test_the_same_file_for_two_testimonies_is_kept_once_and_outlives_one_removal(
    app, archivist, tmp_path
):
    import_testimony(app, tmp_path, "second-telling", "Another telling.")
    first, second = id_of(app), id_of(app, "second-telling")
    upload(archivist, first, TONE)
    upload(archivist, second, TONE)
    assert media_files(app) == [f"{TONE_SHA[:2]}/{TONE_SHA}"]
    token = csrf_token(archivist, f"/archive/testimonies/{first}/edit")
    archivist.post(f"/archive/testimonies/{first}/recording/remove", data={"csrf_token": token})
    assert media_files(app) == [f"{TONE_SHA[:2]}/{TONE_SHA}"]
    assert app.test_client().get(f"/testimonies/{second}/recording").data == TONE
