"""How long citations and anchor matching take: prints figures, asserts nothing.

    .venv/bin/python -m benchmarks.citations

- matching old and new paragraphs when a transcript is corrected (`anchors.match_passages`):
  a few changes in a long transcript, and the worst case, a transcript rewritten whole;
- one passage's citation in the three styles (`citation.all_styles`), the first time (the
  styles parsed and the citation rendered by citeproc-py) and again (kept).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import statistics
import time

from oralhistory import PROJECT_ROOT
from oralhistory.formats import citation
from oralhistory.record.anchors import match_passages

SEED = 17
SOURCE = PROJECT_ROOT / "transcripts" / "testimonies"


def _timed(function, repeat: int = 5) -> float:
    """The median of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _paragraphs(count: int, rng: random.Random) -> list[str]:
    words = re.findall(r"\w+", " ".join(p.read_text() for p in sorted(SOURCE.glob("*.md"))))
    return [" ".join(rng.choices(words, k=rng.randint(40, 200))) for _ in range(count)]


def matching() -> None:
    rng = random.Random(SEED)
    for count in (50, 500):
        old = _paragraphs(count, rng)
        corrected = [_paragraphs(1, rng)[0], *old]  # a paragraph added at the top
        corrected[count // 3] = corrected[count // 3].replace(" the ", " a ", 2)
        words = corrected[count // 2].split()
        half = len(words) // 2
        corrected[count // 2 : count // 2 + 1] = [" ".join(words[:half]), " ".join(words[half:])]
        del corrected[-2]
        rewritten = _paragraphs(count, rng)
        few = _timed(lambda old=old, new=corrected: match_passages(old, new))
        whole = _timed(lambda old=old, new=rewritten: match_passages(old, new), repeat=1)
        print(
            f"match {count:>4} paragraphs: 4 changes {few * 1000:8.1f} ms, "
            f"rewritten whole {whole * 1000:8.1f} ms"
        )


def citations() -> None:
    work = {
        "testimony_id": 2,
        "number": 1,
        "title": "Hisham Skeif on the first anniversary of the evacuation of Aleppo",
        "narrator": {"name": "Hisham Skeif"},
        "interviewers": ["Alaa Nassar", "Waleed a-Noufal"],
        "citation": {
            "publisher": "Syria Direct",
            "title": "‘We live on the hope of returning’ to Aleppo city",
            "date": "2017-12-21",
        },
        "language": "en",
    }

    def item(anchor: str) -> dict:
        url = f"https://archive.example.org/testimonies/2/passages/{anchor}"
        return citation.csl_item(
            work, url=url, accessed=dt.date.today(), archive="Testimony Archive", anchor=anchor
        )

    start = time.perf_counter()
    citation.all_styles(item("p-1"))
    first = time.perf_counter() - start
    fresh = _timed(lambda: citation.all_styles(item(f"p-{random.randint(2, 10**6)}")))
    kept = _timed(lambda: citation.all_styles(item("p-1")))
    print(
        f"cite one passage, 3 styles: first {first * 1000:.0f} ms (styles parsed), "
        f"another passage {fresh * 1000:.0f} ms, the same again {kept * 1000:.2f} ms"
    )


if __name__ == "__main__":
    matching()
    citations()
