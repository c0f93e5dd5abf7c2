"""`flask import` goes through the unit of work: a revision by the import, and never silently
over an archivist's correction."""

from __future__ import annotations

from sqlalchemy import select

from oralhistory.record import revisions
from oralhistory.record.models import Testimony
from oralhistory.web import db
from tests.archive_helpers import archivist_client, submit
from tests.conftest import TESTIMONY, run_cli


def write_file(tmp_path, slug: str, text: str):
    path = tmp_path / f"{slug}.md"
    path.write_text(TESTIMONY.format(slug=slug, text=text), encoding="utf-8")
    return path


def history(app, slug: str) -> list[tuple[str, str]]:
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).where(Testimony.slug == slug))
        return [(r.author, r.summary) for r in revisions.history(session, testimony.id)]


def passages(client, slug: str) -> list[str]:
    hits = client.get("/api/search", query_string={"q": "ferrets"}).get_json()["hits"]
    return [hit["snippet"] for hit in hits]


def correct_first_passage(app, slug: str, text: str) -> None:
    with app.app_context():
        testimony_id = db.session().scalar(select(Testimony.id).where(Testimony.slug == slug))
    archivist = archivist_client(app)
    edit = f"/archive/testimonies/{testimony_id}/edit"
    response = submit(archivist, edit, {"passage_1": text, "note": "a typo"})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_an_import_is_recorded_in_the_history_as_by_the_import(app, tmp_path):
    path = write_file(tmp_path, "imported-once", "The ferrets came first.")
    assert run_cli(app, "import", str(path)).exit_code == 0
    assert history(app, "imported-once") == [
        (revisions.IMPORT_AUTHOR, "Imported from the file imported-once.md")
    ]
    path.write_text(path.read_text().replace("first", "last"))
    assert run_cli(app, "import", str(path)).exit_code == 0
    assert history(app, "imported-once")[-1] == (
        revisions.IMPORT_AUTHOR,
        "Replaced by the file imported-once.md",
    )


def test_importing_the_same_file_again_changes_nothing_and_says_so(app, tmp_path):
    path = write_file(tmp_path, "same-again", "The ferrets came first.")
    assert run_cli(app, "import", str(path)).exit_code == 0
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    assert len(history(app, "same-again")) == 1


def test_an_import_over_an_archivists_correction_is_refused_without_replace(app, client, tmp_path):
    path = write_file(tmp_path, "corrected-later", "The ferrets came frist.")
    assert run_cli(app, "import", str(path)).exit_code == 0
    correct_first_passage(app, "corrected-later", "The ferrets came first.")
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0
    assert "corrected-later" in result.output and "--replace" in result.output
    assert "changed in the archive by ada" in result.output
    assert passages(client, "corrected-later") == ["The <mark>ferrets</mark> came first."]
    assert [author for author, _ in history(app, "corrected-later")][-1] == "ada"


def test_import_with_replace_replaces_a_correction_and_the_history_says_so(app, client, tmp_path):
    path = write_file(tmp_path, "replaced-anyway", "The ferrets came frist.")
    assert run_cli(app, "import", str(path)).exit_code == 0
    correct_first_passage(app, "replaced-anyway", "The ferrets came first.")
    result = run_cli(app, "import", "--replace", str(path))
    assert result.exit_code == 0, result.output
    author, summary = history(app, "replaced-anyway")[-1]
    assert author == revisions.IMPORT_AUTHOR
    assert "with --replace, over revision" in summary and "by ada" in summary
    assert "frist" in passages(client, "replaced-anyway")[0]
    # the import after a --replace is an ordinary one again
    path.write_text(path.read_text().replace("frist", "at last"))
    assert run_cli(app, "import", str(path)).exit_code == 0
