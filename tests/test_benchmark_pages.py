"""The page benchmark keeps working: every page it times answers 200 on a small collection.

Correctness only; `python -m benchmarks.pages` measures the speed.
"""

from __future__ import annotations

from benchmarks.bulk import store_testimonies
from benchmarks.generate import generate, load, load_timeline
from benchmarks.pages import long_testimony, pages_of, time_pages
from oralhistory.web import db
from tests.conftest import make_app


def test_every_page_the_page_benchmark_times_answers(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        db.create_schema()
        load_timeline(db.session())
        load(db.session(), generate(300))
        store_testimonies(db.session(), [long_testimony(1, 250)], processes=1)
    figures = time_pages(app, pages_of(app), repeat=1, budget=0)
    assert {label: f["status"] for label, f in figures.items()} == {label: 200 for label in figures}
    assert len(figures) == 11
