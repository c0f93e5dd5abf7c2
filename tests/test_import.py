"""A bad file is reported by name and line, and nothing of it is stored."""

from __future__ import annotations

from sqlalchemy import func, select

from oralhistory.record.models import Narrator, Passage, Testimony
from oralhistory.services.importer import split_passages
from oralhistory.web import db
from tests.conftest import TESTIMONY, run_cli


def counts(app):
    with app.app_context():
        session = db.session()
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Narrator, Testimony, Passage)
        )


def test_bad_date_is_reported_by_file_and_line_and_nothing_is_stored(app, tmp_path):
    path = tmp_path / "bad-date.md"
    path.write_text(
        TESTIMONY.format(slug="bad-date", text="Words.").replace("2020-01-02", "2020-13-45")
    )
    before = counts(app)
    result = run_cli(app, "import", str(path))
    assert result.exit_code != 0
    assert f"{path}:7: 'interview_date' is not a date: there is no month 13" in result.output
    assert counts(app) == before


def test_unknown_and_missing_fields_are_each_named(app, tmp_path):
    path = tmp_path / "bad-fields.md"
    text = TESTIMONY.format(slug="bad-fields", text="Words.")
    text = text.replace("rights: Test only.\n", "").replace("access: public", "acess: public")
    path.write_text(text)
    result = run_cli(app, "import", str(path))
    assert "unknown field 'acess'" in result.output
    assert "'rights' is missing" in result.output
    assert "'access' is missing" in result.output
    assert counts(app)[1] == 5


def test_malformed_yaml_is_reported_with_its_line(app, tmp_path):
    path = tmp_path / "broken.md"
    path.write_text(
        TESTIMONY.format(slug="broken", text="Words.").replace(
            "title: A test testimony", "title: [unclosed"
        )
    )
    result = run_cli(app, "import", str(path))
    assert f"{path}:" in result.output
    assert "not valid YAML" in result.output
    assert counts(app)[1] == 5


def test_file_without_text_is_refused(app, tmp_path):
    path = tmp_path / "empty.md"
    path.write_text(TESTIMONY.format(slug="empty", text="\n\n"))
    result = run_cli(app, "import", str(path))
    assert "no text after the front matter" in result.output
    assert counts(app)[1] == 5


def test_file_that_is_not_utf8_is_refused(app, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(TESTIMONY.format(slug="latin1", text="Café").encode("latin-1"))
    result = run_cli(app, "import", str(path))
    assert "is not UTF-8 text" in result.output
    assert counts(app)[1] == 5


def test_unknown_event_in_a_file_stores_nothing_of_it(app, tmp_path):
    path = tmp_path / "unknown-event.md"
    path.write_text(
        TESTIMONY.format(slug="unknown-event", text="Words.").replace(
            "access: public", "access: public\nevents: [no-such-event]"
        )
    )
    before = counts(app)
    result = run_cli(app, "import", str(path))
    assert "unknown event 'no-such-event'" in result.output
    assert counts(app) == before


def test_good_file_is_imported_and_searchable_while_a_bad_one_is_refused(app, tmp_path):
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(TESTIMONY.format(slug="good-one", text="A lemon tree by the door."))
    bad.write_text("no front matter at all")
    result = run_cli(app, "import", str(good), str(bad))
    assert result.exit_code != 0
    assert f"{bad}:1: the file must begin with '---'" in result.output
    assert counts(app)[1] == 6
    body = app.test_client().get("/api/search?q=lemon").get_json()
    assert body["hits"][0]["narrator"]["slug"] == "test-narrator"


def test_reimporting_a_changed_file_replaces_its_passages(app, tmp_path):
    path = tmp_path / "changing.md"
    path.write_text(TESTIMONY.format(slug="changing", text="First.\n\nSecond.\n\nThird."))
    run_cli(app, "import", str(path))
    path.write_text(TESTIMONY.format(slug="changing", text="Only one now, about quinces."))
    run_cli(app, "import", str(path))
    client = app.test_client()
    assert client.get("/api/search?q=Third").get_json()["total"] == 0
    assert client.get("/api/search?q=quinces").get_json()["total"] == 1


def test_passages_are_split_at_blank_lines_and_keep_their_text():
    passages = split_passages("One line\ncontinues.\r\n\r\n  Two [Ed.: a note.]\n\n\n")
    assert [p.text for p in passages] == ["One line\ncontinues.", "Two"]
    assert passages[1].editor_note == "a note."


def test_timeline_with_an_unknown_place_is_reported_by_line():
    from oralhistory.services.importer import InvalidFile, parse_timeline

    text = (
        "sources:\n  - slug: s\n    title: S\nplaces:\n  - slug: p\n    name: P\n"
        "events:\n  - slug: e\n    date: 2016-12-01\n    title: E\n    summary: S\n"
        "    places: [nowhere]\n    sources:\n      - source: s\n"
    )
    try:
        parse_timeline(text, "timeline.yaml")
    except InvalidFile as error:
        assert "timeline.yaml:12: unknown place 'nowhere'" in error.report()
    else:
        raise AssertionError("an unknown place was accepted")
