"""A write that finds the index damaged keeps the record and has the index rebuilt, even in a
process where no index follower runs (a CLI command, a script): the writer starts the rebuild
itself, and the index then holds what was saved."""

from __future__ import annotations

import time

from tests.conftest import import_testimony
from tests.test_index_damage import REBUILD_SECONDS, delete_segment


def test_an_import_into_a_damaged_index_is_kept_and_the_index_rebuilt_without_a_follower(
    app, tmp_path
):
    assert not app.extensions["oralhistory.follower"].running()
    delete_segment(app)
    import_testimony(app, tmp_path, "saved-while-damaged", "Quokkas crossed the ring road.")
    client = app.test_client()
    deadline = time.monotonic() + REBUILD_SECONDS
    while True:
        found = client.get("/api/search", query_string={"q": "quokkas"})
        if found.status_code == 200 or time.monotonic() > deadline:
            break
        assert found.status_code == 503
        time.sleep(0.1)
    assert found.status_code == 200, "the index was not rebuilt"
    assert found.get_json()["total"] == 1
