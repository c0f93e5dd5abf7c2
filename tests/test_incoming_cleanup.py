"""Half-received uploads: a process killed while receiving a recording leaves its part-file in
the media directory's `.incoming/`. The next start removes those not written to for an hour
(an upload being received is written to every few seconds), and `flask check` says so; a
younger one is left alone and reported as in progress.
"""

from __future__ import annotations

import os
import time

from tests.conftest import copy_database, make_app, run_cli

HOUR = 3600


def left_behind(media_dir, name: str, size: int, age: float):
    folder = media_dir / ".incoming"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"\0" * size)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_an_upload_cut_off_more_than_an_hour_ago_is_removed_at_start_and_reported(
    built_archive, tmp_path
):
    copy_database(built_archive, tmp_path)
    media_dir = tmp_path / "media"
    stale = left_behind(media_dir, "upload-killed", 4096, 2 * HOUR)
    fresh = left_behind(media_dir, "upload-now", 1024, 5)
    app = make_app(tmp_path)
    assert not stale.exists()
    assert fresh.exists()
    result = run_cli(app, "check")
    assert "Removed a half-received upload left by an interrupted process" in result.output
    assert ".incoming/upload-killed (4096 bytes)" in result.output
    assert "An upload is being received" in result.output
    assert ".incoming/upload-now (1024 bytes)" in result.output


def test_a_media_directory_without_leftovers_starts_and_checks_quietly(app):
    result = run_cli(app, "check")
    assert "half-received" not in result.output and "being received" not in result.output
