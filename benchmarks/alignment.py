"""Automatic alignment, measured: how far the aligned start of each passage is from the truth,
per language (median and 90th percentile), and the seconds of computation per minute of audio.

    python -m benchmarks.alignment [--long MINUTES]

The set is made on the spot and is wholly invented and synthetic (`tests.spoken_fixtures`):
espeak-ng speaks made-up English and Arabic sentences at several rates (words a minute, `-s`)
in a voice other than the aligner's, sox puts pauses of known, varied length between them and
mixes in white noise at several levels, ffmpeg encodes to Ogg Vorbis. The true start of each
passage is where its clip begins. Targets: median <= 0.3 s, 90 % of starts within 1 s, <= 5 s
of computation per minute of audio on one core (the aligner is single-threaded; the CPU time
of its child process and of the ffmpeg it runs is what is counted).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from oralhistory.services import alignment
from tests.spoken_fixtures import ARABIC, ENGLISH, missing_tools, speak

MORE = {
    "en": [
        "The ferryman charged one coin for a person and two for a goat, whatever the weather.",
        "On market days the square filled with carts before the bells had finished ringing.",
        "Nobody could say who first planted the fig tree beside the school gate.",
        "We carried water from the well in the evening, when the stones had cooled.",
        "The baker's son learnt to whistle every song the radio played that summer.",
    ],
    "ar": [
        "كان المعداوي يأخذ قطعة نقد واحدة عن الشخص وقطعتين عن الماعز مهما كان الطقس.",
        "في أيام السوق كانت الساحة تمتلئ بالعربات قبل أن تنتهي الأجراس من الرنين.",
        "لم يستطع أحد أن يقول من زرع شجرة التين بجانب باب المدرسة.",
        "كنا نحمل الماء من البئر في المساء حين تبرد الحجارة.",
        "تعلم ابن الخباز أن يصفر كل أغنية أذاعها الراديو ذلك الصيف.",
    ],
}
SENTENCES = {"en": ENGLISH + MORE["en"], "ar": ARABIC + MORE["ar"]}
RATES = (130, 160, 200)
NOISE = (0.0, 0.02, 0.05)


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(folder: Path, language: str, sentences: list[str], rate: int, noise: float, seed: int):
    """One recording made and aligned: (errors of the starts, seconds of audio, CPU seconds,
    wall seconds)."""
    pauses = [round(random.Random(seed + i).uniform(0.3, 2.5), 2) for i in range(len(sentences))]
    name = f"{language}-{rate}-{noise}-{seed}"
    spoken = speak(folder, sentences, language, rate=rate, pauses=pauses, noise=noise, name=name)
    passages = [(f"p-{n}", words) for n, words in enumerate(sentences, 1)]
    cpu, wall = children_cpu(), time.perf_counter()
    timed = alignment.align(spoken.path, language, passages)
    cpu, wall = children_cpu() - cpu, time.perf_counter() - wall
    found = {t.anchor: t.start for t in timed}
    errors = [abs(found[f"p-{n}"] - truth) for n, truth in enumerate(spoken.starts, 1)]
    return errors, spoken.seconds, cpu, wall


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--long", type=float, default=0, help="also a long English recording")
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        raise SystemExit("missing: " + "; ".join(missing))
    with tempfile.TemporaryDirectory(prefix="align-bench-") as work:
        folder = Path(work)
        print("language  rate  noise  passages  audio_s  cpu_s  wall_s  max_error_s")
        totals = {"audio": 0.0, "cpu": 0.0, "wall": 0.0}
        for language in ("en", "ar"):
            errors: list[float] = []
            for seed, (rate, noise) in enumerate((r, n) for r in RATES for n in NOISE):
                found, seconds, cpu, wall = measure(
                    folder, language, SENTENCES[language], rate, noise, seed * 31
                )
                errors += found
                totals["audio"] += seconds
                totals["cpu"] += cpu
                totals["wall"] += wall
                print(
                    f"{language:8}  {rate:4}  {noise:5}  {len(found):8}  {seconds:7.1f}  "
                    f"{cpu:5.2f}  {wall:6.2f}  {max(found):11.2f}"
                )
            within = sum(e <= 1.0 for e in errors) / len(errors)
            print(
                f"== {language}: {len(errors)} starts, median error "
                f"{statistics.median(errors):.3f} s, 90th percentile {percentile(errors, 0.9):.3f} s, "
                f"{within:.0%} within 1 s, worst {max(errors):.2f} s"
            )
        minutes = totals["audio"] / 60
        print(
            f"== speed: {totals['cpu'] / minutes:.2f} s of computation (CPU, one core) and "
            f"{totals['wall'] / minutes:.2f} s of wall time per minute of audio "
            f"({minutes:.1f} minutes aligned)"
        )
        if args.long:
            sentences = (SENTENCES["en"] * 100)[: max(10, int(args.long * 60 / 5.5))]
            found, seconds, cpu, wall = measure(folder, "en", sentences, 160, 0.02, 7)
            print(
                f"== long: {seconds / 60:.1f} minutes, {len(found)} passages: median error "
                f"{statistics.median(found):.3f} s, 90th percentile {percentile(found, 0.9):.3f}"
                f" s; {cpu / (seconds / 60):.2f} s CPU per minute of audio"
            )


if __name__ == "__main__":
    main()
