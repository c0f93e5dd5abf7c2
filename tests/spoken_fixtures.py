"""Invented spoken testimonies for the alignment tests and benchmark, made on the spot.

Everything here is invented and synthetic, and says so: Debian's espeak-ng speaks made-up
sentences (never a narrator's words), sox joins the clips with pauses of known length (so
the true start of every passage is known to the sample), may mix in background noise, and
ffmpeg encodes the result. Nothing of it goes near `transcripts/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from oralhistory.services import alignment

TOOLS = ("espeak-ng", "sox", "ffmpeg")
ALLOW_MISSING = "ORALHISTORY_ALLOW_NO_ALIGNER"

ENGLISH = [
    "This is an invented test recording. The orchard behind the mill was planted in a dry year.",
    "Every spring we counted the blossoms and wrote the number on the kitchen wall.",
    "Later the wall was painted blue, and nobody remembered the numbers any more.",
    "The miller kept a ledger of the rain, one line for each week of the season.",
    "In the last pages he drew the river, with its three bridges and the ferry between them.",
]
ARABIC = [
    "هذا تسجيل تجريبي مخترع. كان البستان خلف الطاحونة مزروعا بأشجار المشمش منذ زمن بعيد.",
    "في كل ربيع كنا نعد الأزهار ونكتب العدد على جدار المطبخ.",
    "ثم طلي الجدار باللون الأزرق ولم يعد أحد يتذكر الأرقام.",
    "وكان الطحان يسجل المطر في دفتر صغير، سطرا لكل أسبوع من الموسم.",
    "وفي الصفحات الأخيرة رسم النهر بجسوره الثلاثة والعبارة بينها.",
]
# the pause before each passage, in seconds: the first is the silence before anyone speaks
PAUSES = [0.8, 1.7, 0.9, 2.4, 1.2]
# the recordings' voices differ from the aligner's (a variant of the language's voice)
VOICES = {"en": "en-us+m3", "ar": "ar+f3"}


@dataclass(frozen=True)
class Spoken:
    """A synthetic recording and the true start and end of each sentence in it."""

    path: Path
    starts: list[float]
    ends: list[float]
    seconds: float


def missing_tools() -> list[str]:
    """What of espeak-ng, sox, ffmpeg and the aligner this machine lacks."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if alignment.problem() is not None:
        missing.append(str(alignment.problem()))
    return missing


def require_tools() -> None:
    """Fail (or, with ORALHISTORY_ALLOW_NO_ALIGNER=1, skip) a test that needs the aligner and
    the tools that make its fixtures: never a silent skip in CI (`.ci/run` installs them)."""
    missing = missing_tools()
    if not missing:
        return
    why = "missing: " + "; ".join(missing) + f" (`.ci/run` installs them; {alignment.INSTALL})"
    if os.environ.get(ALLOW_MISSING) == "1":
        pytest.skip(why)
    pytest.fail(why)


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as clip:
        return clip.getnframes() / clip.getframerate()


def speak(
    folder: Path,
    sentences: list[str],
    language: str,
    *,
    rate: int = 160,
    pauses: list[float] = PAUSES,
    noise: float = 0.0,
    name: str = "invented",
    encode: str = "ogg",
) -> Spoken:
    """A synthetic recording of `sentences` in `folder`: each spoken by espeak-ng at `rate`
    words a minute after its pause, white noise mixed in at amplitude `noise` (0 for none),
    encoded by ffmpeg (`ogg` Vorbis, `mp3`, or `wav` as it is)."""
    folder.mkdir(parents=True, exist_ok=True)
    parts, starts, ends, at = [], [], [], 0.0
    for number, (sentence, pause) in enumerate(zip(sentences, pauses), 1):
        silence = folder / f"{name}-pause-{number}.wav"
        _run(
            "sox", "-n", "-r", "22050", "-c", "1", "-b", "16", str(silence), "trim", "0", f"{pause}"
        )
        clip = folder / f"{name}-clip-{number}.wav"
        _run("espeak-ng", "-v", VOICES[language], "-s", str(rate), "-w", str(clip), sentence)
        parts += [str(silence), str(clip)]
        at += pause
        starts.append(round(at, 3))
        at += _seconds(clip)
        ends.append(round(at, 3))
    tail = folder / f"{name}-tail.wav"
    _run("sox", "-n", "-r", "22050", "-c", "1", "-b", "16", str(tail), "trim", "0", "1.0")
    joined = folder / f"{name}-joined.wav"
    _run("sox", *parts, str(tail), str(joined))
    if noise:
        hiss = folder / f"{name}-noise.wav"
        seconds = f"{_seconds(joined):.3f}"
        _run(
            "sox",
            "-n",
            "-r",
            "22050",
            "-c",
            "1",
            "-b",
            "16",
            str(hiss),
            "synth",
            seconds,
            "whitenoise",
            "vol",
            f"{noise}",
        )
        mixed = folder / f"{name}-mixed.wav"
        _run("sox", "-m", str(joined), str(hiss), str(mixed))
        joined = mixed
    total = _seconds(joined)
    if encode == "wav":
        return Spoken(joined, starts, ends, total)
    out = folder / f"{name}.{encode}"
    codec = {"ogg": ["-c:a", "libvorbis", "-q:a", "4"], "mp3": ["-c:a", "libmp3lame", "-q:a", "4"]}
    _run("ffmpeg", "-y", "-loglevel", "error", "-i", str(joined), *codec[encode], str(out))
    return Spoken(out, starts, ends, total)


def write_spoken_testimony(
    folder: Path,
    slug: str,
    language: str,
    sentences: list[str],
    recording: str,
    access: str = "public",
) -> Path:
    """An invented testimony file in `folder`, one passage per sentence, naming `recording`
    (beside it) with no timecodes: its import queues an alignment."""
    text = "\n\n".join(sentences)
    path = folder / f"{slug}.md"
    path.write_text(
        f"""---
slug: {slug}
title: An invented recording for the alignment tests
narrator:
  slug: invented-{slug}
  name: Invented Speaker
interview_date: 2020-01-02
interviewers: [Nobody]
language: {language}
citation:
  publisher: Test
  title: Test
rights: Invented for tests only; synthetic speech.
access: {access}
recording:
  file: {recording}
---
{text}
""",
        encoding="utf-8",
    )
    return path
