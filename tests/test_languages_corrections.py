"""A correction of the main text that adds or removes passages must leave every other
language paired with it: refused, naming the languages, unless their texts are corrected in
the same step; then the export imports again word for word."""

from __future__ import annotations

import re

from sqlalchemy import select

from oralhistory.record.models import Revision, Testimony
from oralhistory.web import db
from tests.archive_helpers import archivist_client, record_counts, submit
from tests.conftest import make_app, run_cli
from tests.language_fixtures import ARABIC, ENGLISH, SLUG, import_pair
from tests.test_archivists import edit_form

ADDED = "The kettle is still on my shelf in Gaziantep."
ADDED_AR = "الإبريق ما زال على رفّي في غازي عنتاب."


def _export(app, folder) -> dict[str, bytes]:
    result = run_cli(app, "export", str(folder))
    assert result.exit_code == 0, result.output
    return {path.name: path.read_bytes() for path in (folder / "testimonies").glob(f"{SLUG}*")}


def test_a_correction_adding_a_passage_is_refused_naming_the_language_left_short(app, tmp_path):
    testimony_id = import_pair(app, tmp_path / "in")
    client = archivist_client(app)
    address = f"/archive/testimonies/{testimony_id}/edit"
    form = edit_form(client, testimony_id)
    form.pop("text_ar", None)  # a form that says nothing of the Arabic
    form["transcript"] = "\n\n".join([*ENGLISH, ADDED])
    before = record_counts(app)
    response = submit(client, address, form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "the text in ‘ar’ would no longer pair" in page
    assert ADDED in page  # nothing typed is lost
    assert record_counts(app) == before
    # nor when the Arabic box is sent as it stands: it names the passage left without text
    form = edit_form(client, testimony_id)
    form["transcript"] = "\n\n".join([*ENGLISH, ADDED])
    response = submit(client, address, form)
    assert response.status_code == 400
    assert "passage 4 of the testimony" in response.get_data(as_text=True)
    assert record_counts(app) == before


def test_a_correction_of_both_languages_in_one_step_exports_and_imports_again(app, tmp_path):
    testimony_id = import_pair(app, tmp_path / "in")
    client = archivist_client(app)
    form = edit_form(client, testimony_id)
    assert form["text_ar"] == "\n\n".join(ARABIC)  # the form opens with the Arabic as it stands
    form["transcript"] = "\n\n".join([ENGLISH[0], ENGLISH[2], ADDED])
    form["text_ar"] = "\n\n".join([ARABIC[0], ARABIC[2], ADDED_AR])
    response = submit(client, f"/archive/testimonies/{testimony_id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    found = client.get(f"/api/testimonies/{testimony_id}").get_json()
    assert [p["texts"] for p in found["passages"]] == [
        {"en": ENGLISH[0], "ar": ARABIC[0]},
        {"en": ENGLISH[2], "ar": ARABIC[2]},
        {"en": ADDED, "ar": ADDED_AR},
    ]
    with app.app_context():
        summary = db.session().scalars(select(Revision.summary).order_by(Revision.id)).all()[-1]
    assert "texts" in summary
    first = _export(app, tmp_path / "out")
    (tmp_path / "rebuilt").mkdir()
    rebuilt = make_app(tmp_path / "rebuilt", TRANSCRIPTS_DIR=str(tmp_path / "out"))
    result = run_cli(rebuilt, "init")
    assert result.exit_code == 0, result.output
    with rebuilt.app_context():
        testimony = db.session().scalar(select(Testimony).where(Testimony.slug == SLUG))
        assert [[t.text for t in p.texts] for p in testimony.passages] == [
            [ARABIC[0]],
            [ARABIC[2]],
            [ADDED_AR],
        ]
    assert _export(rebuilt, tmp_path / "again") == first


def test_the_history_shows_a_correction_of_the_arabic_as_its_own_difference(app, tmp_path):
    testimony_id = import_pair(app, tmp_path / "in")
    client = archivist_client(app)
    address = f"/archive/testimonies/{testimony_id}/texts"
    corrected = [ARABIC[0], "حملنا الإبريق الأخضر عندما غادرنا الحي.", ARABIC[2]]
    form = {"language": "ar", "kind": "original", "text": "\n\n".join(corrected)}
    response = submit(client, address, form, f"{address}?language=ar")
    assert response.status_code == 303, response.get_data(as_text=True)
    form = edit_form(client, testimony_id)
    form["transcript"] = form["transcript"].replace("blue kettle", "green kettle")
    response = submit(client, f"/archive/testimonies/{testimony_id}/edit", form)
    assert response.status_code == 302
    history = client.get(f"/archive/testimonies/{testimony_id}/history")
    page = history.get_data(as_text=True)
    # the latest change: the English alone
    assert '<pre class="diff" lang="en" dir="ltr">' in page and "<ins>green</ins>" in page
    assert '<pre class="diff" lang="ar"' not in page
    # the one before it: the Arabic alone, in its own section, marked Arabic
    ids = [int(n) for n in re.findall(r'name="older" value="(\d+)"', page)]
    page = client.get(
        f"/archive/testimonies/{testimony_id}/history",
        query_string={"older": ids[-3], "newer": ids[-2]},
    ).get_data(as_text=True)
    assert "The text in Arabic" in page
    assert '<pre class="diff" lang="ar" dir="rtl">' in page
    assert "<ins>الأخضر</ins>" in page and "<del>الأزرق</del>" in page
    assert '<pre class="diff" lang="en"' not in page
