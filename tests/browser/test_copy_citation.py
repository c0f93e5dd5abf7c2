"""Copy beside a citation puts it on the clipboard as HTML and as plain text: pasted in a
word processor it keeps its italics, in a plain field its words."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

READ_CLIPBOARD = """async () => {
  const found = {};
  for (const item of await navigator.clipboard.read()) {
    for (const type of item.types) found[type] = await (await item.getType(type)).text();
  }
  return found;
}"""


@pytest.mark.parametrize("where", ["/testimonies/{id}", "/testimonies/{id}/cite"])
def test_copy_puts_the_citation_as_html_and_as_plain_text(browser, site, where):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    try:
        page = context.new_page()
        page.goto(site.url + where.format(id=site.testimony_id))
        # on the testimony page the How to cite block's; on the cite page Chicago's note
        citation = page.locator("p.cite-text").first
        html, text = citation.inner_html().strip(), citation.text_content().strip()
        assert "<i>" in html
        page.locator("button.copy").first.click()
        page.wait_for_function(
            "() => document.querySelector('button.copy').textContent === 'Copied'"
        )
        copied = page.evaluate(READ_CLIPBOARD)
        assert copied["text/plain"] == text
        assert "<i>" in copied["text/html"] and copied["text/html"].endswith(html)
    finally:
        context.close()
