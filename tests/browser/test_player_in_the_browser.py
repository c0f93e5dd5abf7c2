"""Reading in step with the recording, in Chromium: playing marks and follows the passage
being heard (aria-current), "listen from here" moves the player there, `?t=95` readies the
player at 95 s, nothing plays by itself, an archivist's "this passage starts here" keeps the
player's moment, and all of it works in Arabic, right to left, on a 390 px phone.

The archive is served for these tests alone, with an invented testimony whose recording is a
generated tone (no one's voice, no synthetic speech) timed by an invented WebVTT file.
"""

from __future__ import annotations

import json
import os
import urllib.request

import pytest

from tests.browser.conftest import ARCHIVIST, PASSWORD, _cli, served
from tests.conftest import TESTIMONY
from tests.test_recordings import tone

pytestmark = pytest.mark.browser

WORDS = [
    "Zorbel lanterns hummed along the quay of the invented town.",
    "Then the qwindle bell rang twice and everyone counted the boats.",
    "By evening the frobnar bakers of zorbel had shared their bread with the whole street.",
    "Long after, the plimsey tide came in over the empty market.",
]
TIMES = """WEBVTT

p-1
00:00:00.000 --> 00:00:02.500
one

p-2
00:00:02.500 --> 00:00:05.000
two

p-3
00:00:05.000 --> 00:01:35.000
three

p-4
00:01:35.000 --> 00:01:40.000
four
"""


@pytest.fixture(scope="module")
def listening_site(tmp_path_factory):
    """The invented testimony with its tone, served by `flask run`: (address, testimony id)."""
    tmp = tmp_path_factory.mktemp("listening-archive")
    folder = tmp / "collection"
    folder.mkdir()
    (folder / "tone.wav").write_bytes(tone(seconds=100.0, frequency=330.0, rate=4000))
    (folder / "times.vtt").write_text(TIMES, encoding="utf-8")
    text = TESTIMONY.format(slug="zorbel-quay", text="\n\n".join(WORDS)).replace(
        "access: public\n", "access: public\nrecording:\n  file: tone.wav\n  timecodes: times.vtt\n"
    )
    (folder / "zorbel-quay.md").write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
        "ORALHISTORY_INDEX_DIR": str(tmp / "index"),
        "ORALHISTORY_MEDIA_DIR": str(tmp / "media"),
        "ORALHISTORY_SECRET_KEY": "listening-tests",
    }
    _cli(env, "init")
    _cli(env, "import", str(folder / "zorbel-quay.md"))
    _cli(env, "create-archivist", ARCHIVIST, "--password", PASSWORD)
    with served(tmp, env) as url:
        found = json.load(urllib.request.urlopen(url + "/api/narrators/test-narrator", timeout=10))
        yield url, found["testimonies"][0]["id"]


@pytest.fixture
def page_at(browser, listening_site, request):
    """A page of the listening archive in a fresh context: (width, language, signed in)."""
    url, _tid = listening_site
    contexts = []

    def open_(path: str, width: int = 1280, language: str = "en", signed_in: bool = False):
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if signed_in:
            page.goto(url + "/login")
            page.fill("#f-username", ARCHIVIST)
            page.fill("#f-password", PASSWORD)
            page.click("form.stacked button[type=submit]")
            page.wait_for_load_state()
        if language != "en":
            page.goto(url + "/")
            page.click(f'a[hreflang="{language}"]')
            page.wait_for_load_state()
        page.goto(url + path)
        page.wait_for_function("() => document.getElementById('recording-player').readyState >= 1")
        return page

    yield open_
    for context in contexts:
        context.close()


def current(page) -> list[str]:
    return page.eval_on_selector_all('.passage[aria-current="true"]', "ps => ps.map(p => p.id)")


def player(page, what: str):
    return page.evaluate(f"document.getElementById('recording-player').{what}")


def test_nothing_plays_until_the_reader_asks(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}")
    page.wait_for_timeout(1500)
    assert player(page, "paused") is True and player(page, "currentTime") == 0
    assert player(page, "autoplay") is False


def test_playing_marks_and_follows_the_passage_being_heard(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}")
    page.click("#p-1 a.listen")
    page.wait_for_function("() => !document.getElementById('recording-player').paused")
    assert current(page) == ["p-1"]
    # the tone plays on into the second passage (it starts at 2.5 s)
    page.wait_for_function(
        "() => document.querySelector('#p-2[aria-current=\"true\"]') !== null", timeout=10_000
    )
    assert current(page) == ["p-2"]
    assert page.eval_on_selector("#p-2", "p => p.classList.contains('heard')")


def test_listen_from_here_moves_the_player_to_the_passage_and_plays(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}")
    page.focus("#p-4 a.listen")
    page.keyboard.press("Enter")  # the keyboard as well as the mouse
    page.wait_for_function("() => document.getElementById('recording-player').currentTime >= 95")
    page.wait_for_function("() => !document.getElementById('recording-player').paused")
    assert current(page) == ["p-4"]


def test_a_link_to_a_moment_readies_the_player_there_without_playing(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}?t=95")
    page.wait_for_function("() => document.getElementById('recording-player').currentTime >= 95")
    assert player(page, "paused") is True
    assert current(page) == ["p-4"]


def test_the_passage_page_readies_the_player_at_the_passage(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}/passages/p-3")
    page.wait_for_function("() => document.getElementById('recording-player').currentTime >= 5")
    assert player(page, "paused") is True


def test_a_search_match_readies_the_player_at_its_passage(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}?q=zorbel")
    page.click("#p-1 .match-nav a")
    page.wait_for_function("() => document.getElementById('recording-player').currentTime >= 5")
    assert player(page, "paused") is True and current(page) == ["p-3"]


def test_this_passage_starts_here_keeps_the_players_moment(page_at, listening_site):
    url, tid = listening_site
    page = page_at(f"/testimonies/{tid}?t=96.5", signed_in=True)
    page.wait_for_function("() => document.getElementById('recording-player').currentTime >= 96")
    button = page.locator("#p-4 form.starts-here button")
    button.focus()
    outline = button.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline != "none"  # the focus is visible
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "now starts at 1:36.5" in page.content()
    passages = page.evaluate(f"fetch('/api/testimonies/{tid}').then(r => r.json())")["passages"]
    assert [p["start"] for p in passages if p["anchor"] == "p-4"] == [96.5]
    assert [p["timing"] for p in passages if p["anchor"] == "p-4"] == ["manual"]


def test_listening_works_in_arabic_right_to_left_on_a_phone(page_at, listening_site):
    page = page_at(f"/testimonies/{listening_site[1]}", width=390, language="ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "استمع من هنا" in page.inner_text("#p-3 a.listen")
    page.click("#p-3 a.listen")
    page.wait_for_function("() => document.getElementById('recording-player').currentTime >= 5")
    assert current(page) == ["p-3"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"
