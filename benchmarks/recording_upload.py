"""A long recording uploaded through the archivist's form: time, and the process's peak memory
above what it held before (the upload must stream to disk, never be held whole).

    python -m benchmarks.recording_upload [MINUTES]   (default 120: a 2-hour WAV, ~115 MB)

The recording is a generated tone (8 kHz, 16-bit, mono), nobody's voice. The multipart body is
written to a file first and read by the app from it, as a server reads a socket.
"""

from __future__ import annotations

import math
import re
import resource
import shutil
import struct
import sys
import tempfile
import time
import wave
from pathlib import Path

from oralhistory import create_app
from oralhistory.services.accounts import create_archivist, open_session
from oralhistory.web import db

BOUNDARY = "benchmarkboundary7f3a"


def write_tone(path: Path, minutes: float, rate: int = 8000) -> None:
    second = b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * 440 * n / rate))) for n in range(rate)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        for _ in range(int(minutes * 60)):
            out.writeframes(second)


def write_body(path: Path, recording: Path, token: str) -> None:
    with open(path, "wb") as body, open(recording, "rb") as source:
        body.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="recording"; '
            f'filename="tone.wav"\r\nContent-Type: audio/wav\r\n\r\n'.encode()
        )
        while chunk := source.read(1024 * 1024):
            body.write(chunk)
        body.write(f"\r\n--{BOUNDARY}--\r\n".encode())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(minutes: float) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="recording-bench-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
            "INDEX_DIR": str(tmp / "index"),
            "MEDIA_DIR": str(tmp / "media"),
            "SECRET_KEY": "benchmark",
        }
    )
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    with app.app_context():
        session = db.session()
        token = open_session(session, create_archivist(session, "bench", "a long benchmark pass"))
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["archivist"], cookie["sid"] = "bench", token
    edit = client.get("/archive/testimonies/1/edit").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', edit).group(1)

    recording, body = tmp / "tone.wav", tmp / "body"
    write_tone(recording, minutes)
    write_body(body, recording, csrf)
    size = body.stat().st_size
    idle = peak_mb()
    started = time.perf_counter()
    with open(body, "rb") as stream:
        response = client.post(
            "/archive/testimonies/1/recording",
            input_stream=stream,
            content_length=size,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
    took = time.perf_counter() - started
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    print(f"uploaded {size / 1024**2:.0f} MB ({minutes:g} min of WAV) in {took:.1f} s")
    print(
        f"peak memory: {idle:.0f} MB before, {peak_mb():.0f} MB after: +{peak_mb() - idle:.0f} MB"
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 120)
