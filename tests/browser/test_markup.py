"""The Nu HTML Checker (vnu.jar) finds no error in the HTML of any page type."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from oralhistory import PROJECT_ROOT
from tests.browser.conftest import LANGUAGES, address, views

pytestmark = pytest.mark.browser


VNU_JAR = Path(
    os.environ.get(
        "ORALHISTORY_TEST_VNU_JAR", PROJECT_ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
    )
)
VNU_SECONDS = 240


def _name(page_type: str, signed_in: bool, language: str) -> str:
    return f"{page_type}-{'in' if signed_in else 'out'}-{language}.html"


@pytest.fixture(scope="session")
def vnu_errors(site, contexts, tmp_path_factory) -> dict[str, list[dict]]:
    """The checker's errors for every page type, by file name, from one run of the checker
    over the HTML as the server sent it (fetched with the browser's cookies)."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.fail(
            f"the Nu HTML Checker needs java and {VNU_JAR}: "
            "`apt-get install default-jre-headless` and `npm ci --ignore-scripts` (.ci/run does)"
        )
    folder = tmp_path_factory.mktemp("html")
    for param in views():
        page_type, signed_in = param.values
        for language in LANGUAGES:
            request = contexts(signed_in, "wide", language).request
            response = request.get(address(site, page_type), max_redirects=0)
            assert response.status in (200, 404), f"{page_type}: {response.status}"
            (folder / _name(page_type, signed_in, language)).write_bytes(response.body())
    files = sorted(str(path) for path in folder.glob("*.html"))
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always"]
        + files,
        capture_output=True,
        check=False,
        text=True,
        timeout=VNU_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    errors: dict[str, list[dict]] = {Path(name).name: [] for name in files}
    for message in json.loads(done.stderr or done.stdout)["messages"]:
        errors.setdefault(Path(message.get("url", "?")).name, []).append(message)
    return errors


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page_type, signed_in", views())
def test_page_is_valid_html(vnu_errors, page_type, signed_in, language):
    found = vnu_errors[_name(page_type, signed_in, language)]
    described = "\n".join(
        f"line {m.get('lastLine', '?')}: {m['message']} ({m.get('extract', '').strip()[:120]})"
        for m in found
    )
    assert not found, f"{len(found)} errors:\n{described}"
