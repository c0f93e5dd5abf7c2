"""One rule for the text that reaches the archive from outside: control characters (a NUL
above all, which PostgreSQL cannot store) in an address, a query parameter, a form field or a
user name are refused before any database sees them, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import html

import pytest

from tests.archive_helpers import archivist_client, csrf_token, form_for_testimony, submit
from tests.conftest import run_cli


@pytest.mark.parametrize(
    "path",
    [
        "/narrators/a%00b",
        "/api/narrators/a%00b",
        "/events/a%00b",
        "/api/events/a%00b",
        "/places/a%00b",
        "/narrators/a%1Bb",
        "/narrators/a%C2%85b",
    ],
)
def test_a_control_character_in_an_address_is_not_found_not_a_crash(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    if "/api/" in path:
        assert response.get_json()["error"]


@pytest.mark.parametrize(
    "params",
    [{"narrator": "a\x00b"}, {"q": "orphans", "place": "x\x00"}, {"event": "\x00"}],
)
@pytest.mark.parametrize("address", ["/search", "/api/search", "/search.csv"])
def test_a_nul_in_a_query_parameter_is_refused_naming_it(client, address, params):
    response = client.get(address, query_string=params)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    name = next(name for name, value in params.items() if "\x00" in value)
    said = html.unescape(response.get_data(as_text=True))
    assert f"'{name}' in the address holds a control character (U+0000)" in said


def test_a_nul_in_the_user_name_at_sign_in_is_refused_not_a_crash(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": "ada\x00", "password": "whatever it is", "csrf_token": token}
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "User name holds a control character (U+0000)" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("narrator_name", "Layla\x00Haddad", "New narrator’s name holds a control character"),
        ("narrator", "a\x00b", "Narrator holds a control character (U+0000)"),
        ("events", "a\x00b", "Events holds a control character (U+0000)"),
        ("title", "A \x85 title", "Title holds a control character (U+0085)"),
    ],
)
def test_a_control_character_in_a_form_field_is_refused_naming_the_field(app, field, value, says):
    client = archivist_client(app)
    response = submit(client, "/archive/testimonies/new", form_for_testimony(**{field: value}))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert says in response.get_data(as_text=True)


def test_a_nul_in_a_links_target_is_refused_naming_it(app):
    client = archivist_client(app)
    omar = client.get("/api/narrators/omar-al-halabi").get_json()["testimonies"][0]
    response = submit(
        client,
        f"/archive/testimonies/{omar['id']}/links",
        {"passage": "p-1", "target": "event:a\x00b"},
        form_page=f"/testimonies/{omar['id']}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "'target' holds a control character" in response.get_json()["error"]


def test_a_refused_control_character_is_explained_in_arabic(client):
    client.set_cookie("lang", "ar")
    page = client.get("/search", query_string={"narrator": "a\x00b"})
    assert page.status_code == 400
    assert "محرف تحكم" in page.get_data(as_text=True)


def test_tabs_and_line_breaks_in_a_form_are_still_accepted(app):
    client = archivist_client(app)
    form = form_for_testimony(transcript="One\tline\r\nand the next.\r\n\r\nA second passage.")
    response = submit(client, "/archive/testimonies/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]


def test_a_nul_in_a_user_name_on_the_command_line_is_no_such_archivist(app):
    result = run_cli(app, "set-password", "ada\x00", "--password", "a long enough password")
    assert result.exit_code != 0
    assert "there is no archivist called" in result.output
    assert "Traceback" not in result.output
