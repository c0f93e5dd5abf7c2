"""axe-core finds no WCAG 2.2 AA violation on any page type, signed in and out, wide and narrow."""

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
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("page_type, signed_in", views())
def test_page_has_no_accessibility_violations(
    site, open_page, page_type, signed_in, width, language
):
    page = open_page(signed_in, width, language)
    response = page.goto(address(site, page_type))
    assert response.status == (404 if page_type == "error-404" else 200)
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert not violations, f"{len(violations)} kinds of violation:\n{describe(violations)}"
