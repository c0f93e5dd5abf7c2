"""Screenshots of the main pages in both languages, at a phone's and a desk's width, to look at.

    .venv/bin/python -m benchmarks.screenshots /tmp/screens [--chromium /usr/bin/chromium]

Starts a throwaway archive (a temporary directory: the first collection, one archivist) served
by `flask run` on a free local port, and saves with Chromium (through Playwright) a PNG of each
page: home, search results, a testimony, a narrator, an event, and the correction form sent
with problems; in English and Arabic, at 390 and 1280 px wide. Files are named
`<page>-<language>-<width>.png`. Nothing is asserted: the pictures are for a person to read.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from oralhistory import PROJECT_ROOT

ARCHIVIST, PASSWORD = "screenshots", "a passphrase for the screenshots only"
WIDTHS = {390: 844, 1280: 900}
LANGUAGES = ("en", "ar")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "oralhistory", *args],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )


def serve(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A fresh archive with the first collection, served on 127.0.0.1; (process, address)."""
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{tmp / 'archive.db'}",
        "ORALHISTORY_INDEX_DIR": str(tmp / "index"),
        "ORALHISTORY_SECRET_KEY": "screenshots",
    }
    _cli(env, "init")
    _cli(env, "create-archivist", ARCHIVIST, "--password", PASSWORD)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "oralhistory", "run"]
        + ["--host", "127.0.0.1", "--port", str(port), "--no-reload", "--no-debugger"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=(tmp / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/narrators", timeout=2).close()
            return server, url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit((tmp / "server.log").read_text()) from None
            time.sleep(0.2)


def pages(url: str) -> dict[str, str]:
    """The page name and address of each reading page shown."""
    with urllib.request.urlopen(url + "/api/narrators/asmar-al-halabi", timeout=10) as answer:
        narrator = json.load(answer)
    with urllib.request.urlopen(url + "/api/events", timeout=10) as answer:
        events = json.load(answer)["events"]
    event = next(e["slug"] for e in events if e["passage_count"])
    testimony = narrator["testimonies"][0]["id"]
    return {
        "home": "/",
        "search": "/search?q=Aleppo+returning",
        "testimony": f"/testimonies/{testimony}",
        "narrator": "/narrators/asmar-al-halabi",
        "event": f"/events/{event}",
        "edit-with-problems": f"/archive/testimonies/{testimony}/edit",
    }


def _sign_in(context, url: str) -> None:
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#f-username", ARCHIVIST)
    page.fill("#f-password", PASSWORD)
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    page.close()


def _send_with_problems(page) -> None:
    # a title left empty and a day that does not exist, as an archivist might send them
    page.fill("#f-title", "")
    page.fill("#f-interview_date", "2017-12-41")
    with page.expect_navigation():
        page.locator("form.stacked").first.locator("button[type=submit]").click()


def shoot(url: str, out: Path, chromium: str) -> list[Path]:
    """Save every page in both languages at both widths into `out`; return the files."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        for language in LANGUAGES:
            for width, height in WIDTHS.items():
                host = url.split("//", 1)[1].split(":")[0]
                chosen = [{"name": "lang", "value": language, "domain": host, "path": "/"}]
                reader, archivist = (
                    browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
                    for _ in range(2)
                )
                for context in (reader, archivist):
                    context.add_cookies(chosen)
                _sign_in(archivist, url)
                for name, path in pages(url).items():
                    context = archivist if name == "edit-with-problems" else reader
                    page = context.new_page()
                    page.goto(url + path)
                    if name == "edit-with-problems":
                        _send_with_problems(page)
                    target = out / f"{name}-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    saved.append(target)
                    page.close()
                reader.close()
                archivist.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder the PNG files are saved in")
    parser.add_argument(
        "--chromium", default=os.environ.get("ORALHISTORY_TEST_CHROMIUM", "/usr/bin/chromium")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oralhistory-screens-") as tmp:
        server, url = serve(Path(tmp))
        try:
            for path in shoot(url, args.out, args.chromium):
                print(path)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
