"""`flask backup DIR` and `flask restore DIR`: a BagIt bag that holds the whole record, checked
against its SHA-256 manifests before anything is restored; an archive restored from it answers
every page and JSON request as the original did, to readers and to archivists.

Real app, real databases (SQLite, and PostgreSQL with ORALHISTORY_TEST_POSTGRES_URL: then the
bag goes from PostgreSQL to SQLite and back), real Whoosh index, the real CLI.
"""

from __future__ import annotations

import difflib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import bagit
import pytest
from flask import Flask
from sqlalchemy import func, select, text

from oralhistory.record.models import Testimony
from oralhistory.web import db
from tests.archive_helpers import PASSWORD, archivist_client, submit
from tests.conftest import (
    POSTGRES_URL,
    _database_name,
    _postgres_admin,
    copy_database,
    database_url,
    import_testimony,
    make_app,
    run_cli,
    sign_in,
)
from tests.test_archivists import edit_form
from tests.test_export import (
    RESTRICTED_WORDS,
    WITHDRAWN_WORDS,
    _change_the_archive,
    _comparable,
    crawl,
)

CORRECTED_WORDS = "corrected by an archivist after the interview"
TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


@dataclass
class Backup:
    original: Flask
    restored: Flask
    bag: Path
    ids: dict[str, int]


def _backup(app, bag: Path, *flags: str) -> None:
    result = run_cli(app, "backup", str(bag), *flags)
    assert result.exit_code == 0, result.output


def _empty_database(directory: Path) -> str:
    """A new, empty database for the archive in `directory` (PostgreSQL keeps a database
    of the same name from an earlier run)."""
    if POSTGRES_URL:
        with _postgres_admin().connect() as connection:
            name = _database_name(directory)
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return database_url(directory)


def _restored(bag: Path, directory: Path, **config) -> Flask:
    directory.mkdir()
    config.setdefault("DATABASE_URL", _empty_database(directory))
    app = make_app(directory, **config)
    result = run_cli(app, "restore", str(bag))
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def backup(built_archive, tmp_path_factory) -> Backup:
    """The first collection changed by archivists (a restricted testimony, a withdrawn one,
    link decisions, a correction), backed up, restored into a SQLite archive, backed up again
    from there and restored into a fresh archive of the suite's own database."""
    tmp = tmp_path_factory.mktemp("backup")
    copy_database(built_archive, tmp)
    shutil.copytree(built_archive / "index", tmp / "index")
    original = make_app(tmp)
    ids = _change_the_archive(original, tmp)
    archivist = archivist_client(original)
    form = edit_form(archivist, ids["hisham-skeif-2017"])
    form["passage_1"] += " " + CORRECTED_WORDS
    form["note"] = "A correction to keep"
    response = submit(archivist, f"/archive/testimonies/{ids['hisham-skeif-2017']}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    bag = tmp / "bag"
    _backup(original, bag)
    # across databases: whatever the suite runs on, to SQLite, then back
    middle = _restored(bag, tmp / "middle", DATABASE_URL=f"sqlite:///{tmp / 'middle.db'}")
    _backup(middle, tmp / "bag-again")
    restored = _restored(tmp / "bag-again", tmp / "restored")
    return Backup(original, restored, bag, ids)


def _answers(app, ids: dict[str, int], signed_in: bool) -> dict[str, tuple[int, str, str]]:
    client = app.test_client()
    extra: list[str] = ["/archive/links", "/api/archive/links"] if signed_in else []
    for number in ids.values():
        extra += [f"/testimonies/{number}", f"/api/testimonies/{number}"]
        extra += [f"/testimonies/{number}/revisions/{n}" for n in (1, 2)]
        if signed_in:
            extra += [f"/archive/testimonies/{number}/history"]
            extra += [f"/api/archive/testimonies/{number}/history"]
    if signed_in:
        sign_in(app, client)
    pages = _comparable(crawl(app, client, tuple(extra)))
    return {url: (s, kind, TOKEN.sub("", body)) for url, (s, kind, body) in pages.items()}


@pytest.mark.parametrize("signed_in", [False, True], ids=["reader", "archivist"])
def test_an_archive_restored_from_its_backup_answers_every_page_as_the_original(backup, signed_in):
    original = _answers(backup.original, backup.ids, signed_in)
    restored = _answers(backup.restored, backup.ids, signed_in)
    assert len(original) > 500
    assert sorted(original) == sorted(restored)
    differ = [url for url in original if original[url] != restored[url]]
    first = differ[0] if differ else None
    assert not differ, (
        f"{len(differ)} answers differ, first {first}:\n"
        + "\n".join(
            difflib.unified_diff(
                original[first][2].splitlines(), restored[first][2].splitlines(), lineterm=""
            )
        )[:3000]
    )
    shown = "\n".join(body for _s, _k, body in original.values())
    assert CORRECTED_WORDS in shown
    assert (RESTRICTED_WORDS in shown) is signed_in
    assert (WITHDRAWN_WORDS in shown) is signed_in


def test_a_restored_archive_finds_restricted_words_only_for_archivists(backup):
    archivist = backup.restored.test_client()
    sign_in(backup.restored, archivist)
    hits = archivist.get("/api/search?q=granary").get_json()["hits"]
    assert [h["testimony"]["id"] for h in hits] == [backup.ids["kept-back-2019"]]
    assert backup.restored.test_client().get("/api/search?q=granary").get_json()["total"] == 0


def test_a_restored_archive_takes_new_testimony(backup, tmp_path):
    # PostgreSQL's sequences follow the restored rows: a new row gets a new number
    import_testimony(backup.restored, tmp_path, "after-the-restore", "A new voice.")
    with backup.restored.app_context():
        numbers = list(db.session().scalars(select(Testimony.id)))
    assert len(numbers) == len(set(numbers)) == len(backup.ids) + 1


def test_a_backup_is_a_valid_bag_holding_every_table_and_the_files(backup):
    bag = bagit.Bag(str(backup.bag))
    assert bag.is_valid() and "sha256" in bag.algorithms
    tables = {p.stem for p in (backup.bag / "data" / "tables").glob("*.jsonl")}
    assert {"testimony", "passage", "revision", "change_log", "context_link", "event"} <= tables
    assert not tables & {"archivist", "archivist_session", "login_attempt"}
    collection = backup.bag / "data" / "collection"
    assert RESTRICTED_WORDS in (collection / "testimonies" / "kept-back-2019.md").read_text()
    assert (collection / "timeline.yaml").exists() and (collection / "archive.json").exists()
    everything = "\n".join(p.read_text() for p in backup.bag.rglob("*") if p.is_file())
    assert "$argon2" not in everything  # no password hash leaves without --include-accounts


def _testimonies(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Testimony))


def _one_byte_changed(content: bytes) -> bytes:
    changed = bytearray(content)
    changed[100] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize(
    "damage",
    [_one_byte_changed, lambda content: content[:-10]],
    ids=["one-byte-changed", "cut-short"],
)
def test_a_damaged_bag_is_refused_naming_the_file(backup, tmp_path, damage):
    bag = tmp_path / "bag"
    shutil.copytree(backup.bag, bag)
    damaged = bag / "data" / "tables" / "passage.jsonl"
    damaged.write_bytes(damage(damaged.read_bytes()))
    (tmp_path / "target").mkdir()
    target = make_app(tmp_path / "target", DATABASE_URL=_empty_database(tmp_path / "target"))
    result = run_cli(target, "restore", str(bag))
    assert result.exit_code != 0
    assert "data/tables/passage.jsonl" in result.output and "damaged" in result.output
    assert "Traceback" not in result.output
    assert _testimonies(target) == 0


def test_restore_refuses_an_archive_that_holds_anything(backup):
    before = _testimonies(backup.original)
    result = run_cli(backup.original, "restore", str(backup.bag))
    assert result.exit_code != 0 and "not empty" in result.output
    assert _testimonies(backup.original) == before


def test_restore_refuses_a_directory_that_is_not_a_backup(app, tmp_path):
    result = run_cli(app, "restore", str(tmp_path))
    assert result.exit_code != 0 and "no bagit.txt" in result.output


def test_backup_refuses_a_directory_that_holds_files(app, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = run_cli(app, "backup", str(tmp_path / "busy"))
    assert result.exit_code != 0 and "not an empty directory" in result.output
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["notes.txt"]


def test_accounts_come_back_only_when_asked_for(app, tmp_path):
    archivist_client(app, "ada")
    _backup(app, tmp_path / "bag", "--include-accounts")
    restored = _restored(tmp_path / "bag", tmp_path / "restored")
    client = restored.test_client()
    data = {"username": "ada", "password": PASSWORD}
    response = submit(client, "/login", data)
    assert response.status_code == 302
