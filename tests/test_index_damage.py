"""A damaged index never gives a 500: readers get a 503 saying search is being rebuilt, other
pages go on working, and the index is rebuilt from the record; `flask check` finds drift."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from oralhistory.record.models import Passage
from oralhistory.web import db, search_app
from tests.conftest import import_testimony, run_cli
from tests.conftest import make_app as make_test_app

REBUILD_SECONDS = 30  # the most a test waits for the background rebuild


def make_app(tmp: Path, **overrides):
    """An app as a server runs it: its index follower heals a damaged index."""
    return make_test_app(tmp, INDEX_FOLLOWER=True, **overrides)


@pytest.fixture
def app(app):
    """The initialised archive, served with its index follower running."""
    app.extensions["oralhistory.follower"].start()
    return app


def generation(app) -> Path:
    root = Path(app.config["INDEX_DIR"])
    return root / (root / "CURRENT").read_text().strip()


def truncate_segment(app) -> None:
    for segment in generation(app).glob("*.seg"):
        size = segment.stat().st_size
        with open(segment, "r+b") as file:
            file.truncate(size // 2)


def delete_segment(app) -> None:
    for segment in generation(app).glob("*.seg"):
        segment.unlink()


def corrupt_toc(app) -> None:
    for toc in generation(app).glob("*.toc"):
        toc.write_bytes(b"\x00garbled table of contents" * 20)


def wait_for_search(client) -> dict:
    deadline = time.monotonic() + REBUILD_SECONDS
    while time.monotonic() < deadline:
        response = client.get("/api/search", query_string={"q": "Aleppo"})
        if response.status_code == 200:
            return response.get_json()
        assert response.status_code == 503
        time.sleep(0.1)
    raise AssertionError("the index was not rebuilt in time")


def passages_in_record(app) -> int:
    with app.app_context():
        return len(db.session().scalars(select(Passage.id)).all())


@pytest.mark.parametrize("damage", [truncate_segment, delete_segment, corrupt_toc])
def test_a_damaged_index_gives_readers_a_503_and_is_rebuilt_from_the_record(app, damage):
    before = app.test_client().get("/api/search", query_string={"q": "Aleppo"}).get_json()
    damage(app)
    # another worker, or the same after a restart, opens the damaged files afresh
    restarted = make_app(Path(app.config["INDEX_DIR"]).parent)
    reader = restarted.test_client()
    page = reader.get("/search", query_string={"q": "Aleppo"})
    assert page.status_code == 503
    assert "Search is being rebuilt" in page.get_data(as_text=True)
    assert reader.get("/narrators").status_code == 200
    assert reader.get("/timeline").status_code == 200
    after = wait_for_search(reader)
    assert after["total"] == before["total"]
    with restarted.app_context():
        assert len(search_app.archive_index().indexed_versions()) == passages_in_record(restarted)


def test_the_api_answers_a_damaged_index_with_json_503(app):
    corrupt_toc(app)
    reader = make_app(Path(app.config["INDEX_DIR"]).parent).test_client()
    response = reader.get("/api/search", query_string={"q": "Aleppo"})
    assert response.status_code == 503
    assert "being rebuilt" in response.get_json()["error"]
    wait_for_search(reader)


def test_check_finds_a_passage_the_index_lacks_and_repair_puts_it_back(app):
    with app.app_context():
        passage_id = db.session().scalar(select(Passage.id).order_by(Passage.id))
        index = search_app.archive_index()
        name = (Path(app.config["INDEX_DIR"]) / "CURRENT").read_text().strip()
        with index.writing():
            ix = index._open(name)
            with ix.searcher() as searcher:
                docnum = next(
                    number
                    for number, fields in searcher.reader().iter_docs()
                    if fields.get("passage_id") == str(passage_id)
                )
            writer = ix.writer()
            writer.delete_document(docnum)
            writer.commit()
    result = run_cli(app, "check")
    assert result.exit_code != 0
    assert f"1 passage(s) missing from the index: ids {passage_id}." in result.output
    result = run_cli(app, "check", "--repair")
    assert result.exit_code == 0, result.output
    assert "re-indexed 1 testimonies" in result.output
    assert run_cli(app, "check").exit_code == 0


def test_check_of_a_sound_archive_says_it_agrees(app):
    result = run_cli(app, "check")
    assert result.exit_code == 0, result.output
    assert f"agrees with the record: {passages_in_record(app)} passages" in result.output


# --- every kind of damage to every file the searcher reads -------------------------------------


def _files(app, kind: str) -> list[Path]:
    """The files of one kind in the current generation: its table of contents, its segments,
    or one array of each segment (the one of the words a search for "Aleppo" reads)."""
    pattern = {"toc": "*.toc", "segment": "*.seg", "array": "*.oh3_text_docs.npy"}[kind]
    found = sorted(generation(app).glob(pattern))
    assert found, f"no {kind} file in {generation(app)}"
    return found


def _cut(path: Path, size: int) -> None:
    with open(path, "r+b") as file:  # in place: a process that maps it sees the cut
        file.truncate(size)


def deleted(paths: list[Path]) -> None:
    for path in paths:
        path.unlink()


def emptied(paths: list[Path]) -> None:
    for path in paths:
        _cut(path, 0)


def cut_short(paths: list[Path]) -> None:
    for path in paths:
        _cut(path, path.stat().st_size // 2)


def garbled(paths: list[Path]) -> None:
    for path in paths:
        size = path.stat().st_size
        with open(path, "r+b") as file:  # in place, the same length
            file.write((b"\x00garbled\xff" * (size // 9 + 1))[:size])


def generation_deleted(app) -> None:
    shutil.rmtree(generation(app))


def generation_emptied(app) -> None:
    for path in generation(app).iterdir():
        path.unlink()


DAMAGE = {
    "generation-deleted": generation_deleted,
    "generation-emptied": generation_emptied,
    **{
        f"{kind}-{name}": lambda app, how=how, kind=kind: how(_files(app, kind))
        for kind in ("toc", "segment", "array")
        for name, how in (
            ("deleted", deleted),
            ("emptied", emptied),
            ("cut-short", cut_short),
            ("garbled", garbled),
        )
    },
}


def answers_until_healed(client, q: str) -> list[int]:
    """The status of every search for `q` until one finds it (each either 200 or 503)."""
    statuses = []
    deadline = time.monotonic() + REBUILD_SECONDS
    while time.monotonic() < deadline:
        response = client.get("/api/search", query_string={"q": q})
        statuses.append(response.status_code)
        assert response.status_code in (200, 503), response.get_data(as_text=True)[:500]
        if response.status_code == 200 and response.get_json()["total"]:
            return statuses
        time.sleep(0.1)
    raise AssertionError(f"{q!r} was not found in time: {statuses[-5:]}")


def save_while_damaged(app, tmp_path) -> None:
    """Another worker saves a testimony while the index is damaged: the record keeps it."""
    other = make_app(Path(app.config["INDEX_DIR"]).parent)
    import_testimony(other, tmp_path, "meanwhile", "Zanzibarian marmalade was saved meanwhile.")


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_at_start_gives_503_then_the_index_is_rebuilt_with_saves_made_meanwhile(
    app, tmp_path, damage
):
    before = app.test_client().get("/api/search", query_string={"q": "Aleppo"}).get_json()
    DAMAGE[damage](app)
    # a worker started after the damage: nothing of the index is open yet
    reader = make_app(Path(app.config["INDEX_DIR"]).parent).test_client()
    first = reader.get("/api/search", query_string={"q": "Aleppo"})
    # a lost array is made again from its segment at once; any other damage is a 503
    assert first.status_code in ((200, 503) if damage == "array-deleted" else (503,))
    assert reader.get("/narrators").status_code == 200
    save_while_damaged(app, tmp_path)
    answers_until_healed(reader, "marmalade")
    assert wait_for_search(reader)["total"] == before["total"]


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_under_a_running_server_never_gives_500_and_is_healed_with_saves_made_meanwhile(
    app, tmp_path, damage
):
    reader = app.test_client()
    before = reader.get("/api/search", query_string={"q": "Aleppo"}).get_json()  # now open
    DAMAGE[damage](app)
    first = reader.get("/api/search", query_string={"q": "Aleppo"})
    assert first.status_code in (200, 503)
    save_while_damaged(app, tmp_path)
    answers_until_healed(reader, "marmalade")
    assert wait_for_search(reader)["total"] == before["total"]
    assert run_cli(app, "check").exit_code == 0


@pytest.mark.parametrize("damage", DAMAGE)
def test_check_reports_every_kind_of_damage(app, damage):
    DAMAGE[damage](app)
    result = run_cli(app, "check")
    assert result.exit_code != 0
    assert "The index cannot be read" in result.output


CUT_UNDER_A_WORKER = r"""
import sys
from pathlib import Path
from tests.conftest import make_app

reader = make_app(Path(sys.argv[1])).test_client()
print(reader.get("/api/search", query_string={"q": "Aleppo"}).status_code, flush=True)
generation = Path(sys.argv[1]) / "index"
generation = generation / (generation / "CURRENT").read_text().strip()
for array in generation.glob("*.npy"):  # every array this worker maps, emptied in place
    with open(array, "r+b") as file:
        file.truncate(0)
for _ in range(3):
    print(reader.get("/api/search", query_string={"q": "Aleppo"}).status_code, flush=True)
"""


def test_a_worker_whose_arrays_are_emptied_under_it_lives_and_answers_503(app):
    # a cut memory-mapped file kills the process that reads it: it is tried in another one
    worker = subprocess.run(
        [sys.executable, "-c", CUT_UNDER_A_WORKER, str(Path(app.config["INDEX_DIR"]).parent)],
        capture_output=True,
        text=True,
        timeout=REBUILD_SECONDS * 4,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert worker.returncode == 0, (worker.returncode, worker.stderr[-2000:])
    first, *after = worker.stdout.split()
    assert first == "200"
    assert after[0] == "503"
    assert set(after) <= {"200", "503"}
    wait_for_search(make_app(Path(app.config["INDEX_DIR"]).parent).test_client())


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text()
    return {int(pid) for pid in children.split()}


def _status(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_gunicorn_worker_whose_arrays_are_emptied_under_it_answers_503_and_lives(app):
    from tests.test_two_servers import Server

    server = Server(app.config["DATABASE_URL"], Path(app.config["INDEX_DIR"]))
    try:
        assert _status(server.base, "/api/search?q=Aleppo") == 200  # its arrays now mapped
        workers = _workers(server.process.pid)
        emptied(list(generation(app).glob("*.npy")))
        assert _status(server.base, "/api/search?q=Aleppo") == 503
        deadline = time.monotonic() + REBUILD_SECONDS
        while _status(server.base, "/api/search?q=Aleppo") != 200:
            assert time.monotonic() < deadline, "the index was not rebuilt in time"
            time.sleep(0.1)
        assert _workers(server.process.pid) == workers  # none died and was replaced
    finally:
        server.stop()
