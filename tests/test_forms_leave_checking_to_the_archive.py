"""The browser's own validation bubbles speak the browser's language, not the page's: every
form whose fields are marked `required`, `pattern` or `minlength` says `novalidate`, so that
what is wrong is said by the archive, in the reader's language, next to the field."""

from __future__ import annotations

import html
import re

import pytest

from tests.archive_helpers import PASSWORD, archivist_client, csrf_token

CHECKED = re.compile(r"<(?:input|textarea|select)\b[^>]*\b(?:required|pattern=|minlength=)")
PAGES = [
    "/",
    "/search?q=Aleppo",
    "/narrators",
    "/narrators/asmar-al-halabi",
    "/testimonies/1",
    "/testimonies/1/cite",
    "/timeline",
    "/events/evacuation-of-east-aleppo",
    "/places/aleppo",
    "/archive/",
    "/archive/testimonies/new",
    "/archive/testimonies/1/edit",
    "/archive/testimonies/1/history",
    "/archive/links",
    "/account/password",
]


def forms_checked_by_the_browser(page: str) -> list[str]:
    """The opening tags of the forms that hold a field the browser would check itself."""
    return [
        form.split(">", 1)[0]
        for form in re.findall(r"<form\b.*?</form>", page, re.S)
        if CHECKED.search(form) and "novalidate" not in form.split(">", 1)[0]
    ]


@pytest.mark.parametrize("path", PAGES)
def test_no_form_leaves_its_checking_to_the_browsers_language(app, path):
    page = archivist_client(app).get(path).get_data(as_text=True)
    assert forms_checked_by_the_browser(page) == []


def test_the_sign_in_form_leaves_its_checking_to_the_archive(client):
    page = client.get("/login").get_data(as_text=True)
    assert "required" in page and forms_checked_by_the_browser(page) == []


def test_an_empty_sign_in_is_answered_in_arabic(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": "", "password": ""},
        headers={"Accept-Language": "ar"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code in (400, 401) and "Give your username" not in page
    assert 'role="alert"' in page


def test_a_short_new_password_is_refused_in_arabic(app):
    archivist = archivist_client(app)
    token = csrf_token(archivist, "/account/password")
    response = archivist.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "short",
            "new_password_again": "short",
        },
        headers={"Accept-Language": "ar"},
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "يجب ألا تقل كلمة المرور عن 10 أحرف." in page
