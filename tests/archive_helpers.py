"""Helpers for tests of the archivists' side: accounts, CSRF tokens, the testimony form."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from oralhistory.record.models import Narrator, Passage, Revision, Testimony
from oralhistory.web import db
from tests.conftest import run_cli

PASSWORD = "a long and honest passphrase"


def create_archivist(app, username: str = "ada", password: str = PASSWORD) -> None:
    result = run_cli(app, "create-archivist", username, "--password", password)
    assert result.exit_code == 0, result.output


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on the page at `path`, as a browser would find it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, username: str = "ada", password: str = PASSWORD, **kwargs):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client, "/login")}
    return client.post("/login", data=data, **kwargs)


def archivist_client(app, username: str = "ada"):
    """A test client signed in as a (new) archivist."""
    create_archivist(app, username)
    client = app.test_client()
    response = sign_in(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def submit(client, path: str, data: dict, form_page: str | None = None, **kwargs):
    """POST `data` to `path` with the CSRF token of the form on `form_page` (default `path`)."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def form_for_testimony(**changes) -> dict:
    """A complete, valid submission of the testimony form, with `changes`."""
    form = {
        "narrator": "",
        "narrator_name": "Layla Haddad",
        "narrator_age": "52",
        "narrator_residence": "Gaziantep",
        "narrator_roles": "teacher\nmother of three",
        "narrator_biography": "A teacher from the old city who left in the last convoy.",
        "title": "The last convoy from the old city",
        "interview_date": "2018-03-04",
        "interviewers": "Sara Idris, Karim Nasser",
        "source": "Test Oral History Project",
        "rights": "Recorded with consent; for research use.",
        "access": "public",
        "transcript": "We waited by the buses all night in the cold.\n\n"
        "In the morning the convoy left, and I looked back at the citadel.",
    }
    form.update(changes)
    return form


def record_counts(app) -> dict[str, int]:
    """How many narrators, testimonies, passages and revisions the record holds."""
    with app.app_context():
        session = db.session()
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Narrator, Testimony, Passage, Revision)
        }


def search_total(client, q: str) -> int:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def saved_testimony_id(response) -> int:
    """The id of the testimony a successful form redirected to."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/testimonies/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))
