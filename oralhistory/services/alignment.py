"""The aligner: where each passage of a transcript starts and ends in its recording, found
by `aeneas-ng` (forced alignment: espeak-ng speaks the transcript, dynamic time warping over
MFCCs matches the synthetic speech to the recording), in English and in Arabic.

It is optional: the archive runs and plays recordings without it. `problem()` says what is
missing, and `INSTALL` how to add it. Plain values in and out: no database, no Flask.

Why aeneas-ng: it aligns any language espeak-ng speaks (Arabic included) without a trained
acoustic model, and is fast (well under a second of computation per minute of audio on one
core). pocketsphinx ships an English model only. espeak-ng is called through aeneas's C
extension (`cew`, linked against libespeak-ng): its subprocess wrapper for espeak-ng reads
the synthetic speech at the wrong sample rate (boundaries come out a third late).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..messages import Message, _

# the voices of espeak-ng for the testimonies' languages
VOICES = {"en": "en", "ar": "ar"}
INSTALL = (
    "apt-get install espeak-ng libespeak-ng-dev festival-dev libestools-dev ffmpeg, "
    "then pip install '.[align]'"
)
# words in brackets are the editor's ([laughs], [inaudible]), not the narrator's
EDITORIAL_RE = re.compile(r"\[[^\]]*\]|\([^)]*\?\)")
MARKUP_RE = re.compile(r"[*_`#>]+")


class AlignmentFailed(Exception):
    """The recording could not be aligned; `message` says why, for the archivist."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Timed:
    """A passage's place in the recording, in seconds."""

    anchor: str
    start: float
    end: float


def problem() -> Message | None:
    """What this server lacks to align, in a sentence that says how to install it; None
    when the aligner is ready."""
    missing = [tool for tool in ("ffmpeg", "ffprobe") if shutil.which(tool) is None]
    if importlib.util.find_spec("aeneas") is None:
        missing.append("aeneas-ng")
    else:
        try:
            import aeneas.cew  # noqa: F401  (the espeak-ng C extension)
        except ImportError:
            missing.append("aeneas-ng's espeak-ng extension")
    if not missing:
        return None
    return _(
        "Automatic alignment is not available on this server (missing: %(missing)s). To add "
        "it: %(install)s.",
        missing=", ".join(missing),
        install=INSTALL,
    )


def spoken_words(text: str) -> str:
    """A passage's words as the narrator said them: without the editor's bracketed notes
    and Markdown marks, on one line."""
    text = EDITORIAL_RE.sub(" ", text)
    text = MARKUP_RE.sub(" ", text)
    return " ".join(text.split())


def voice_for(language: str) -> str:
    """espeak-ng's voice for a testimony's language; raises `AlignmentFailed` for one the
    aligner does not speak."""
    voice = VOICES.get((language or "").split("-")[0].lower())
    if voice is None:
        raise AlignmentFailed(
            _(
                "Automatic alignment speaks English and Arabic; this testimony is in "
                "‘%(language)s’.",
                language=language,
            )
        )
    return voice


def align(
    audio: Path,
    language: str,
    passages: list[tuple[str, str]],
    progress: Callable[[float, str], None] | None = None,
    timeout: float = 3600,
) -> list[Timed]:
    """Where each passage (`(anchor, words)`, in reading order) starts and ends in `audio`.

    Passages with no spoken words (an editor's note only) are left out of the answer. The
    start of a passage is put where its speech begins after the pause before it. The work
    runs in a child process (`python -m oralhistory.services.alignment`): espeak-ng's library keeps
    state between calls (a second language in one process hangs it), and a crash or a
    runaway alignment (past `timeout` seconds) then costs the worker nothing. Raises
    `AlignmentFailed` when the aligner is missing, the language is not one it speaks, or the
    recording cannot be read.
    """
    missing = problem()
    if missing is not None:
        raise AlignmentFailed(missing)
    voice = voice_for(language)
    spoken = [(anchor, spoken_words(text)) for anchor, text in passages]
    spoken = [(anchor, words) for anchor, words in spoken if words]
    if not spoken:
        raise AlignmentFailed(_("The testimony has no spoken words to align."))
    report = progress or (lambda _fraction, _stage: None)
    report(0.05, "starting the aligner")
    asked = json.dumps({"audio": str(audio), "voice": voice, "passages": spoken})
    child = subprocess.Popen(
        [sys.executable, "-m", "oralhistory.services.alignment"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    killer = threading.Timer(timeout, child.kill)
    killer.start()
    answer: dict = {}
    try:
        child.stdin.write(asked)
        child.stdin.close()
        for line in child.stdout:
            said = json.loads(line)
            if "progress" in said:
                report(said["progress"], said.get("stage", ""))
            else:
                answer = said
        child.wait()
        errors = child.stderr.read()
    finally:
        killer.cancel()
    if "error" in answer:
        raise AlignmentFailed(
            _("The recording could not be aligned: %(why)s.", why=answer["error"])
        )
    if child.returncode != 0 or "result" not in answer:
        why = f"the aligner stopped (exit {child.returncode}): {errors.strip()[-300:]}"
        raise AlignmentFailed(_("The recording could not be aligned: %(why)s.", why=why))
    return [Timed(row["anchor"], row["start"], row["end"]) for row in answer["result"]]


def _say(**said) -> None:
    print(json.dumps(said), flush=True)


def _align_here(audio: str, voice: str, spoken: list[list[str]]) -> list[dict]:
    """The aligner itself, in the child process: aeneas's task over the passages' words."""
    from aeneas.executetask import ExecuteTask
    from aeneas.runtimeconfiguration import RuntimeConfiguration
    from aeneas.task import Task
    from aeneas.textfile import TextFile, TextFragment

    task = Task(
        config_string=(
            f"task_language={voice}|is_text_type=plain|os_task_file_format=json|"
            # a boundary in a pause goes to the pause's end: where the next passage begins
            "task_adjust_boundary_algorithm=percent|task_adjust_boundary_percent_value=100"
        )
    )
    text_file = TextFile()
    for anchor, words in spoken:
        text_file.add_fragment(
            TextFragment(identifier=anchor, language=voice, lines=[words], filtered_lines=[words])
        )
    task.text_file = text_file
    _say(progress=0.1, stage="reading the recording")
    task.audio_file_path_absolute = audio
    _say(progress=0.2, stage="synthesising the transcript and matching it to the recording")
    # the DTW matches speech to speech: pauses and background noise are masked out of it
    # (without it, noise drew boundaries into pauses inside sentences, 2 s early)
    rconf = RuntimeConfiguration(
        "tts=espeak|cew=True|allow_unlisted_languages=True|mfcc_mask_nonspeech=True"
    )
    ExecuteTask(task, rconf=rconf).execute()
    wanted = {anchor for anchor, _words in spoken}
    found = [
        {
            "anchor": leaf.identifier,
            "start": round(float(leaf.begin), 3),
            "end": round(float(leaf.end), 3),
        }
        for leaf in task.sync_map_leaves()
        if leaf.identifier in wanted
    ]
    # aeneas gives the silence before the first words to the first passage: it starts
    # where speech is first heard (aeneas's own voice activity detection)
    onset = _first_speech(audio)
    if found and onset is not None and found[0]["start"] <= onset < found[0]["end"]:
        found[0]["start"] = round(onset, 3)
    return found


def _first_speech(audio: str) -> float | None:
    from aeneas.audiofilemfcc import AudioFileMFCC

    mfcc = AudioFileMFCC(audio)
    mfcc.run_vad()
    speech = mfcc.intervals(speech=True, time=True)
    return float(speech[0].begin) if speech else None


if __name__ == "__main__":
    asked = json.loads(sys.stdin.read())
    try:
        _say(result=_align_here(asked["audio"], asked["voice"], asked["passages"]))
    except Exception as error:  # aeneas raises its own kinds, from ffmpeg and espeak
        _say(error=str(error)[:300])
