"""A person with only a keyboard can search and reach a result, and add a testimony."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import WIDTHS

pytestmark = pytest.mark.browser


MAX_TABS_TO_SEARCH_BOX = 10
# From the top of the results page to the first result, following a "skip to the results"
# link on the way if the page offers one.
MAX_KEYS_TO_FIRST_RESULT = 6
MAX_TABS_THROUGH_FORM = 120

FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', id: e.id,
          href: e.getAttribute('href') || '', text: (e.textContent || '').trim().slice(0, 80),
          value: e.value === undefined ? null : e.value,
          firstResult: !!e.closest('ol.results > li:first-child')};
}"""


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_search_by_keyboard_reaches_the_first_result_in_a_few_keys(site, open_page, width):
    page = open_page(False, width)
    page.goto(site.url + "/")
    for _ in range(MAX_TABS_TO_SEARCH_BOX):
        if tab(page)["type"] == "search":
            break
    else:
        pytest.fail(
            f"no search box within {MAX_TABS_TO_SEARCH_BOX} Tabs of the top of the home page"
        )
    page.keyboard.type("Aleppo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/search\?q=Aleppo", page.url)
    assert page.locator("ol.results > li").count() > 1
    keys = []
    for _ in range(MAX_KEYS_TO_FIRST_RESULT):
        focused = tab(page)
        keys.append(f"Tab → {focused['tag']} {focused['text'] or focused['id']}")
        if focused["firstResult"]:
            break
        if focused["href"].endswith("#results"):
            page.keyboard.press("Enter")
            keys.append("Enter")
    else:
        pytest.fail(
            f"the first result is not reached in {MAX_KEYS_TO_FIRST_RESULT} keys:\n"
            + "\n".join(keys)
        )
    assert len(keys) <= MAX_KEYS_TO_FIRST_RESULT


def test_archivist_adds_a_testimony_with_the_keyboard_alone(site, open_page):
    page = open_page(True, "wide")
    page.goto(site.url + "/archive/testimonies/new")
    typed = {
        "title": "Waiting for the buses at Ramouseh",
        "interviewers": "Nour Kassem",
        "source": "Keyboard Oral History Project",
        "rights": "Recorded with consent; for research use.",
        "transcript": "We stood in the cold by the green buses until the morning.",
    }
    done: set[str] = set()
    for _ in range(MAX_TABS_THROUGH_FORM):
        focused = tab(page)
        name = focused["name"]
        if name == "narrator" and "narrator" not in done:
            page.keyboard.press("ArrowDown")  # the first narrator of the record
            done.add(name)
        elif name == "interview_date" and name not in done:
            # A date field takes its digits in the order the browser shows (en: month first).
            page.keyboard.type("03042018" if focused["type"] == "date" else "2018-03-04")
            done.add(name)
        elif name in typed and name not in done:
            page.keyboard.type(typed[name])
            done.add(name)
        elif (
            focused["tag"] == "button"
            and focused["type"] == "submit"
            and done >= {*typed, "narrator"}
        ):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"the form's submit button was not reached; filled {sorted(done)}")
    assert re.search(r"/testimonies/\d+$", page.url), page.url
    assert page.locator("h1").inner_text().startswith(typed["title"])
    assert "We stood in the cold by the green buses" in page.locator(".passages").inner_text()
    assert page.evaluate("document.querySelector('.flash') !== null")


MAX_TABS_TO_A_MATCH_LINK = 40


def tab_to(page, href: str, most: int) -> None:
    """Tab forward until the link to `href` has the focus (at most `most` Tabs)."""
    for _ in range(most):
        if tab(page)["href"] == href:
            return
    pytest.fail(f"no link to {href} within {most} Tabs")


def went_to(page, fragment: str) -> None:
    """Wait until following a link has moved the page to `fragment`.

    Going to a fragment is a navigation within the document; the browser may
    report it a moment after the key press, so the URL is waited for, not read.
    """
    page.wait_for_function("f => location.hash === f", arg=fragment, timeout=5000)


def test_keyboard_reader_goes_from_match_to_match_in_a_testimony(site, open_page):
    page = open_page(False, "wide")
    page.goto(f"{site.url}/testimonies/{site.testimony_id}")
    page.focus("#in-testimony-q")
    page.keyboard.type("Aleppo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("mark[id^=match-]").count() >= 2
    tab_to(page, "#match-1", MAX_TABS_TO_A_MATCH_LINK)  # "first match", under the search box
    page.keyboard.press("Enter")
    went_to(page, "#match-1")
    # Following the link moves where Tab goes next: the passage of the first match
    tab_to(page, "#match-2", MAX_TABS_TO_A_MATCH_LINK)
    page.keyboard.press("Enter")
    went_to(page, "#match-2")
    assert page.locator("#match-2").is_visible()
    assert page.evaluate(
        "() => { const r = document.getElementById('match-2').getBoundingClientRect();"
        " return r.top > 40 && r.bottom <= window.innerHeight; }"
    ), "the second match is not on the screen, below a line or two of its passage"
