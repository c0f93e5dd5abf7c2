"""Every page fits the width of the window, wide and narrow, in every interface language: a
reader never scrolls sideways to read a line (WCAG 1.4.10, reflow)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LANGUAGES, WIDTHS, address, views

pytestmark = pytest.mark.browser

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type, signed_in", views(two_languages=True))
def test_page_never_scrolls_sideways(site, open_page, page_type, signed_in, language):
    page = open_page(signed_in, "wide", language)
    page.goto(address(site, page_type))
    for w, h in WIDTHS.values():
        page.set_viewport_size({"width": w, "height": h})
        assert page.evaluate(SIDEWAYS) == 0, f"at {w} px the page is wider than the window"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_passages_cite_link_stands_beside_its_words_not_over_them(site, open_page, language):
    # the link sits at the passage's start side: the right in Arabic, the left in English
    page = open_page(False, "phone", language)
    page.goto(address(site, "testimony"))
    overlaps = page.evaluate(
        """() => [...document.querySelectorAll('.passage')].filter((p) => {
             const link = p.querySelector('.cite-link'), words = p.querySelector('.words');
             if (!link || !words) return false;
             const a = link.getBoundingClientRect(), b = words.getBoundingClientRect();
             return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
           }).map((p) => p.id)"""
    )
    assert overlaps == []
