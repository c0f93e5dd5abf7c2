"""No English written by the archive on Arabic pages: every page type, rendered in Arabic, holds
no run of Latin-script words outside the record's own text (which the templates mark with its
`lang`). Three Latin words in a row outside such an element are a sentence of the archive's
that was not translated."""

from __future__ import annotations

import pytest

from tests.browser.conftest import address, choose_language, views

pytestmark = pytest.mark.browser

# Text nodes (and the labels read aloud) outside code (search syntax, addresses) and outside
# any element marked with a language
# other than Arabic, holding three Latin words in a row.
ENGLISH_RUNS = r"""() => {
  // words are parted by a space at least: "YYYY-MM-DD" or "p-1" is a pattern, not a sentence
  const run = /[A-Za-z]+(?:['’-][A-Za-z]+)*(?:[,.:;!?()“”"‘’—–-]*\s+[(“"‘]*[A-Za-z]+(?:['’-][A-Za-z]+)*){2,}/;
  const marked = (el) => {
    const holder = el && el.closest("[lang]");
    return holder && !holder.getAttribute("lang").startsWith("ar");
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, template, code, kbd, samp") || marked(parent)) continue;
    const hit = node.textContent.match(run);
    if (hit) found.push(`${parent.tagName.toLowerCase()}: ${hit[0]}`);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    if (marked(el)) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const hit = (el.getAttribute(name) || "").match(run);
      if (hit) found.push(`${el.tagName.toLowerCase()}[${name}]: ${hit[0]}`);
    }
  }
  return found;
}"""

# Latin text on Arabic pages that is not a sentence of the archive's, each with why.
ALLOWED: set[str] = set()


def english_found(page) -> list[str]:
    """The runs of Latin words on `page` outside the record's own text (marked by `lang`)."""
    return [hit for hit in page.evaluate(ENGLISH_RUNS) if hit.split(": ", 1)[1] not in ALLOWED]


@pytest.mark.parametrize("page_type, signed_in", views())
def test_an_arabic_page_holds_no_english_sentence_of_the_archives_own(
    site, open_page, page_type, signed_in
):
    page = open_page(signed_in, "wide", "ar")
    page.goto(address(site, page_type))
    assert page.get_attribute("html", "lang") == "ar"
    found = english_found(page)
    assert not found, "English outside the record's own text:\n" + "\n".join(found)


# Pages reached by doing something, or that the page types above do not show: a form sent
# empty or with a day that does not exist, a form sent after the session ended, a refused
# security token, the review queue filtered by a rule and refusing a filter, a missing page.
QUEUE_VIEWS = [
    "/archive/links?rule=relative-date",
    "/archive/links?rule=place-name",
    "/archive/links?event=no-such-event",
]


@pytest.mark.parametrize("path", QUEUE_VIEWS)
def test_the_review_queue_with_its_reasons_and_a_refused_filter_holds_no_english(
    site, open_page, path
):
    page = open_page(True, "wide", "ar")
    page.goto(site.url + path)
    assert page.locator(".queued, .error").count()
    assert english_found(page) == []


@pytest.mark.parametrize("interview_date", ["", "2017-12-41"])
def test_the_form_sent_with_problems_shows_them_without_english(site, open_page, interview_date):
    page = open_page(True, "wide", "ar")
    page.goto(address(site, "new-testimony"))
    if interview_date:
        page.fill("#f-title", "A title")
        page.fill("#f-interview_date", interview_date)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#problems li").count() >= 1
    assert english_found(page) == []


def test_a_form_sent_after_the_session_ended_comes_back_without_english(
    browser, site, signed_in_state
):
    context = browser.new_context(storage_state=signed_in_state, locale="en-GB")
    try:
        choose_language(context, site, "ar")
        page = context.new_page()
        page.goto(address(site, "new-testimony"))
        page.fill("#f-title", "A title typed before the session ended")
        kept = [cookie for cookie in context.cookies() if cookie["name"] == "lang"]
        context.clear_cookies()
        context.add_cookies(kept)
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state()
        assert page.input_value("#f-title") == "A title typed before the session ended"
        assert english_found(page) == []
    finally:
        context.close()


def test_a_refused_security_token_and_a_missing_page_say_so_without_english(site, open_page):
    page = open_page(False, "wide", "ar")
    page.goto(site.url + "/no/such/page")
    assert english_found(page) == []
    page.goto(site.url + "/")
    # a form posted without its token, as a forged or very old page would send it
    page.evaluate(
        """() => { const form = document.createElement("form");
                   form.method = "post"; form.action = "/archive/links";
                   document.body.append(form); form.submit(); }"""
    )
    page.wait_for_url("**/archive/links")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.locator(".error").count() == 1
    assert english_found(page) == []
