"""axe-core finds no WCAG 2.2 AA violation on any page type, signed in and out, in every
interface language, at 1280 px and at 390 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import LANGUAGES, WIDTHS, address, views

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [
            f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"][:5]
        ]
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type, signed_in", views(two_languages=True))
def test_page_has_no_accessibility_violations(site, open_page, page_type, signed_in, language):
    page = open_page(signed_in, "wide", language)
    response = page.goto(address(site, page_type))
    assert response.status == (404 if page_type == "error-404" else 200)
    assert page.get_attribute("html", "lang") == language
    # The same page at each width: the layout follows the viewport without a reload.
    for w, h in WIDTHS.values():
        page.set_viewport_size({"width": w, "height": h})
        results = AXE.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_22_AA},
                "resultTypes": ["violations"],
            },
        )
        violations = results.response["violations"]
        assert not violations, (
            f"at {w} px, {len(violations)} kinds of violation:\n{describe(violations)}"
        )
