"""The Arabic web font is fetched where Arabic text is shown, and only there."""

from __future__ import annotations

import pytest

from tests.browser.conftest import address

pytestmark = pytest.mark.browser


def _fonts_fetched(page, url: str) -> list[str]:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".woff2") else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return fetched


def test_an_english_page_without_arabic_text_fetches_no_arabic_font(site, open_page):
    assert _fonts_fetched(open_page(False, "wide", "en"), address(site, "timeline")) == []


def test_an_arabic_page_fetches_the_arabic_font(site, open_page):
    assert _fonts_fetched(open_page(False, "wide", "ar"), address(site, "timeline"))
