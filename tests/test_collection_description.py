"""The collection's own title and description are data (`transcripts/collection.yaml`), not
words of the engine: the home page shows them in the reader's language, a bad file is refused
naming its line, and an export writes the file back as it was loaded.

Real app, real SQLite (or PostgreSQL), the real CLI and the Flask test client.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from oralhistory import PROJECT_ROOT
from oralhistory.record.models import ChangeLog
from oralhistory.web import db
from tests.conftest import make_app, run_cli

COLLECTION_FILE = PROJECT_ROOT / "transcripts" / "collection.yaml"
ENGLISH_OPENING = "This archive keeps the words of people evacuated from east Aleppo"
ARABIC_OPENING = "يحفظ هذا الأرشيف كلام أناسٍ هُجّروا من شرق حلب"

ONLY_ENGLISH = """\
title:
  en: Voices of the river towns
description:
  en:
    - Forty people of the river towns speak of the flood of 1952.
"""


def _intro(html: str) -> str:
    return html.split('<section class="intro">', 1)[1].split("<form", 1)[0]


def _empty_archive(tmp_path: Path):
    app = make_app(tmp_path)
    result = run_cli(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    return app


def _home(app, language: str = "en") -> str:
    client = app.test_client()
    client.set_cookie("lang", language)
    return _intro(client.get("/").get_data(as_text=True))


def _collection_changes(app) -> int:
    with app.app_context():
        rows = db.session().scalars(select(ChangeLog).where(ChangeLog.kind == "collection"))
        return len(list(rows))


def test_the_home_page_shows_the_collections_title_and_description(client):
    intro = _intro(client.get("/").get_data(as_text=True))
    assert "<h1>Testimonies of leaving east Aleppo</h1>" in intro
    assert ENGLISH_OPENING in intro
    # the source's title reads as a title, and the facts of the old page are all there
    assert '<cite lang="en" dir="ltr">‘We live on the hope of returning’ to Aleppo city</cite>' in (
        intro
    )
    assert "published by Syria Direct on 21 December 2017" in intro
    # the record's own line of publishers and interviewers stays
    assert "Published by" in intro and "Interviews by" in intro
    assert "Testimony Archive" not in intro


def test_an_arabic_reader_reads_the_collections_title_and_description_in_arabic(client):
    intro = _home(client.application, "ar")
    assert "<h1>شهادات عن الخروج من شرق حلب</h1>" in intro
    assert ARABIC_OPENING in intro
    assert ENGLISH_OPENING not in intro
    # Arabic text on an Arabic page needs no mark; the English title of the source does
    assert re.search(r'<p lang="en"', intro) is None
    assert '<cite lang="en" dir="ltr">‘We live on the hope of returning’' in intro


def test_a_description_only_in_english_is_shown_marked_english_on_arabic_pages(tmp_path):
    app = _empty_archive(tmp_path)
    path = tmp_path / "collection.yaml"
    path.write_text(ONLY_ENGLISH, encoding="utf-8")
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    intro = _home(app, "ar")
    assert '<h1 lang="en" dir="ltr">Voices of the river towns</h1>' in intro
    assert '<p lang="en" dir="ltr">Forty people of the river towns' in intro
    assert "<h1>Voices of the river towns</h1>" in _home(app, "en")


def test_without_a_collection_file_the_home_page_says_what_any_archive_is(tmp_path):
    app = _empty_archive(tmp_path)
    assert "<h1>Testimony Archive</h1>" in _home(app)
    assert "<h1>أرشيف الشهادات</h1>" in _home(app, "ar")


def test_a_malformed_collection_file_is_refused_naming_its_line_and_nothing_is_stored(
    tmp_path,
):
    app = _empty_archive(tmp_path)
    path = tmp_path / "collection.yaml"
    bad = ONLY_ENGLISH.replace("    - Forty", "    - Forty people\n  fr: [unknown]\n    - Forty")
    path.write_text(ONLY_ENGLISH + "publisher: Someone\n", encoding="utf-8")
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0
    assert f"{path}:6: 'publisher' is not a field of collection.yaml" in result.output
    assert "Nothing was imported." in result.output
    path.write_text(bad, encoding="utf-8")
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0 and f"{path}:7: this is not valid YAML" in result.output
    assert "Traceback" not in result.output
    assert "<h1>Testimony Archive</h1>" in _home(app)
    assert _collection_changes(app) == 0


def test_init_refuses_a_malformed_collection_file_naming_its_line(tmp_path):
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    (transcripts / "collection.yaml").write_text(
        ONLY_ENGLISH.replace("title:\n  en: Voices", "title:\n  en: Voices\n  xx-!: Bad"),
        encoding="utf-8",
    )
    app = make_app(tmp_path, TRANSCRIPTS_DIR=str(transcripts))
    result = run_cli(app, "init")
    assert result.exit_code != 0
    assert "collection.yaml:3: title.xx-!" in result.output
    assert "<h1>Testimony Archive</h1>" in _home(app)


def test_loading_the_description_is_one_change_and_loading_it_again_changes_nothing(app):
    before = _collection_changes(app)
    assert before == 1  # `init` loaded it
    result = run_cli(app, "import", str(COLLECTION_FILE))
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert _collection_changes(app) == before


def test_an_export_writes_the_collection_file_back_byte_for_byte(app, tmp_path):
    export = tmp_path / "export"
    result = run_cli(app, "export", str(export))
    assert result.exit_code == 0, result.output
    assert (export / "collection.yaml").read_bytes() == COLLECTION_FILE.read_bytes()
