"""The browser's validation bubbles are in the browser's language (here English, `en-GB`), not
the page's: on an Arabic page, a form sent with an empty required field reaches the archive,
which says what is wrong in Arabic, instead of stopping at an English bubble."""

from __future__ import annotations

import pytest

from tests.browser.conftest import address

pytestmark = pytest.mark.browser


def test_an_empty_sign_in_on_an_arabic_page_is_answered_by_the_archive_in_arabic(site, open_page):
    page = open_page(False, "wide", "ar")
    page.goto(address(site, "login"))
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    alert = page.locator('[role="alert"]').first.inner_text()
    assert alert and not any("a" <= char.lower() <= "z" for char in alert), alert


def test_a_link_added_without_a_choice_on_an_arabic_page_is_refused_in_arabic(site, open_page):
    page = open_page(True, "wide", "ar")
    page.goto(address(site, "testimony"))
    form = page.locator("form.stacked[action$='/links']").first
    form.locator("xpath=ancestor::details[1]").evaluate("details => details.open = true")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    said = page.locator(".flash, [role='alert']").all_inner_texts()
    assert any("يجب أن يسمّي «target» حدثًا أو مكانًا من الخط الزمني" in text for text in said), said
