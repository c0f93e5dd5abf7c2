"""Browser tests: the archive served by a real server in a subprocess, driven by Chromium.

One server for the whole run, on 127.0.0.1 and a free port, over a temporary instance holding
the first collection and an archivist account. Playwright drives Debian's Chromium
(`/usr/bin/chromium`: Playwright's own browser download is not available here). A failing test
saves a screenshot of its page under `tests/browser/screenshots/` and prints the path.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

from oralhistory import PROJECT_ROOT
from tests.language_fixtures import SLUG as TWO_LANGUAGES
from tests.language_fixtures import write_pair

CHROMIUM = os.environ.get("ORALHISTORY_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
ARCHIVIST, PASSWORD = "browser-tester", "a long passphrase for the browser tests"
WIDTHS = {"wide": (1280, 900), "phone": (390, 844)}
# Arabic joins once the interface can be switched to it (Flask-Babel, issue 15).
LANGUAGES = ["en", "ar"] if find_spec("flask_babel") else ["en"]
SERVER_START_SECONDS = 60
PAGE_TIMEOUT_MS = 15_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "oralhistory", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@dataclass(frozen=True)
class Site:
    """The running archive: its address and the records the page types are shown with."""

    url: str
    testimony_id: int
    narrator: str
    event: str
    place: str
    two_languages_id: int  # an invented testimony held in English and its Arabic original

    def get_json(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.load(response)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The archive served by `flask run` in a subprocess; stopped at the end of the run."""
    tmp = tmp_path_factory.mktemp("browser-archive")
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
        "ORALHISTORY_INDEX_DIR": str(tmp / "index"),
        "ORALHISTORY_SECRET_KEY": "browser-tests",
    }
    _cli(env, "init")
    _cli(env, "create-archivist", ARCHIVIST, "--password", PASSWORD)
    _cli(env, "import", str(write_pair(tmp / "two-languages")))
    with served(tmp, env) as url:
        events = json.load(urllib.request.urlopen(url + "/api/events", timeout=10))["events"]
        narrator = json.load(urllib.request.urlopen(url + "/api/narrators/asmar-al-halabi"))
        yield Site(
            url=url,
            testimony_id=narrator["testimonies"][0]["id"],
            narrator="asmar-al-halabi",
            event=next(e["slug"] for e in events if e["passage_count"]),
            place="aleppo",
            two_languages_id=json.load(
                urllib.request.urlopen(f"{url}/api/narrators/{TWO_LANGUAGES}-narrator")
            )["testimonies"][0]["id"],
        )


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def signed_in_state(browser, site, tmp_path_factory) -> str:
    """The cookies of an archivist signed in through the sign-in form."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.url + "/login")
    page.fill("#f-username", ARCHIVIST)
    page.fill("#f-password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state()
    assert f"Signed in as {ARCHIVIST}" in page.content(), page.content()[:2000]
    path = tmp_path_factory.mktemp("state") / "archivist.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture(scope="session")
def contexts(browser, site, signed_in_state):
    """Browser contexts by (signed in, width, language), made when first asked for."""
    made = {}

    def context_for(signed_in: bool, width: str, language: str):
        key = (signed_in, width, language)
        if key not in made:
            w, h = WIDTHS[width]
            context = browser.new_context(
                viewport={"width": w, "height": h},
                storage_state=signed_in_state if signed_in else None,
                locale="en-GB",  # other languages through the switch, as a reader would
            )
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            if language != "en":
                choose_language(context, site, language)
            made[key] = context
        return made[key]

    yield context_for
    for context in made.values():
        context.close()


def choose_language(context, site: Site, language: str) -> None:
    """Switch the interface with the language switch every page carries (it is remembered)."""
    page = context.new_page()
    page.goto(site.url + "/")
    page.click(f'a[hreflang="{language}"]')
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == language
    page.close()


@pytest.fixture
def open_page(request, contexts):
    """Open a new page in the context asked for; screenshot it if the test fails."""
    opened = []

    def open_(signed_in: bool = False, width: str = "wide", language: str = "en"):
        page = contexts(signed_in, width, language).new_page()
        opened.append(page)
        return page

    yield open_
    failed = getattr(request.node, "failed_call", False)
    for index, page in enumerate(opened):
        if failed and not page.is_closed():
            SCREENSHOTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
            path = SCREENSHOTS / f"{name}{'-' + str(index) if index else ''}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"\nscreenshot of the failing page: {path}", file=sys.stderr)
        page.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.failed_call = True
    return report


BOTH, SIGNED_OUT, SIGNED_IN = (False, True), (False,), (True,)
# Every page type: its address (filled in from the `Site`) and whether it is seen signed out,
# signed in, or both. Archive pages only signed in: signed out they are the sign-in page.
PAGES = {
    "home": ("/", BOTH),
    "search-results": ("/search?q=Aleppo", BOTH),
    "search-none": ("/search?q=zzyzzx", BOTH),
    # no passage, but the timeline's events and places, a spelling read as Ramousah
    "search-timeline": ("/search?q=Ramosa", BOTH),
    # passages found by a spelling read as a name ("Read as a spelling of Qasim")
    "search-read-as": ("/search?q=Kassem", BOTH),
    "narrators": ("/narrators", BOTH),
    "narrator": ("/narrators/{narrator}", BOTH),
    "testimony": ("/testimonies/{testimony_id}", BOTH),
    # search within the testimony: its matches marked, with next and previous match links
    "testimony-find": ("/testimonies/{testimony_id}?q=Aleppo", BOTH),
    # a passage's permanent address, and the cite pages of a testimony and of a passage
    "passage": ("/testimonies/{testimony_id}/passages/p-1", BOTH),
    "cite": ("/testimonies/{testimony_id}/cite", BOTH),
    "cite-passage": ("/testimonies/{testimony_id}/passages/p-1/cite", BOTH),
    "revision": ("/testimonies/{testimony_id}/revisions/1", BOTH),
    "timeline": ("/timeline", BOTH),
    "event": ("/events/{event}", BOTH),
    "place": ("/places/{place}", BOTH),
    "login": ("/login", SIGNED_OUT),
    "archive-index": ("/archive/", SIGNED_IN),
    "new-testimony": ("/archive/testimonies/new", SIGNED_IN),
    "edit": ("/archive/testimonies/{testimony_id}/edit", SIGNED_IN),
    "history": ("/archive/testimonies/{testimony_id}/history", SIGNED_IN),
    "review-queue": ("/archive/links", SIGNED_IN),
    "error-404": ("/no-such-page", BOTH),
}


# The pages of a testimony held in two languages: side by side, and a permanent passage
# with each language in its own direction.
TWO_LANGUAGE_PAGES = {
    "testimony-both": ("/testimonies/{two_languages_id}?text=both", BOTH),
    "testimony-both-find": ("/testimonies/{two_languages_id}?text=both&q=kettle", SIGNED_OUT),
    "passage-two-languages": ("/testimonies/{two_languages_id}/passages/p-2", BOTH),
}


def address(site: Site, page_type: str) -> str:
    """The full URL of a page type on the running archive."""
    path = (PAGES | TWO_LANGUAGE_PAGES)[page_type][0]
    return site.url + path.format(**vars(site))


def views(two_languages: bool = False) -> list:
    """(page type, signed in) for every page type, each way it is seen (and the pages of a
    testimony in two languages, if asked)."""
    pages = PAGES | TWO_LANGUAGE_PAGES if two_languages else PAGES
    return [
        pytest.param(name, signed_in, id=f"{name}-{'in' if signed_in else 'out'}")
        for name, (_, seen) in pages.items()
        for signed_in in seen
    ]


@contextmanager
def served(tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """The archive of `env` served by `flask run` in a subprocess (its log in `tmp`); its
    address, once it answers. Stopped at the end of the block."""
    port = _free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "oralhistory", "run"]
        + ["--host", "127.0.0.1", "--port", str(port), "--no-reload", "--no-debugger"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                urllib.request.urlopen(url + "/api/narrators", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, (tmp / "server.log").read_text()
                assert time.monotonic() < deadline, "the server did not answer in time"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
