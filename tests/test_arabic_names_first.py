"""On Arabic pages a narrator is named in Arabic script first, the link on that name and the
Latin spelling after it; on English pages the other way round. Lists read with the comma of the
page's language."""

from __future__ import annotations

import re

import pytest

from tests.archive_helpers import archivist_client

ARABIC = {"Accept-Language": "ar"}
# The Arabic name as the link's words, then the Latin name set apart after the link.
ARABIC_FIRST = re.compile(
    r'<a href="[^"]*/narrators/muhammad-qadsi"><bdi lang="ar" dir="rtl">محمد قدسي</bdi></a>'
    r' <span class="other-script"><bdi lang="en" dir="auto">Muhammad Qadsi</bdi></span>'
)
LATIN_FIRST = re.compile(
    r'<a href="[^"]*/narrators/muhammad-qadsi"><bdi lang="en" dir="auto">Muhammad Qadsi</bdi></a>'
    r' <span class="other-script"><bdi lang="ar" dir="rtl">محمد قدسي</bdi></span>'
)


def _testimony_of_qadsi(client) -> str:
    found = client.get("/api/search?q=narrator:qadsi").get_json()["hits"][0]
    return found["testimony"]["url"]


@pytest.mark.parametrize(
    "path", ["/", "/narrators", "testimony", "/events/evacuation-of-east-aleppo"]
)
def test_an_arabic_page_names_the_narrator_in_arabic_first_and_links_that_name(client, path):
    if path == "testimony":
        path = _testimony_of_qadsi(client)
    page = client.get(path, headers=ARABIC).get_data(as_text=True)
    assert ARABIC_FIRST.search(page), path
    assert not LATIN_FIRST.search(page), path


@pytest.mark.parametrize("path", ["/", "/narrators", "testimony"])
def test_an_english_page_names_the_narrator_in_latin_first(client, path):
    if path == "testimony":
        path = _testimony_of_qadsi(client)
    page = client.get(path).get_data(as_text=True)
    assert LATIN_FIRST.search(page), path
    assert not ARABIC_FIRST.search(page), path


def test_the_profile_a_search_hit_and_the_narrator_filter_put_the_arabic_name_first(client):
    profile = client.get("/narrators/muhammad-qadsi", headers=ARABIC).get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", profile, re.S).group(1)
    assert heading.index("محمد قدسي") < heading.index("Muhammad Qadsi")
    results = client.get("/search?q=returning", headers=ARABIC).get_data(as_text=True)
    heads = re.findall(r'<p class="hit-head">(.*?)</p>', results, re.S)
    qadsi = [head for head in heads if "قدسي" in head]
    assert qadsi and all("Qadsi" not in head for head in qadsi)  # the hit's link names one
    facets = results.split("<aside", 1)[1]
    assert "محمد قدسي" in facets


def test_the_review_queue_names_the_narrator_in_arabic_first_on_an_arabic_page(app):
    page = archivist_client(app).get("/archive/links", headers=ARABIC).get_data(as_text=True)
    meta = re.findall(r'<p class="meta">(.*?)</p>', page, re.S)
    assert any("محمد قدسي" in line or "الحلبي" in line for line in meta)


def test_lists_use_the_arabic_comma_on_arabic_pages_and_the_latin_one_on_english_pages(client):
    path = _testimony_of_qadsi(client)
    arabic = client.get(path, headers=ARABIC).get_data(as_text=True)
    english = client.get(path).get_data(as_text=True)
    interviewers = r'<bdi lang="en" dir="auto">Alaa Nassar</bdi>(.)\s?<bdi'
    assert re.search(interviewers, arabic).group(1) == "،"
    assert re.search(interviewers, english).group(1) == ","
