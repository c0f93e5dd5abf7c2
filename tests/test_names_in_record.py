"""The spelling table of names (`names.yaml`) is held by the record: `flask init` loads it,
a change to it is a change in the log that every server's index follows, the linking rules
and the index read it from the record, and `flask export` writes it back as it was read."""

from __future__ import annotations

import time

from sqlalchemy import select

from oralhistory.record.models import ChangeLog
from oralhistory.web import db
from tests.conftest import TRANSCRIPTS, import_testimony, make_app, run_cli
from tests.helpers import hit_names, hits, search

KAFRANBEL = "names:\n  - name: Kafranbel\n    variants: [Kafr Nabl]\n"


def names_dir(tmp_path, text: str):
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    (transcripts / "names.yaml").write_text(text, encoding="utf-8")
    return transcripts


def test_export_writes_names_yaml_back_byte_for_byte_comments_and_all(app, tmp_path):
    result = run_cli(app, "export", str(tmp_path / "export"))
    assert result.exit_code == 0, result.output
    written = (tmp_path / "export" / "names.yaml").read_bytes()
    assert written == (TRANSCRIPTS / "names.yaml").read_bytes()


def test_a_changed_names_yaml_is_a_change_in_the_log_of_its_own_kind(app, tmp_path):
    app.config["TRANSCRIPTS_DIR"] = str(names_dir(tmp_path, KAFRANBEL))
    assert run_cli(app, "init").exit_code == 0
    assert run_cli(app, "init").exit_code == 0  # the same table again: nothing changes
    with app.app_context():
        kinds = db.session().scalars(select(ChangeLog.kind).order_by(ChangeLog.id)).all()
    assert kinds.count("names") == 2  # loaded by the first init of the archive, then changed


def test_the_index_keeps_the_spellings_of_the_record_when_the_file_is_gone(app, client, tmp_path):
    narrator = import_testimony(app, tmp_path, "gazetteer", "The road to Kafr Nabl was closed.")
    app.config["TRANSCRIPTS_DIR"] = str(names_dir(tmp_path, KAFRANBEL))
    assert run_cli(app, "init").exit_code == 0
    app.config["TRANSCRIPTS_DIR"] = str(tmp_path / "elsewhere")  # no names.yaml there
    assert run_cli(app, "reindex").exit_code == 0
    assert hits(client, "Kafranbel") == [f"{narrator}#p-1"]


def test_a_names_yaml_that_is_not_a_table_of_names_is_refused_saying_why(app, tmp_path):
    app.config["TRANSCRIPTS_DIR"] = str(names_dir(tmp_path, "names:\n  - variants: [X]\n"))
    result = run_cli(app, "init")
    assert result.exit_code != 0
    assert "names.yaml: entry 1 of 'names' has no 'name'" in result.output
    assert "Traceback" not in result.output


def found(client, q: str) -> list[str] | None:
    """What a search finds, or None while the server's index is being built."""
    answer = search(client, q)
    return hit_names(answer.get_json()) if answer.status_code == 200 else None


def test_a_change_of_names_reaches_another_servers_index_through_the_log(app, tmp_path):
    narrator = import_testimony(app, tmp_path, "gazetteer", "The road to Kafr Nabl was closed.")
    other = make_app(
        tmp_path / "other",
        DATABASE_URL=app.config["DATABASE_URL"],
        INDEX_FOLLOWER=True,  # the other server keeps its own index in step by itself
    )
    other_client = other.test_client()
    deadline = time.monotonic() + 30
    while found(other_client, "closed") != [f"{narrator}#p-1"]:  # its index is built
        assert time.monotonic() < deadline, "the other server's index was never built"
        time.sleep(0.2)
    assert hits(other_client, "Kafranbel") == []
    app.config["TRANSCRIPTS_DIR"] = str(names_dir(tmp_path, KAFRANBEL))
    assert run_cli(app, "init").exit_code == 0
    while found(other_client, "Kafranbel") != [f"{narrator}#p-1"]:
        assert time.monotonic() < deadline, "the other server's index did not follow the names"
        time.sleep(0.2)
