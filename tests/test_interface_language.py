"""The interface in Arabic and English: chosen by the reader, remembered, and marked up."""

from __future__ import annotations

import re

from oralhistory.i18n import compile_catalogues


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_an_english_browser_gets_the_english_interface_left_to_right(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert ">Narrators</a>" in page


def test_an_arabic_browser_gets_the_arabic_interface_right_to_left(client):
    page = client.get("/", headers={"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert ">الرواة</a>" in page
    assert ">Narrators</a>" not in page


def test_a_browser_asking_for_neither_language_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_the_language_switch_is_a_link_on_every_page_back_to_the_same_page(client):
    page = client.get("/narrators/hisham-skeif").get_data(as_text=True)
    assert 'href="/language/ar?next=/narrators/hisham-skeif"' in page
    assert 'lang="ar"' in page and "العربية" in page


def test_choosing_arabic_is_remembered_over_the_browsers_language(client):
    response = client.get("/language/ar?next=/timeline")
    assert response.status_code == 303
    assert response.headers["Location"] == "/timeline"
    assert "lang=ar" in response.headers["Set-Cookie"]
    page = client.get("/timeline", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    client.get("/language/en")
    page = client.get("/timeline", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_the_language_switch_never_leads_to_another_site(client):
    response = client.get("/language/ar?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_a_readable_404(client):
    response = client.get("/language/xx")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_pages_tell_caches_they_differ_by_language(client):
    vary = client.get("/").headers["Vary"]
    assert "Cookie" in vary and "Accept-Language" in vary


def test_a_changed_catalogue_is_compiled_when_the_app_starts(tmp_path):
    po = tmp_path / "ar" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: ar\\n"\n\nmsgid "Search"\nmsgstr "بحث"\n')
    assert compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert compile_catalogues(tmp_path) == []
    assert "بحث".encode() in po.with_suffix(".mo").read_bytes()
