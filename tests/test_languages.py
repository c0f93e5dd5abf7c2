"""A testimony in more than one language, passage by passage: stored beside its main text,
imported from `<slug>.<lang>.md`, exported back word for word, corrected with revisions."""

from __future__ import annotations

from sqlalchemy import func, select

from oralhistory.record.language_models import LanguageText, TestimonyLanguage
from oralhistory.record.models import Revision, Testimony
from oralhistory.web import db
from tests.conftest import make_app, run_cli
from tests.language_fixtures import (
    ARABIC,
    ENGLISH,
    SLUG,
    TRANSLATOR,
    arabic_file,
    import_pair,
    main_text_file,
    write_pair,
)


def test_a_translation_file_imports_beside_its_testimony_passage_by_passage(app, tmp_path):
    import_pair(app, tmp_path / "in")
    with app.app_context():
        testimony = db.session().scalar(select(Testimony).where(Testimony.slug == SLUG))
        assert [p.text for p in testimony.passages] == ENGLISH
        assert [[t.text for t in p.texts] for p in testimony.passages] == [[a] for a in ARABIC]
        assert [(o.code, o.kind) for o in testimony.other_languages] == [("ar", "original")]
        history = db.session().scalars(
            select(Revision.summary).where(Revision.testimony_id == testimony.id)
        )
        assert "with its texts in two-languages.ar.md" in " ".join(history)


def test_a_translation_that_does_not_pair_is_refused_naming_the_paragraph_and_nothing_is_stored(
    app, tmp_path
):
    path = write_pair(tmp_path, arabic=arabic_file(ARABIC[:2]))
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0
    assert "two-languages.ar.md:" in result.output
    assert "passage 3 of the testimony (‘My grandmother counted the pigeons" in result.output
    assert "the text has 2 paragraphs and the testimony 3 passages" in result.output
    (tmp_path / f"{SLUG}.ar.md").write_text(
        arabic_file([*ARABIC, "فقرة زائدة لا تقابلها فقرة."]), encoding="utf-8"
    )
    result = run_cli(app, "import", str(path))
    assert "two-languages.ar.md:12: paragraph 4 (‘فقرة زائدة" in result.output
    with app.app_context():
        session = db.session()
        assert session.scalar(select(Testimony).where(Testimony.slug == SLUG)) is None
        assert session.scalar(select(func.count(LanguageText.id))) == 0
        assert session.scalar(select(func.count(TestimonyLanguage.id))) == 0


def test_a_translation_file_with_a_bad_language_or_kind_is_refused_by_its_line(app, tmp_path):
    bad = (
        arabic_file()
        .replace("language: ar", "language: arabic")
        .replace("kind: original", "kind: draft")
    )
    result = run_cli(app, "import", str(write_pair(tmp_path, arabic=bad)))
    assert result.exit_code != 0
    assert "two-languages.ar.md:3: 'language' must be a language tag (BCP 47)" in result.output
    assert "two-languages.ar.md:4: 'kind' must be one of: original, translation" in result.output


def test_the_batch_import_does_not_take_a_translation_for_a_testimony(app, tmp_path):
    from oralhistory.services.importer import testimony_paths

    write_pair(tmp_path / "testimonies")
    assert [p.name for p in testimony_paths(tmp_path)] == [f"{SLUG}.md"]
    # naming the translation file alone imports its testimony with it
    result = run_cli(app, "import", str(tmp_path / "testimonies" / f"{SLUG}.ar.md"))
    assert result.exit_code == 0, result.output
    assert f"Imported {SLUG} (3 passages)" in result.output


def test_export_writes_the_translation_back_word_for_word_and_it_imports_again(app, tmp_path):
    source = write_pair(tmp_path / "in")
    assert run_cli(app, "import", str(source)).exit_code == 0
    result = run_cli(app, "export", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / "testimonies" / f"{SLUG}.ar.md"
    assert written.read_bytes() == (tmp_path / "in" / f"{SLUG}.ar.md").read_bytes()
    # rebuilt from its export, the archive holds both languages again
    (tmp_path / "rebuilt").mkdir()
    rebuilt = make_app(tmp_path / "rebuilt", TRANSCRIPTS_DIR=str(tmp_path / "out"))
    assert run_cli(rebuilt, "init").exit_code == 0
    with rebuilt.app_context():
        testimony = db.session().scalar(select(Testimony).where(Testimony.slug == SLUG))
        assert [[t.text for t in p.texts] for p in testimony.passages] == [[a] for a in ARABIC]


def test_a_translators_credit_goes_out_with_the_export_and_comes_back(app, tmp_path):
    # an English original, translated into Arabic by a credited translator
    main = main_text_file().replace("original_language: ar\n", "")
    source = write_pair(tmp_path / "in", arabic=arabic_file(kind="translation"))
    source.write_text(main, encoding="utf-8")
    assert run_cli(app, "import", str(source)).exit_code == 0
    assert run_cli(app, "export", str(tmp_path / "out")).exit_code == 0
    written = (tmp_path / "out" / "testimonies" / f"{SLUG}.ar.md").read_text(encoding="utf-8")
    assert written == arabic_file(kind="translation")
    assert f"translator: {TRANSLATOR}" in written


def test_an_import_that_changes_only_the_translation_is_a_revision(app, tmp_path):
    source = write_pair(tmp_path)
    assert run_cli(app, "import", str(source)).exit_code == 0
    changed = [ARABIC[0], "حملنا الإبريق الأخضر عندما غادرنا الحي.", ARABIC[2]]
    (tmp_path / f"{SLUG}.ar.md").write_text(arabic_file(changed), encoding="utf-8")
    result = run_cli(app, "import", str(source))
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).where(Testimony.slug == SLUG))
        last = session.scalars(
            select(Revision).where(Revision.testimony_id == testimony.id).order_by(Revision.id)
        ).all()[-1]
        assert last.snapshot["texts"][0]["passages"][1]["text"] == changed[1]
        assert "Replaced by the file" in last.summary
