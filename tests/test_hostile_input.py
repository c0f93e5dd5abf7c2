"""Files and forms an attacker or a careless archivist sends: each refused with a message that
names the field (or the file and line), and nothing of it stored."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys

import pytest

from oralhistory.record.models import Testimony
from oralhistory.web import db
from tests.archive_helpers import form_for_testimony, record_counts, submit
from tests.conftest import TESTIMONY, run_cli


@pytest.fixture
def archivist(app):
    from tests.archive_helpers import archivist_client

    return archivist_client(app)


def write_testimony(tmp_path, slug="hostile", text="Words.", replace: dict | None = None) -> str:
    body = TESTIMONY.format(slug=slug, text=text)
    for old, new in (replace or {}).items():
        assert old in body
        body = body.replace(old, new)
    path = tmp_path / f"{slug}.md"
    path.write_text(body, encoding="utf-8")
    return str(path)


def refused(app, path: str, says: str) -> None:
    before = record_counts(app)
    result = run_cli(app, "import", path)
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert says in result.output, result.output
    assert record_counts(app) == before


# --- YAML ------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 10))
)


def _limited_memory() -> None:
    limit = 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_a_billion_laughs_file_is_refused_at_once_by_file_and_line(app, tmp_path):
    text = TESTIMONY.format(slug="laughs", text="Words.")
    text = text.replace("interviewers: [Someone]\n", BILLION_LAUGHS + "interviewers: *a9\n")
    path = tmp_path / "laughs.md"
    path.write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": app.config["DATABASE_URL"],
        "ORALHISTORY_INDEX_DIR": app.config["INDEX_DIR"],
        "ORALHISTORY_SECRET_KEY": "test",
    }
    before = record_counts(app)
    # Bounded in time and memory: before the fix, this ran for minutes towards gigabytes.
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "oralhistory", "import", str(path)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limited_memory,
    )
    assert done.returncode != 0
    assert f"{path}:8: this YAML cannot be accepted: anchors and aliases" in done.stderr
    assert "Traceback" not in done.stderr
    assert record_counts(app) == before


def test_front_matter_nested_5000_deep_is_reported_by_line_not_a_traceback(app, tmp_path):
    deep = "[" * 5000 + "]" * 5000
    path = write_testimony(tmp_path, replace={"interviewers: [Someone]": f"interviewers: {deep}"})
    refused(app, path, f"{path}:8: this YAML cannot be accepted: it is nested more than 20")


def test_front_matter_larger_than_64_kb_is_refused(app, tmp_path):
    path = write_testimony(tmp_path, replace={"rights: Test only.": "rights: " + "x" * 70_000})
    refused(app, path, "this YAML cannot be accepted: it is 70,")


def test_a_list_as_a_key_is_reported_not_a_crash(app, tmp_path):
    path = write_testimony(
        tmp_path, replace={"rights: Test only.": "? [a, b]\n: c\nrights: Test only."}
    )
    refused(app, path, ":12: this is not valid YAML: found unhashable key")


# --- the same limits in files and in the form ------------------------------------------------

LONG_TITLE = "t" * 100_000


@pytest.mark.parametrize(
    "old, new, says",
    [
        ("title: A test testimony", "title: " + "t" * 1000, "'title' must be at most 300"),
        ("name: Test Narrator", "name: " + "n" * 20_000, "'narrator.name' must be at most 200"),
        ("title: A test testimony", 'title: "A \\0 title"', "'title' holds a control character"),
        ("name: Test Narrator", 'name: "Test\\aName"', "'narrator.name' holds a control char"),
        ("2020-01-02", "1899-12-31", "'interview_date' must be a date from 1900-01-01 to today"),
        ("2020-01-02", "9999-01-01", "'interview_date' must be a date from 1900-01-01 to today"),
        (
            "  title: Test\n",
            "  title: Test\n  url: javascript:alert(document.cookie)\n",
            "'citation.url' must be a web address beginning with http:// or https://",
        ),
        ("  title: Test\n", "  title: Test\n  url: data:text/html,x\n", "'citation.url' must"),
        ("interviewers: [Someone]", f"interviewers: [{'i' * 400}]", "'interviewers' has an item"),
    ],
)
def test_a_file_breaking_a_field_rule_is_refused_by_name_and_line(app, tmp_path, old, new, says):
    refused(app, write_testimony(tmp_path, "rule", replace={old: new}), says)


def test_a_control_character_in_an_imported_body_is_refused_with_its_line(app, tmp_path):
    path = write_testimony(tmp_path, text="First words.\n\nSecond\x07words.")
    refused(app, path, f"{path}:17: the transcript holds a control character (U+0007)")


def test_tabs_and_line_breaks_in_a_transcript_are_kept(app, tmp_path):
    path = write_testimony(tmp_path, slug="tabs", text="One\tline\nand the next.")
    assert run_cli(app, "import", path).exit_code == 0


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("title", LONG_TITLE, "Title must be at most 300 characters long"),
        ("narrator_name", "n" * 20_000, "New narrator’s name must be at most 200"),
        ("title", "A\x00title", "Title holds a control character (U+0000)"),
        ("narrator_name", "Layla\x1bHaddad", "New narrator’s name holds a control character"),
        ("interview_date", "1899-12-31", "Interview date must be a date from 1900-01-01"),
        ("interview_date", "9999-01-01", "Interview date must be a date from 1900-01-01"),
        ("source_url", "javascript:alert(document.cookie)", "Address of the source must be a web"),
        ("source_url", "data:text/html,<b>x</b>", "Address of the source must be a web"),
        ("source_url", "https://exa mple.org/", "Address of the source must be one web address"),
        ("transcript", "Words\x0bmore words.", "Transcript holds a control character (U+000B)"),
    ],
)
def test_the_form_refuses_what_the_importer_refuses(app, archivist, field, value, says):
    before = record_counts(app)
    response = submit(archivist, "/archive/testimonies/new", form_for_testimony(**{field: value}))
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert record_counts(app) == before


def test_an_https_source_address_is_kept_and_shown_as_a_link(app, archivist):
    form = form_for_testimony(source_url="https://example.org/testimony?id=1")
    response = submit(archivist, "/archive/testimonies/new", form)
    assert response.status_code == 302
    page = archivist.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="https://example.org/testimony?id=1"' in page


def test_a_javascript_address_already_stored_is_shown_as_text_not_a_link(app, client):
    with app.app_context():
        session = db.session()
        testimony = session.query(Testimony).filter_by(access="public").first()
        testimony.citation = {**testimony.citation, "url": "javascript:alert(1)"}
        session.commit()
        testimony_id = testimony.id
    page = client.get(f"/testimonies/{testimony_id}").get_data(as_text=True)
    assert "javascript:alert(1)" in page
    assert 'href="javascript:' not in page


# --- headers and other sites -----------------------------------------------------------------

PAGES = ["/", "/search?q=orphans", "/api/search?q=orphans", "/narrators", "/login", "/nowhere"]


@pytest.mark.parametrize("path", PAGES + ["/static/style.css", "/api/search?q=("])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_over_https_only(client):
    secure = client.get("/", base_url="https://archive.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_holds_an_inline_script_or_style():
    from oralhistory import PROJECT_ROOT

    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        html = template.read_text(encoding="utf-8").lower()
        for inline in ("<style", " style=", " onclick=", " onload=", "javascript:"):
            assert inline not in html, (template.name, inline)
        # a script is a file of static/ (`src`), or data the browser never runs (JSON-LD)
        for tag in re.findall(r"<script[^>]*>", html):
            assert " src=" in tag or 'type="application/ld+json"' in tag, (template.name, tag)


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost.evil"])
def test_a_post_from_another_site_is_refused_with_a_403(app, client, origin):
    from tests.archive_helpers import create_archivist, csrf_token

    create_archivist(app)
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": "ada", "password": "a long and honest passphrase", "csrf_token": token},
        headers={"Origin": origin},
    )
    assert response.status_code == 403
    assert "came from another site" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or "archivist" not in str(response.headers)


def test_a_post_from_the_archive_itself_goes_through(app, client):
    from tests.archive_helpers import create_archivist, csrf_token

    create_archivist(app)
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": "ada", "password": "a long and honest passphrase", "csrf_token": token},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "reason, says",
    [("r" * 20_001, "Reason must be at most 20,000 characters"), ("a\x00b", "control character")],
)
def test_a_withdrawal_reason_too_long_or_with_nul_is_refused(app, archivist, client, reason, says):
    testimony = client.get("/api/narrators/muhammad-haj-qasim").get_json()["testimonies"][0]
    response = submit(
        archivist,
        f"/archive/testimonies/{testimony['id']}/withdraw",
        {"reason": reason, "confirm": "yes"},
        form_page=f"/archive/testimonies/{testimony['id']}/edit",
    )
    if "\x00" in reason:  # refused before the view reads it (`text_rule`), naming the field
        assert response.status_code == 400
        assert "Reason holds a control character (U+0000)" in response.get_data(as_text=True)
    else:
        assert response.status_code == 302
        assert says in archivist.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/api/testimonies/{testimony['id']}").status_code == 200


# --- the form's size limits in `flask import` -------------------------------------------------


def test_import_refuses_a_file_over_the_forms_size_limit_before_reading_it(app, tmp_path):
    limit = app.config["MAX_TRANSCRIPT_BYTES"]
    path = write_testimony(tmp_path, "huge", text="word " * (limit // 5 + 10))
    refused(app, path, f"{path}: the file is larger than the limit of 5 MB")


def test_import_takes_the_forms_size_limit_from_the_configuration(app, tmp_path):
    app.config["MAX_TRANSCRIPT_BYTES"] = 1024
    path = write_testimony(tmp_path, "over", text="word " * 300)
    refused(app, path, f"{path}: the file is larger than the limit of ")


def test_import_refuses_a_paragraph_longer_than_the_form_allows_with_its_line(app, tmp_path):
    path = write_testimony(tmp_path, "block", text="Opening words.\n\n" + "word " * 5000)
    refused(app, path, f"{path}:17: passage 2 is 24,999 characters long; a passage may be at most")


def test_the_form_refuses_a_paragraph_too_long_in_the_same_words(app, archivist):
    before = record_counts(app)
    form = form_for_testimony(transcript="Opening words.\n\n" + "word " * 5000)
    response = submit(archivist, "/archive/testimonies/new", form)
    assert response.status_code == 400
    assert "Passage 2 is 24,999 characters long; a passage may be at most 20,000" in (
        response.get_data(as_text=True)
    )
    assert record_counts(app) == before
