"""Automatic alignment as an archivist meets it, in Chromium: "Align the transcript to the
recording" on the edit page, the progress moving on the alignment page without a reload, the
proposed starts beside the current ones, "Accept these times" (once, however often it is
clicked), and then the testimony page's times and "listen from here" playing from them; the
same in the Arabic interface on a 390 px phone; by keyboard alone; a failed alignment saying
why and what to do; and a server without the aligner saying so, with no button that leads to
an error.

The worker: the served archive runs with `ORALHISTORY_ALIGN_WORKER=off` and each test runs
`flask align-worker --until-idle` in a process of its own against the same database (a
deployment that keeps the work out of the web processes does just this). The web process's
own worker thread (the default) runs the same `align_jobs.work`, and `tests/test_alignment.py`
covers it; a separate process lets the page be seen waiting for its turn before any worker
exists, so that the progress is seen to move by the page's polling alone.

The recordings are invented and synthetic (`tests.spoken_fixtures`: espeak-ng speaks made-up
sentences, sox joins them with pauses of known length).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from oralhistory import PROJECT_ROOT
from oralhistory.collection.timecodes import clock_text
from tests.browser.conftest import ARCHIVIST, PASSWORD, _cli, served
from tests.spoken_fixtures import ARABIC, ENGLISH, require_tools, speak, write_spoken_testimony

pytestmark = pytest.mark.browser

TOLERANCE = 1.0  # seconds, as in tests/test_alignment.py; the benchmark measures the error
WORKER_SECONDS = 300  # how long the worker may take for every queued job (a wait, not a test)
SLUGS = {"en": "invented-speech-en", "ar": "invented-speech-ar", "fr": "invented-speech-fr"}


def id_of(url: str, slug: str) -> int:
    with urllib.request.urlopen(f"{url}/api/narrators/invented-{slug}", timeout=10) as answer:
        return json.load(answer)["testimonies"][0]["id"]


def archive_of(tmp: Path, folder: Path, **env_more: str) -> dict[str, str]:
    """A new archive in `tmp` holding the invented spoken testimonies of `folder`."""
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
        "ORALHISTORY_INDEX_DIR": str(tmp / "index"),
        "ORALHISTORY_MEDIA_DIR": str(tmp / "media"),
        "ORALHISTORY_SECRET_KEY": "alignment-browser-tests",
    }
    _cli(env, "init")
    _cli(env, "create-archivist", ARCHIVIST, "--password", PASSWORD)
    for slug in SLUGS.values():
        _cli(env, "import", str(folder / f"{slug}.md"))
    return env | env_more


@pytest.fixture(scope="module")
def spoken_folder(tmp_path_factory) -> dict:
    """The invented testimonies (English, Arabic, and one in French, which the aligner does
    not speak) beside their synthetic recordings, with the true starts."""
    require_tools()
    folder = tmp_path_factory.mktemp("spoken-browser")
    truth = {}
    for language, sentences in (("en", ENGLISH), ("ar", ARABIC)):
        recording = speak(folder, sentences, language, name=f"invented-{language}")
        truth[language] = recording.starts
        write_spoken_testimony(folder, SLUGS[language], language, sentences, recording.path.name)
    write_spoken_testimony(folder, SLUGS["fr"], "fr", ENGLISH, "invented-en.ogg")
    return {"folder": folder, "truth": truth}


@pytest.fixture(scope="module")
def aligning_site(tmp_path_factory, spoken_folder):
    """The archive served without a worker thread: (address, its environment)."""
    tmp = tmp_path_factory.mktemp("aligning-archive")
    env = archive_of(tmp, spoken_folder["folder"], ORALHISTORY_ALIGN_WORKER="off")
    with served(tmp, env) as url:
        yield url, env


@contextmanager
def worker(env: dict[str, str]):
    """`flask align-worker --until-idle` in a process of its own, waited for at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "oralhistory", "align-worker", "--until-idle"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        output, _ = process.communicate(timeout=WORKER_SECONDS)
        assert process.returncode == 0, output


@pytest.fixture
def page_for(browser, request):
    """A signed-in archivist's page in a fresh context: (address, width, language, script)."""
    contexts = []

    def open_(url: str, width: int = 1280, language: str = "en", javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": 844},
            locale="en-GB",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(url + "/login")
        page.fill("#f-username", ARCHIVIST)
        page.fill("#f-password", PASSWORD)
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state()
        if language != "en":
            page.click(f'a[hreflang="{language}"]')
            page.wait_for_load_state()
            assert page.get_attribute("html", "lang") == language
        return page

    yield open_
    failed = getattr(request.node, "failed_call", False)
    for context in contexts:
        if failed:
            from tests.browser.conftest import SCREENSHOTS

            SCREENSHOTS.mkdir(exist_ok=True)
            for index, page in enumerate(context.pages):
                name = request.node.name.replace("[", "-").replace("]", "")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{index}.png"), full_page=True)
        context.close()


def wait_for_the_result(page) -> None:
    """Wait (not a timed assertion) until the page shows its job finished or failed."""
    page.wait_for_function(
        "() => ['done', 'failed'].includes(document.getElementById('alignment-job').dataset.state)",
        timeout=WORKER_SECONDS * 1000,
    )


def ask_for_alignment(page, url: str, tid: int) -> None:
    """From the edit page, press "Align the transcript to the recording"."""
    page.goto(f"{url}/archive/testimonies/{tid}/edit")
    page.locator("#alignment button[type=submit]").click()
    page.wait_for_url(f"**/archive/testimonies/{tid}/alignment*")


def proposed_starts(page, url: str, tid: int) -> dict[str, float]:
    found = page.evaluate(
        f"fetch('{url}/archive/testimonies/{tid}/alignment.json').then(r => r.json())"
    )
    return {p["anchor"]: p["proposed_start"] for p in found["job"]["passages"]}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"


def listen_from(page, anchor: str, start: float) -> None:
    """Press the passage's "listen from here": the player goes to its start and plays."""
    link = page.locator(f"#{anchor} a.listen")
    assert abs(float(link.get_attribute("data-start")) - start) < 0.01
    assert link.locator("time").inner_text() == clock_text(round(start))
    link.click()
    page.wait_for_function("() => !document.getElementById('recording-player').paused")
    at = page.evaluate("document.getElementById('recording-player').currentTime")
    assert start - 0.05 <= at <= start + 1.0, (anchor, start, at)


def test_the_archivist_aligns_watches_the_progress_accepts_and_listens(
    page_for, aligning_site, spoken_folder
):
    url, env = aligning_site
    tid = id_of(url, SLUGS["en"])
    page = page_for(url)
    ask_for_alignment(page, url, tid)
    job = page.locator("#alignment-job")
    assert job.get_attribute("data-state") == "queued"  # no worker is running yet
    assert "waiting for its turn" in page.inner_text("#alignment-state")
    page.evaluate("window.notReloaded = true")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "alignment.json" in r.url else None)
    with worker(env):
        wait_for_the_result(page)
    # the page followed the job by itself: the same document, told by its polling
    assert page.evaluate("window.notReloaded") is True
    assert requests, "the page never asked for the job's state"
    assert job.get_attribute("data-state") == "done"
    assert "finished" in page.inner_text("#alignment-state")
    assert page.get_attribute("#alignment-state", "role") == "status"

    # the proposed starts, beside the current ones (none yet)
    proposed = proposed_starts(page, url, tid)
    truth = spoken_folder["truth"]["en"]
    for number, true_start in enumerate(truth, 1):
        row = page.locator(f"#align-p-{number} td")
        assert row.nth(1).inner_text().startswith("—")
        assert row.nth(2).inner_text() == clock_text(round(proposed[f"p-{number}"], 1))
        assert abs(proposed[f"p-{number}"] - true_start) <= TOLERANCE

    # accepted once, however impatiently it is clicked
    with page.expect_navigation():
        page.locator("#alignment-accept button").dblclick()
    assert "accepted already" not in page.content()
    assert "The aligned times are the passages’ own now" in page.content()
    history = page.evaluate(f"fetch('{url}/archive/testimonies/{tid}/history').then(r => r.text())")
    assert history.count("Times aligned automatically") == 1

    page.goto(f"{url}/testimonies/{tid}")
    page.wait_for_function("() => document.getElementById('recording-player').readyState >= 1")
    for number in range(1, len(truth) + 1):
        assert page.locator(f"#p-{number} a.listen").count() == 1
    listen_from(page, "p-3", proposed["p-3"])


def test_an_arabic_archivist_aligns_on_a_phone(page_for, aligning_site, spoken_folder):
    url, env = aligning_site
    tid = id_of(url, SLUGS["ar"])
    page = page_for(url, width=390, language="ar")
    page.goto(f"{url}/archive/testimonies/{tid}/edit#alignment")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "حاذِ النص مع التسجيل" in page.inner_text("#alignment")
    no_sideways_scroll(page)
    ask_for_alignment(page, url, tid)
    assert "في انتظار دوره" in page.inner_text("#alignment-state")
    no_sideways_scroll(page)
    with worker(env):
        wait_for_the_result(page)
    assert page.locator("#alignment-job").get_attribute("data-state") == "done"
    text = page.inner_text("main")
    assert "البداية المقترحة" in text and "اقبل هذه الأوقات" in text
    assert "Proposed" not in text and "Accept" not in text
    no_sideways_scroll(page)
    proposed = proposed_starts(page, url, tid)
    with page.expect_navigation():
        page.locator("#alignment-accept button").click()
    page.goto(f"{url}/testimonies/{tid}")
    page.wait_for_function("() => document.getElementById('recording-player').readyState >= 1")
    assert "استمع من هنا" in page.inner_text("#p-2 a.listen")
    no_sideways_scroll(page)
    listen_from(page, "p-2", proposed["p-2"])


def test_the_keyboard_alone_aligns_and_accepts_with_the_focus_visible(page_for, aligning_site):
    url, env = aligning_site
    tid = id_of(url, SLUGS["en"])
    page = page_for(url)
    page.goto(f"{url}/archive/testimonies/{tid}/edit")

    def tab_to(selector: str) -> None:
        target = page.locator(selector)
        for _ in range(200):
            page.keyboard.press("Tab")
            if target.evaluate("t => t === document.activeElement"):
                outline = target.evaluate("t => getComputedStyle(t).outlineStyle")
                assert outline != "none", f"{selector} shows no focus"
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#alignment button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with worker(env):
        wait_for_the_result(page)
    tab_to("#alignment-accept button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # (the times may be the ones accepted before: then "nothing changed")
    assert page.locator("p.flash").count() >= 1
    assert page.locator("p.flash.error").count() == 0
    assert "Accepted by" in page.evaluate(
        f"fetch('{url}/archive/testimonies/{tid}/alignment').then(r => r.text())"
    )


def test_without_javascript_the_page_offers_a_refresh_link(page_for, aligning_site):
    url, env = aligning_site
    tid = id_of(url, SLUGS["en"])
    page = page_for(url, javascript=False)
    page.goto(f"{url}/archive/testimonies/{tid}/edit")
    page.locator("#alignment button[type=submit]").click()
    page.wait_for_url(f"**/archive/testimonies/{tid}/alignment*")
    assert "waiting for its turn" in page.inner_text("#alignment-state")
    with worker(env):
        pass
    page.get_by_role("link", name="Refresh").click()
    page.wait_for_load_state()
    assert page.locator("#alignment-job").get_attribute("data-state") == "done"
    assert page.locator("#alignment-accept button").is_visible()


def test_a_failed_alignment_says_why_and_what_to_do_and_stops_asking(page_for, aligning_site):
    url, env = aligning_site
    tid = id_of(url, SLUGS["fr"])
    page = page_for(url)
    ask_for_alignment(page, url, tid)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "alignment.json" in r.url else None)
    with worker(env):
        wait_for_the_result(page)
    assert page.locator("#alignment-job").get_attribute("data-state") == "failed"
    said = page.inner_text("main")
    assert "Automatic alignment speaks English and Arabic" in said
    assert "by hand" in said  # what to do instead
    assert page.locator("#alignment-retry button").is_visible()
    seen = len(asked)
    page.wait_for_timeout(8000)  # longer than the page's polling interval
    assert len(asked) == seen, "the page kept asking after the job had failed"
    # the edit page's panel says why too
    page.goto(f"{url}/archive/testimonies/{tid}/edit")
    assert "Automatic alignment speaks English and Arabic" in page.inner_text("#alignment")


@pytest.fixture(scope="module")
def site_without_aligner(tmp_path_factory, spoken_folder):
    """The archive served by a server whose PATH has no ffmpeg: the aligner is missing."""
    tmp = tmp_path_factory.mktemp("no-aligner-archive")
    bare = tmp / "bin"
    bare.mkdir()
    env = archive_of(tmp, spoken_folder["folder"], PATH=str(bare))
    assert shutil.which("ffmpeg", path=str(bare)) is None
    with served(tmp, env) as url:
        yield url


@pytest.mark.parametrize("language", ["en", "ar"])
def test_without_the_aligner_the_edit_page_says_how_to_install_it(
    page_for, site_without_aligner, language
):
    url = site_without_aligner
    tid = id_of(url, SLUGS["en"])
    page = page_for(url, width=390, language=language)
    page.goto(f"{url}/archive/testimonies/{tid}/edit")
    panel = page.inner_text("#alignment")
    assert "apt-get install espeak-ng libespeak-ng-dev festival-dev libestools-dev ffmpeg" in panel
    assert "pip install '.[align]'" in panel
    word = {"en": "not available on this server", "ar": "غير متاحة على هذا الخادم"}[language]
    assert word in panel
    assert page.locator("#alignment button").count() == 0
    # the import's job waits for the aligner, and its page says so rather than spinning
    page.goto(f"{url}/archive/testimonies/{tid}/alignment")
    assert page.locator("#alignment-job").get_attribute("data-state") == "queued"
    assert word in page.inner_text("main")
    assert page.locator("#alignment-bar").count() == 0
    no_sideways_scroll(page)


@pytest.fixture(scope="module")
def site_with_its_own_worker(tmp_path_factory, spoken_folder):
    """The archive served as a server is by default: its worker thread aligns."""
    tmp = tmp_path_factory.mktemp("worker-thread-archive")
    env = archive_of(tmp, spoken_folder["folder"])
    env.pop("ORALHISTORY_ALIGN_WORKER", None)
    with served(tmp, env) as url:
        yield url


def test_with_the_servers_own_worker_the_alignment_finishes_by_itself(
    page_for, site_with_its_own_worker
):
    url = site_with_its_own_worker
    tid = id_of(url, SLUGS["en"])
    page = page_for(url)
    ask_for_alignment(page, url, tid)
    page.evaluate("window.notReloaded = true")
    wait_for_the_result(page)  # at once, if the thread was quicker than the page
    assert page.locator("#alignment-job").get_attribute("data-state") == "done"
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#alignment-accept button").is_visible()
