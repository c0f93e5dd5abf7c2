"""Every page fits the width of the window, wide and narrow, in every interface language: a
reader never scrolls sideways to read a line (WCAG 1.4.10, reflow)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LANGUAGES, WIDTHS, address, views

pytestmark = pytest.mark.browser

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type, signed_in", views())
def test_page_never_scrolls_sideways(site, open_page, page_type, signed_in, language):
    page = open_page(signed_in, "wide", language)
    page.goto(address(site, page_type))
    for w, h in WIDTHS.values():
        page.set_viewport_size({"width": w, "height": h})
        assert page.evaluate(SIDEWAYS) == 0, f"at {w} px the page is wider than the window"
