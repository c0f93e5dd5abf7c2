"""A form sent twice stores once: each archivist's form carries a one-time key, and a second
submission of it (a double click, a retry after a dropped connection or a worker that died
after the commit) is answered with what the first stored."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from html import unescape

import pytest
from sqlalchemy import func, select

from oralhistory.record.models import Testimony
from oralhistory.web import db
from tests.archive_helpers import (
    archivist_client,
    csrf_token,
    form_for_testimony,
    record_counts,
    saved_testimony_id,
)
from tests.test_archivists import edit_form, first_testimony_of
from tests.test_crash import env, kill

NEW = "/archive/testimonies/new"


@pytest.fixture
def archivist(app):
    return archivist_client(app)


def one_time_key(html: str) -> str:
    match = re.search(r'<input type="hidden" name="submission" value="([^"]*)"', html)
    assert match, "the form carries no one-time key"
    return unescape(match.group(1))


def opened_form(client, path: str) -> dict:
    """What a browser sends back of the form on `path`: its CSRF token and one-time key."""
    html = client.get(path).get_data(as_text=True)
    return {"csrf_token": csrf_token(client, path), "submission": one_time_key(html)}


def test_a_new_testimony_sent_twice_is_stored_once_and_the_second_answer_points_to_it(
    app, archivist
):
    before = record_counts(app)
    form = {**form_for_testimony(), **opened_form(archivist, NEW)}
    first = archivist.post(NEW, data=form)
    again = archivist.post(NEW, data=form)
    assert saved_testimony_id(again) == saved_testimony_id(first)
    after = record_counts(app)
    assert after["Testimony"] == before["Testimony"] + 1
    assert after["Narrator"] == before["Narrator"] + 1
    assert after["Revision"] == before["Revision"] + 1
    page = archivist.get(again.headers["Location"]).get_data(as_text=True)
    assert "This testimony had already been sent and stored; it was not stored again." in page


def test_every_form_shown_gets_a_key_of_its_own(archivist):
    first, second = (one_time_key(archivist.get(NEW).get_data(as_text=True)) for _ in range(2))
    assert first != second and len(first) >= 16


def test_a_correction_sent_twice_is_saved_once_and_the_second_answer_points_to_it(
    app, archivist, client
):
    testimony = first_testimony_of(client, "muhammad-qadsi")
    edit = f"/archive/testimonies/{testimony['id']}/edit"
    form = {**edit_form(archivist, testimony["id"]), **opened_form(archivist, edit)}
    form["title"] = "A title corrected once"
    before = record_counts(app)
    first = archivist.post(edit, data=form)
    # not "someone changed this testimony after you opened this form": it was you, once
    again = archivist.post(edit, data=form)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert record_counts(app)["Revision"] == before["Revision"] + 1
    page = archivist.get(again.headers["Location"]).get_data(as_text=True)
    assert "This correction had already been sent and saved; it was not saved again." in page


def test_a_form_shown_again_with_a_problem_keeps_its_key_and_stores_once(app, archivist):
    before = record_counts(app)
    opened = opened_form(archivist, NEW)
    refused = archivist.post(NEW, data={**form_for_testimony(title=""), **opened})
    assert refused.status_code == 400
    assert one_time_key(refused.get_data(as_text=True)) == opened["submission"]
    form = {**form_for_testimony(), **opened}
    first = archivist.post(NEW, data=form)
    assert saved_testimony_id(archivist.post(NEW, data=form)) == saved_testimony_id(first)
    assert record_counts(app)["Testimony"] == before["Testimony"] + 1


def test_a_key_the_archive_never_gives_is_refused_and_nothing_stored(app, archivist):
    before = record_counts(app)
    form = {**form_for_testimony(), **opened_form(archivist, NEW), "submission": "x'<>"}
    response = archivist.post(NEW, data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "one-time key is not one this archive gives" in page
    assert record_counts(app) == before
    # the form comes back with a key of the archive's, and sent again it is stored
    form["submission"] = one_time_key(page)
    assert archivist.post(NEW, data=form).status_code == 302


def test_the_same_form_sent_twice_at_the_same_moment_is_stored_once(app, archivist):
    before = record_counts(app)
    form = {**form_for_testimony(), **opened_form(archivist, NEW)}
    cookie = archivist.get_cookie("session").value
    answers = []

    def send() -> None:
        client = app.test_client()
        client.set_cookie("session", cookie)
        answers.append(client.post(NEW, data=form))

    senders = [threading.Thread(target=send) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert [answer.status_code for answer in answers] == [302, 302]
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert record_counts(app)["Testimony"] == before["Testimony"] + 1


KEYED_SAVE = r"""
import sys
from pathlib import Path
from tests.conftest import make_app
from tests.archive_helpers import archivist_client, form_for_testimony, submit

app = make_app(Path(sys.argv[1]))
archivist = archivist_client(app, "killed")
form = form_for_testimony(title=sys.argv[2], submission=sys.argv[3])
print("ready", flush=True)
submit(archivist, "/archive/testimonies/new", form)
print("done", flush=True)
"""


def test_a_form_sent_again_after_the_server_died_past_its_commit_is_not_stored_twice(
    app, tmp_path, archivist
):
    # The worker dies after the commit, before its answer: the archivist, left without a
    # confirmation, sends the same form again.
    key = one_time_key(archivist.get(NEW).get_data(as_text=True))
    title = "Saved once though sent twice"
    process = subprocess.Popen(
        [sys.executable, "-c", KEYED_SAVE, str(tmp_path), title, key],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout.readline() == "ready\n", "the saving process did not start"
    kill(process, app, commits=1, delay=0.0)
    process.stdout.close()
    with app.app_context():
        stored = db.session().scalars(select(Testimony.id).where(Testimony.title == title))
        first = list(stored)
    assert len(first) == 1
    form = {**form_for_testimony(title=title), **opened_form(archivist, NEW), "submission": key}
    again = archivist.post(NEW, data=form)
    assert saved_testimony_id(again) == first[0]
    with app.app_context():
        count = select(func.count()).select_from(Testimony).where(Testimony.title == title)
        assert db.session().scalar(count) == 1
