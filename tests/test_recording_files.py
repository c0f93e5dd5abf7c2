"""Recordings as files of the collection: a testimony file names its recording and its
timecodes (`recording: {file, timecodes}`), `flask export` writes them back out with their
SHA-256, backups carry them, and `flask check` finds a recording missing or altered, which
readers then see marked as unavailable.

Everything here is invented by the test: a tone made with Python's `wave` module for the
recording, and made-up words for the testimony; never anyone's voice or words.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from oralhistory.record.models import ChangeLog, Testimony
from oralhistory.web import db
from tests.conftest import TESTIMONY, make_app, run_cli
from tests.test_backup import _empty_database
from tests.test_passage_times import TIMED_VTT, WORDS
from tests.test_recordings import id_of, media_files, tone

TONE = tone(seconds=12.0)
TONE_SHA = hashlib.sha256(TONE).hexdigest()
SLUG = "zorbel-quay"


def write_testimony(folder: Path, recording: str | None, slug: str = SLUG) -> Path:
    """An invented testimony of three passages in `folder`, its front matter ending with
    `recording` (YAML lines) when given."""
    text = TESTIMONY.format(slug=slug, text="\n\n".join(WORDS))
    if recording:
        text = text.replace("access: public\n", f"access: public\n{recording}\n")
    path = folder / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, words: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), 1) if words in line)


@pytest.fixture
def folder(tmp_path) -> Path:
    found = tmp_path / "collection"
    found.mkdir()
    (found / "tone.wav").write_bytes(TONE)
    (found / "times.vtt").write_text(TIMED_VTT, encoding="utf-8")
    return found


RECORDING = "recording:\n  file: tone.wav\n  timecodes: times.vtt"


def times(client, tid: int) -> dict[str, tuple]:
    passages = client.get(f"/api/testimonies/{tid}").get_json()["passages"]
    return {p["anchor"]: (p["start"], p["end"], p["timing"]) for p in passages}


TIMES = {
    "p-1": (0.5, 3.25, "imported"),
    "p-2": (3.25, 7.125, "imported"),
    "p-3": (7.125, 11.0, "imported"),
}


def imported(app, folder: Path, recording: str = RECORDING) -> int:
    result = run_cli(app, "import", str(write_testimony(folder, recording)))
    assert result.exit_code == 0, result.output
    return id_of(app, SLUG)


# --- import ---------------------------------------------------------------------------------


def test_a_testimony_file_brings_its_recording_and_its_times(app, client, folder):
    result = run_cli(app, "import", str(write_testimony(folder, RECORDING)))
    assert result.exit_code == 0, result.output
    assert "with its recording" in result.output
    tid = id_of(app, SLUG)
    recording = client.get(f"/api/testimonies/{tid}").get_json()["recording"]
    assert (recording["sha256"], recording["size"]) == (TONE_SHA, len(TONE))
    assert recording["media_type"] == "audio/wav" and recording["available"] is True
    assert client.get(f"/testimonies/{tid}/recording").data == TONE
    assert times(client, tid) == TIMES
    with app.app_context():
        change = (
            db.session()
            .scalars(
                select(ChangeLog).where(ChangeLog.testimony_id == tid).order_by(ChangeLog.id.desc())
            )
            .first()
        )
        assert "with its recording tone.wav" in change.summary


def test_a_recording_without_timecodes_is_stored_and_the_import_says_it_has_no_times(
    app, client, folder
):
    path = write_testimony(folder, "recording:\n  file: tone.wav")
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "no times yet" in result.output
    assert "queued for automatic alignment" in result.output
    tid = id_of(app, SLUG)
    assert client.get(f"/api/testimonies/{tid}").get_json()["recording"]["sha256"] == TONE_SHA
    assert set(times(client, tid).values()) == {(None, None, None)}


def _refused(app, path: Path) -> str:
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0
    with app.app_context():
        assert db.session().scalar(select(Testimony).where(Testimony.slug == SLUG)) is None
    assert media_files(app) == []
    return result.output


def test_a_missing_recording_is_refused_naming_the_file_and_line_and_nothing_is_stored(app, folder):
    path = write_testimony(folder, "recording:\n  file: nowhere.wav")
    output = _refused(app, path)
    assert f"{path}:{line_of(path, 'file: nowhere.wav')}:" in output
    assert "'nowhere.wav' is not found" in output


def test_a_document_named_wav_is_refused_by_its_content(app, folder):
    (folder / "tone.wav").write_bytes(b"%PDF-1.4 invented document")
    path = write_testimony(folder, RECORDING)
    output = _refused(app, path)
    assert f"{path}:{line_of(path, 'file: tone.wav')}:" in output
    assert "a PDF document, not a recording" in output


def test_a_recording_larger_than_the_limit_is_refused(folder, tmp_path):
    small = make_app(tmp_path / "small", MAX_RECORDING_BYTES=1000)
    (tmp_path / "small").mkdir()
    assert run_cli(small, "init").exit_code == 0
    output = _refused(small, write_testimony(folder, RECORDING))
    assert "larger than 1000 bytes" in output


def test_timecodes_naming_no_passage_are_refused_and_nothing_is_stored(app, folder):
    (folder / "times.vtt").write_text(TIMED_VTT.replace("p-3", "p-9"), encoding="utf-8")
    path = write_testimony(folder, RECORDING)
    output = _refused(app, path)
    assert f"{path}:{line_of(path, 'timecodes: times.vtt')}:" in output
    assert "Cue p-9" in output


def test_timecodes_that_are_not_webvtt_are_refused_naming_the_line(app, folder):
    (folder / "times.vtt").write_text("invented nonsense", encoding="utf-8")
    path = write_testimony(folder, RECORDING)
    output = _refused(app, path)
    assert f"{path}:{line_of(path, 'timecodes: times.vtt')}:" in output
    assert "WEBVTT" in output


# --- export and backup ----------------------------------------------------------------------


def test_export_then_init_restores_the_recording_byte_for_byte_and_its_times(
    app, client, folder, tmp_path
):
    tid = imported(app, folder)
    export = tmp_path / "export"
    result = run_cli(app, "export", str(export))
    assert result.exit_code == 0, result.output
    written = export / "testimonies" / f"{SLUG}.recording.wav"
    assert hashlib.sha256(written.read_bytes()).hexdigest() == TONE_SHA
    assert (export / "recordings.sha256").read_text() == (
        f"{TONE_SHA}  testimonies/{SLUG}.recording.wav\n"
    )
    front = (export / "testimonies" / f"{SLUG}.md").read_text()
    assert f"recording:\n  file: {SLUG}.recording.wav\n  timecodes: {SLUG}.vtt\n" in front
    assert (
        "p-2\n00:00:03.250 --> 00:00:07.125" in (export / "testimonies" / f"{SLUG}.vtt").read_text()
    )

    (tmp_path / "rebuilt").mkdir()
    rebuilt = make_app(tmp_path / "rebuilt", TRANSCRIPTS_DIR=str(export))
    result = run_cli(rebuilt, "init")
    assert result.exit_code == 0, result.output
    reader = rebuilt.test_client()
    recording = reader.get(f"/api/testimonies/{tid}").get_json()["recording"]
    assert (recording["sha256"], recording["available"]) == (TONE_SHA, True)
    assert hashlib.sha256(reader.get(f"/testimonies/{tid}/recording").data).hexdigest() == TONE_SHA
    assert times(reader, tid) == times(client, tid) == TIMES


def test_a_plain_import_of_an_export_restores_the_recording_and_times(app, folder, tmp_path):
    imported(app, folder)
    export = tmp_path / "export"
    assert run_cli(app, "export", str(export)).exit_code == 0
    (export / "archive.json").unlink()  # as a person would copy the testimony files alone
    other = make_app(tmp_path / "other")
    (tmp_path / "other").mkdir()
    assert run_cli(other, "init").exit_code == 0
    result = run_cli(other, "import", str(export / "testimonies" / f"{SLUG}.md"))
    assert result.exit_code == 0, result.output
    reader, tid = other.test_client(), id_of(other, SLUG)
    assert reader.get(f"/testimonies/{tid}/recording").data == TONE
    assert times(reader, tid) == TIMES


def test_a_backup_carries_the_recordings_and_restore_puts_them_back(app, folder, tmp_path):
    tid = imported(app, folder)
    bag = tmp_path / "bag"
    result = run_cli(app, "backup", str(bag))
    assert result.exit_code == 0, result.output
    manifest = (bag / "manifest-sha256.txt").read_text()
    assert f"{TONE_SHA}  data/collection/testimonies/{SLUG}.recording.wav" in manifest

    (tmp_path / "restored").mkdir()
    restored = make_app(tmp_path / "restored", DATABASE_URL=_empty_database(tmp_path / "restored"))
    result = run_cli(restored, "restore", str(bag))
    assert result.exit_code == 0, result.output
    assert media_files(restored) == [f"{TONE_SHA[:2]}/{TONE_SHA}"]
    reader = restored.test_client()
    assert reader.get(f"/testimonies/{tid}/recording").data == TONE
    assert times(reader, tid) == TIMES


def test_an_export_refuses_to_write_a_recording_whose_file_is_missing(app, folder, tmp_path):
    imported(app, folder)
    (Path(app.config["MEDIA_DIR"]) / TONE_SHA[:2] / TONE_SHA).unlink()
    result = run_cli(app, "export", str(tmp_path / "export"))
    assert result.exit_code != 0
    assert f"the recording of testimony {SLUG} is missing" in result.output
    assert not (tmp_path / "export").exists()


# --- fixity ---------------------------------------------------------------------------------


def kept_file(app) -> Path:
    return Path(app.config["MEDIA_DIR"]) / TONE_SHA[:2] / TONE_SHA


def assert_unavailable(client, tid: int) -> None:
    assert client.get(f"/api/testimonies/{tid}").get_json()["recording"]["available"] is False
    page = client.get(f"/testimonies/{tid}").get_data(as_text=True)
    assert "The recording cannot be played right now." in page
    assert 'id="recording-player"' not in page and "listen from here" not in page
    served = client.get(f"/testimonies/{tid}/recording")
    assert served.status_code == 503
    assert "The recording cannot be played right now." in served.get_data(as_text=True)
    client.set_cookie("lang", "ar")
    assert "لا يمكن تشغيل التسجيل الآن." in client.get(f"/testimonies/{tid}").get_data(as_text=True)
    served = client.get(f"/testimonies/{tid}/recording")
    assert served.status_code == 503
    assert "لا يمكن تشغيل التسجيل الآن." in served.get_data(as_text=True)
    client.delete_cookie("lang")


def test_check_passes_when_every_recording_is_whole(app, folder):
    imported(app, folder)
    result = run_cli(app, "check")
    assert result.exit_code == 0, result.output
    assert "Every recording is as recorded: 1 file(s) checked." in result.output


def test_check_reports_a_missing_recording_and_readers_see_it_unavailable(app, client, folder):
    tid = imported(app, folder)
    kept_file(app).unlink()
    result = run_cli(app, "check")
    assert result.exit_code != 0
    assert f"The recording of testimony {tid} ({SLUG}), tone.wav" in result.output
    assert "is missing" in result.output
    assert_unavailable(client, tid)


def test_check_finds_an_altered_file_of_the_same_size_and_clears_it_once_mended(
    app, client, folder
):
    tid = imported(app, folder)
    damaged = bytearray(TONE)
    damaged[-1] ^= 0xFF
    kept_file(app).write_bytes(bytes(damaged))
    result = run_cli(app, "check")
    assert result.exit_code != 0
    assert f"testimony {tid} ({SLUG}), tone.wav" in result.output
    assert "does not match its SHA-256" in result.output
    assert_unavailable(client, tid)

    kept_file(app).write_bytes(TONE)  # put back from a copy
    result = run_cli(app, "check")
    assert result.exit_code == 0, result.output
    assert client.get(f"/api/testimonies/{tid}").get_json()["recording"]["available"] is True
    assert client.get(f"/testimonies/{tid}/recording").data == TONE


def test_a_file_of_another_size_is_unavailable_even_before_check(app, client, folder):
    tid = imported(app, folder)
    kept_file(app).write_bytes(TONE[:-100])
    assert_unavailable(client, tid)
