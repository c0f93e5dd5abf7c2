"""`ORALHISTORY_PUBLIC_URL`: the archive's one address in everything that names it for good
(citations, page metadata, the sitemap, OAI-PMH, the OpenAPI description, downloads), whatever
`Host` a request came with; without it, the request's own address."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import copy_database, make_app

PUBLIC = "https://archive.example.org"
# What every page that names a permanent address was asked for, through a proxy or a
# forged Host header: none of these may name this host.
ASKED = [
    "/testimonies/2/passages/p-2/cite",
    "/testimonies/2/passages/p-2/citation.json",
    "/testimonies/2/passages/p-2/citation.ris",
    "/testimonies/2/citation.bib",
    "/testimonies/2/passages/p-2",
    "/testimonies/2",
    "/sitemap.xml",
    "/oai?verb=Identify",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc",
    "/api/openapi.json",
    "/testimonies/2/export.txt",
    "/search.csv?q=Aleppo",
]


@pytest.fixture
def public_app(built_archive, tmp_path):
    copy_database(built_archive, tmp_path)
    shutil.copytree(built_archive / "index", tmp_path / "index")
    return make_app(tmp_path, PUBLIC_URL=PUBLIC + "/")


@pytest.mark.parametrize("path", ASKED)
def test_permanent_addresses_name_the_configured_address_not_the_requests_host(public_app, path):
    response = public_app.test_client().get(path, headers={"Host": "proxy.internal:8080"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert PUBLIC in body
    assert "proxy.internal" not in body
    assert not re.search(r"https://archive\.example\.org//", body)


def test_the_oai_identifiers_take_the_configured_host(public_app):
    body = public_app.test_client().get(
        "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", headers={"Host": "proxy.internal"}
    )
    assert "oai:archive.example.org:testimonies/" in body.get_data(as_text=True)


def test_without_the_setting_addresses_follow_the_request(app):
    body = app.test_client().get(
        "/testimonies/2/passages/p-2/cite", headers={"Host": "reader.example:5000"}
    )
    assert "http://reader.example:5000/testimonies/2/passages/p-2" in body.get_data(as_text=True)


def test_a_form_sent_from_the_public_address_through_a_proxy_is_not_refused(public_app):
    from tests.archive_helpers import PASSWORD, create_archivist

    create_archivist(public_app)
    client = public_app.test_client()
    headers = {"Host": "proxy.internal:8080", "Origin": PUBLIC}
    form = client.get("/login", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = {"username": "ada", "password": PASSWORD, "csrf_token": token}
    other = client.post("/login", data=data, headers={**headers, "Origin": "https://evil.example"})
    assert other.status_code == 403
    assert client.post("/login", data=data, headers=headers).status_code == 302


@pytest.mark.parametrize("url", ["archive.example.org", "ftp://x.org", "https://x.org/archive"])
def test_a_public_address_that_would_make_citations_wrong_is_refused_at_start(tmp_path, url):
    with pytest.raises(ValueError, match="ORALHISTORY_PUBLIC_URL must be"):
        make_app(tmp_path, PUBLIC_URL=url)
