"""The web layer's guards, written once: every archivists' address refuses a visitor who is
not signed in the same way, and every number in an address is refused the same way."""

from __future__ import annotations

import pytest

from tests.archive_helpers import archivist_client, csrf_token

SIGN_IN_FIRST = {"error": "Sign in as an archivist to use the archive."}
ARABIC = {"Accept-Language": "ar"}
JSON = {"Accept": "application/json"}
# the archivists' addresses, one of each guarded blueprint (GET), and the forms that change links
ARCHIVE_PAGES = ["/archive/", "/archive/links", "/archive/testimonies/1/edit"]
ARCHIVE_API = ["/api/archive/testimonies", "/api/archive/links"]
LINK_FORMS = ["/archive/links/1/confirm", "/archive/links/1/reject", "/archive/testimonies/1/links"]


@pytest.mark.parametrize("address", ARCHIVE_PAGES)
def test_a_visitor_opening_an_archivists_page_is_sent_to_sign_in_and_back(client, address):
    response = client.get(address)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={address}"


@pytest.mark.parametrize("address", LINK_FORMS)
def test_a_visitor_sending_a_link_form_is_sent_to_sign_in_through_the_sign_in_address(
    client, address
):
    token = csrf_token(client, "/login")
    response = client.post(address, data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={address}"


@pytest.mark.parametrize("address", ARCHIVE_API + ARCHIVE_PAGES)
def test_a_json_client_not_signed_in_gets_the_same_401_at_every_archivists_address(client, address):
    response = client.get(address, headers=JSON)
    assert response.status_code == 401
    assert response.get_json() == SIGN_IN_FIRST


@pytest.mark.parametrize("address", LINK_FORMS)
def test_a_json_client_not_signed_in_gets_the_same_401_from_the_link_forms(client, address):
    token = csrf_token(client, "/login")
    response = client.post(address, data={"csrf_token": token}, headers=JSON)
    assert response.status_code == 401
    assert response.get_json() == SIGN_IN_FIRST


def test_a_browser_asking_for_any_type_gets_pages_not_json(client):
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert client.get("/archive/", headers=browser).status_code == 302
    assert client.get("/api/archive/links", headers=browser).status_code == 401


@pytest.mark.parametrize(
    "address",
    [
        "/api/search?q=Aleppo&page=two",
        "/api/archive/links?testimony=two",
        "/api/archive/testimonies/1/history?older=two",
    ],
)
def test_a_number_that_is_not_one_gets_a_400_naming_the_parameter_everywhere(app, address):
    client = archivist_client(app)
    response = client.get(address)
    assert response.status_code == 400
    assert "must be a whole number of at most 9 digits, not 'two'" in response.get_json()["error"]


def test_a_number_that_is_not_one_is_refused_in_the_readers_language(app):
    client = archivist_client(app)
    response = client.get("/archive/testimonies/1/history?older=two", headers=ARABIC)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "عددًا صحيحًا من 9 أرقام على الأكثر" in page
    assert "must be a whole number" not in page


def test_a_form_sent_from_another_site_is_refused_with_403_before_any_view(client):
    token = csrf_token(client, "/login")
    response = client.post(
        "/archive/links/1/confirm",
        data={"csrf_token": token},
        headers={"Origin": "https://elsewhere.example", **JSON},
    )
    assert response.status_code == 403
    assert "came from another site" in response.get_json()["error"]
