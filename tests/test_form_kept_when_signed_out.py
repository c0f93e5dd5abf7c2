"""Nothing typed is lost when a session ends: a form sent after signing out (in another tab),
after the session ended elsewhere, or with a token older than the session comes back filled in
as typed, saying what to do, never as a bare 400; nothing is stored."""

from __future__ import annotations

import html
import re

import pytest

from tests.archive_helpers import (
    archivist_client,
    form_for_testimony,
    record_counts,
    sign_in,
    submit,
)

NEW = "/archive/testimonies/new"
EDIT = "/archive/testimonies/1/edit"
TYPED = "A correction typed over an hour, with words that must not be lost <3."


@pytest.fixture
def archivist(app):
    return archivist_client(app)


def opened(client, path: str) -> dict:
    """The hidden fields of the form on `path`, as a browser holds them."""
    page = client.get(path).get_data(as_text=True)
    form = page[page.index('<form class="stacked"') :]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def sign_out(client) -> None:
    assert submit(client, "/logout", {}, form_page="/logout").status_code == 302


def test_a_correction_sent_after_signing_out_in_another_tab_comes_back_as_typed(app, archivist):
    form = {**opened(archivist, EDIT), "passage_1": TYPED, "note": "fixed a name"}
    sign_out(archivist)  # the other tab: the browser's session cookie is gone
    before = record_counts(app)
    response = archivist.post(EDIT, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "You were signed out, so nothing was saved" in page
    assert "CSRF" not in page
    assert html.escape(TYPED) in page and 'value="fixed a name"' in page
    assert f'action="{EDIT}"' in page and 'name="csrf_token"' in page
    assert record_counts(app) == before


def test_the_page_shown_to_the_signed_out_holds_nothing_of_the_record(app, archivist, client):
    title = re.search(r"<h1>(.*?)</h1>", archivist.get("/testimonies/1").get_data(as_text=True))
    narrator = "Hisham Skeif"
    form = {**opened(archivist, EDIT), "passage_1": TYPED}
    sign_out(archivist)
    page = archivist.post(EDIT, data=form).get_data(as_text=True)
    assert narrator not in page and title.group(1) not in page
    assert "Withdraw this testimony" not in page


def test_a_form_sent_after_the_session_ended_elsewhere_is_kept_not_sent_to_sign_in(app, archivist):
    other = app.test_client()  # the same browser session, ended from another device
    other.set_cookie("session", archivist.get_cookie("session").value)
    form = {**form_for_testimony(), **opened(other, NEW)}
    assert submit(archivist, "/logout/everywhere", {}, form_page="/logout").status_code == 302
    before = record_counts(app)
    response = other.post(NEW, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, response.headers.get("Location")
    assert "You were signed out" in page
    assert html.escape(form["narrator_biography"]) in page
    assert record_counts(app) == before


def test_a_form_older_than_the_session_comes_back_and_sent_again_is_saved(app, archivist):
    form = {**form_for_testimony(), **opened(archivist, NEW)}
    sign_out(archivist)
    sign_in(archivist)  # signed in again in another tab: a new session, a new token
    before = record_counts(app)
    response = archivist.post(NEW, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "older than your current session" in page
    assert html.escape(form["transcript"].split("\n")[0]) in page
    assert record_counts(app) == before
    again = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    saved = archivist.post(NEW, data={**form, **again})
    assert saved.status_code == 302
    assert record_counts(app)["Testimony"] == before["Testimony"] + 1


def test_the_signed_out_message_is_in_arabic_for_an_arabic_reader(app, archivist):
    form = {**form_for_testimony(), **opened(archivist, NEW)}
    sign_out(archivist)
    page = archivist.post(NEW, data=form, headers={"Accept-Language": "ar"})
    text = page.get_data(as_text=True)
    assert "انتهت جلستك" in text and "You were signed out" not in text
