"""`ORALHISTORY_MEDIA_ACCEL`: the app decides who may hear a recording, nginx sends its bytes.

With the setting, the recording's address answers (after the access check) with
`X-Accel-Redirect` to the file's place under the internal location and no body; Debian's
nginx with `deploy/nginx.conf` in front then sends the file with Range support, keeps a
restricted testimony's recording from anonymous readers, and does not serve the internal
location to anyone asking for it directly.

Everything here is invented by the test: tones for the recordings, made-up words.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
from pathlib import Path

import pytest

from benchmarks.slow_clients import NGINX, start_gunicorn, start_nginx, stop
from tests.archive_helpers import csrf_token
from tests.conftest import copy_database, make_app, run_cli, sign_in
from tests.test_recording_files import write_testimony
from tests.test_recordings import id_of, tone

PUBLIC_TONE = tone(seconds=3.0, frequency=440.0)
RESTRICTED_TONE = tone(seconds=3.0, frequency=523.0)
ACCEL = "/_media/"
needs_nginx = pytest.mark.skipif(
    not NGINX.exists(), reason="needs Debian's nginx (.ci/run installs nginx-light)"
)


def archive_with_recordings(source: Path, tmp: Path, **config) -> object:
    """A copy of the first collection with two invented testimonies, each with a tone: one
    public (`aural-quay`), one restricted (`hidden-quay`)."""
    copy_database(source, tmp)
    shutil.copytree(source / "index", tmp / "index")
    app = make_app(tmp, **config)
    folder = tmp / "collection"
    folder.mkdir()
    (folder / "public.wav").write_bytes(PUBLIC_TONE)
    (folder / "restricted.wav").write_bytes(RESTRICTED_TONE)
    write_testimony(folder, "recording:\n  file: public.wav", slug="aural-quay")
    hidden = write_testimony(folder, "recording:\n  file: restricted.wav", slug="hidden-quay")
    hidden.write_text(hidden.read_text().replace("access: public", "access: restricted"))
    for slug in ("aural-quay", "hidden-quay"):
        result = run_cli(app, "import", str(folder / f"{slug}.md"))
        assert result.exit_code == 0, result.output
    return app


def test_with_media_accel_the_app_answers_with_the_files_place_and_no_body(built_archive, tmp_path):
    app = archive_with_recordings(built_archive, tmp_path, MEDIA_ACCEL=ACCEL)
    reader = app.test_client()
    public = id_of(app, "aural-quay")
    answer = reader.get(f"/testimonies/{public}/recording", headers={"Range": "bytes=0-9"})
    assert answer.status_code == 200 and answer.data == b""
    sha = hashlib.sha256(PUBLIC_TONE).hexdigest()
    assert answer.headers["X-Accel-Redirect"] == f"/_media/{sha[:2]}/{sha}"
    assert answer.headers["Content-Type"] == "audio/wav"
    hidden = reader.get(f"/testimonies/{id_of(app, 'hidden-quay')}/recording")
    assert hidden.status_code == 404 and "X-Accel-Redirect" not in hidden.headers


def test_with_media_accel_a_withdrawn_testimonys_recording_is_still_gone(built_archive, tmp_path):
    app = archive_with_recordings(built_archive, tmp_path, MEDIA_ACCEL=ACCEL)
    archivist = app.test_client()
    sign_in(app, archivist)
    tid = id_of(app, "aural-quay")
    token = csrf_token(archivist, f"/archive/testimonies/{tid}/edit")
    withdrawn = archivist.post(
        f"/archive/testimonies/{tid}/withdraw",
        data={"csrf_token": token, "reason": "Consent revoked", "confirm": "yes"},
    )
    assert withdrawn.status_code == 302
    answer = app.test_client().get(f"/testimonies/{tid}/recording")
    assert answer.status_code == 410 and "X-Accel-Redirect" not in answer.headers


@pytest.fixture(scope="module")
def behind_nginx(built_archive, tmp_path_factory):
    """gunicorn with ORALHISTORY_MEDIA_ACCEL, nginx in front: nginx's port and the ids."""
    if not NGINX.exists():
        pytest.skip("needs Debian's nginx")
    tmp = tmp_path_factory.mktemp("accel")
    app = archive_with_recordings(built_archive, tmp)
    ids = {slug: id_of(app, slug) for slug in ("aural-quay", "hidden-quay")}
    environment = {
        "ORALHISTORY_DATABASE_URL": app.config["DATABASE_URL"],
        "ORALHISTORY_INDEX_DIR": app.config["INDEX_DIR"],
        "ORALHISTORY_MEDIA_DIR": app.config["MEDIA_DIR"],
        "ORALHISTORY_MEDIA_ACCEL": ACCEL,
        "ORALHISTORY_SECRET_KEY": "media-accel",
    }
    servers = []
    try:
        gunicorn, gunicorn_port = start_gunicorn(environment, "-c", "gunicorn.conf.py", "-w", "1")
        servers.append(gunicorn)
        nginx, port = start_nginx(tmp / "nginx", gunicorn_port, Path(app.config["MEDIA_DIR"]))
        servers.append(nginx)
        yield port, ids
    finally:
        for server in reversed(servers):
            stop(server)


def fetch(port: int, path: str, **headers: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@needs_nginx
def test_through_nginx_a_range_of_the_recording_is_sent_as_206(behind_nginx):
    port, ids = behind_nginx
    path = f"/testimonies/{ids['aural-quay']}/recording"
    status, headers, body = fetch(port, path, Range="bytes=100-199")
    assert status == 206 and body == PUBLIC_TONE[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{len(PUBLIC_TONE)}"
    assert headers["Content-Type"] == "audio/wav"
    assert "X-Accel-Redirect" not in headers
    status, headers, body = fetch(port, path)
    assert status == 200 and body == PUBLIC_TONE
    assert fetch(port, path, Range=f"bytes={len(PUBLIC_TONE) + 10}-")[0] == 416


@needs_nginx
def test_through_nginx_a_restricted_recording_is_not_found(behind_nginx):
    port, ids = behind_nginx
    path = f"/testimonies/{ids['hidden-quay']}/recording"
    for headers in ({}, {"Range": "bytes=0-99"}):
        status, _headers, body = fetch(port, path, **headers)
        assert status == 404 and RESTRICTED_TONE[:44] not in body


@needs_nginx
def test_the_internal_media_location_is_not_reachable_from_outside(behind_nginx):
    port, _ids = behind_nginx
    for tone_bytes in (PUBLIC_TONE, RESTRICTED_TONE):
        sha = hashlib.sha256(tone_bytes).hexdigest()
        status, _headers, body = fetch(port, f"/_media/{sha[:2]}/{sha}")
        assert status == 404 and tone_bytes[:44] not in body
