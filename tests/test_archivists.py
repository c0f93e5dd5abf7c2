"""The archivist's side: accounts, CSRF, adding testimony through the form, corrections with
history, withdrawal. Real app, real SQLite, real Whoosh index, the Flask test client."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from sqlalchemy import delete, select, update

from oralhistory.record.models import Archivist, LoginAttempt, Testimony
from oralhistory.web import db
from tests.archive_helpers import (
    PASSWORD,
    archivist_client,
    create_archivist,
    csrf_token,
    form_for_testimony,
    record_counts,
    saved_testimony_id,
    search_total,
    sign_in,
    submit,
)
from tests.conftest import make_app

NEW = "/archive/testimonies/new"


def is_signed_in(client) -> bool:
    return client.get("/archive/").status_code == 200


def first_testimony_of(client, narrator: str) -> dict:
    profile = client.get(f"/api/narrators/{narrator}").get_json()
    return client.get(f"/api/testimonies/{profile['testimonies'][0]['id']}").get_json()


# --- accounts -------------------------------------------------------------------------------


def test_archivist_signs_in_and_is_taken_to_the_page_they_asked_for(app, client):
    create_archivist(app)
    response = client.get("/archive/testimonies/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/archive/testimonies/new"

    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/archive/testimonies/new">' in login_page
    token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    response = client.post(
        "/login",
        data={
            "username": "ada",
            "password": PASSWORD,
            "next": "/archive/testimonies/new",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/archive/testimonies/new"
    html = client.get("/archive/testimonies/new").get_data(as_text=True)
    assert "Add a testimony" in html
    assert "Sign out" in html


def test_password_is_kept_only_as_an_argon2_hash(app):
    create_archivist(app)
    with app.app_context():
        stored = db.session().scalar(select(Archivist.password_hash))
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored


def test_wrong_password_and_unknown_name_get_the_same_message(app, client):
    create_archivist(app)
    wrong_password = sign_in(client, "ada", "not the password at all")
    unknown_name = sign_in(client, "nobody-here", "not the password at all")
    assert wrong_password.status_code == unknown_name.status_code == 401
    message = "The username or the password is not right."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_name.get_data(as_text=True)
    assert "nobody-here" not in unknown_name.get_data(as_text=True).replace(
        'value="nobody-here"', ""
    )
    assert not is_signed_in(client)


def test_repeated_wrong_passwords_slow_that_address_down_even_against_the_right_one(app, client):
    create_archivist(app)
    for _ in range(5):
        assert sign_in(client, "ada", "guess number n").status_code == 401
    refused = sign_in(client, "ada", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert not is_signed_in(client)
    # An unknown name is slowed down the same way, so the refusal tells nothing.
    for _ in range(5):
        sign_in(client, "nobody-here", "guess")
    assert sign_in(client, "nobody-here", "guess").status_code == 429


def test_the_slowdown_lifts_once_the_failures_are_old(app, client):
    create_archivist(app)
    for _ in range(5):
        sign_in(client, "ada", "wrong guess")
    assert sign_in(client, "ada", PASSWORD).status_code == 429
    with app.app_context():
        session = db.session()
        an_hour_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
        session.execute(update(LoginAttempt).values(failed_at=an_hour_ago))
        session.commit()
    assert sign_in(client, "ada", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_one_address_guessing_many_names_is_slowed_down_but_others_are_not(app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    create_archivist(app)
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for name in ("root", "admin", "archivist"):
        assert sign_in(guesser, name, "password123").status_code == 401
    assert sign_in(guesser, "ada", PASSWORD).status_code == 429

    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert sign_in(colleague, "ada", PASSWORD).status_code == 302


def test_failed_sign_ins_count_in_every_worker_process(app, tmp_path):
    # Two app instances on one database stand for two workers of one server.
    create_archivist(app)
    other_worker = make_app(tmp_path)
    first, second = app.test_client(), other_worker.test_client()
    for client in (first, second, first, second, first):
        assert sign_in(client, "ada", "wrong guess").status_code == 401
    assert sign_in(second, "ada", PASSWORD).status_code == 429


def test_signing_in_starts_a_fresh_session(app, client):
    create_archivist(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    token_before = csrf_token(client, "/login")
    client.post(
        "/login", data={"username": "ada", "password": PASSWORD, "csrf_token": token_before}
    )
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["archivist"] == "ada"
    assert csrf_token(client, "/archive/testimonies/new") != token_before


def test_sign_out_takes_a_post_with_its_token_and_ends_the_session(archivist):
    page = archivist.get("/logout")
    assert page.status_code == 200
    assert is_signed_in(archivist), "a GET must not sign out"
    refused = archivist.post("/logout")
    assert refused.status_code == 400
    assert is_signed_in(archivist)
    response = submit(archivist, "/logout", {}, form_page="/logout")
    assert response.status_code == 302
    assert not is_signed_in(archivist)
    assert "Sign in" in archivist.get("/").get_data(as_text=True)


def test_a_deleted_account_is_signed_out_at_once(app, archivist):
    with app.app_context():
        session = db.session()
        session.execute(delete(Archivist).where(Archivist.username == "ada"))
        session.commit()
    response = archivist.get("/archive/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app):
    create_archivist(app)
    app.config["WTF_CSRF_SSL_STRICT"] = False  # the test client sends no Referer
    over_https = app.test_client()
    page = over_https.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = over_https.post(
        "/login",
        base_url="https://localhost",
        data={"username": "ada", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "; Secure" in cookie

    cookie = sign_in(app.test_client()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True  # ORALHISTORY_SESSION_COOKIE_SECURE=true
    assert "; Secure" in sign_in(app.test_client()).headers["Set-Cookie"]


def test_behind_a_proxy_the_forwarded_address_and_scheme_count(tmp_path, app):
    behind_proxy = make_app(tmp_path, TRUSTED_PROXIES=1, LOGIN_MAX_FAILURES_PER_ADDRESS=2)
    create_archivist(behind_proxy)
    client = behind_proxy.test_client()
    guesser = {"X-Forwarded-For": "203.0.113.9"}
    for name in ("root", "admin"):
        assert sign_in(client, name, "password123", headers=guesser).status_code == 401
    assert sign_in(client, "ada", PASSWORD, headers=guesser).status_code == 429
    over_https = {"X-Forwarded-For": "198.51.100.4", "X-Forwarded-Proto": "https"}
    behind_proxy.config["WTF_CSRF_SSL_STRICT"] = False  # the test client sends no Referer
    response = sign_in(client, "ada", PASSWORD, headers=over_https)
    assert response.status_code == 302
    assert "; Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil", "/\t/evil.example", "/\\/x"]
)
def test_sign_in_never_sends_the_archivist_to_another_site(app, client, target):
    create_archivist(app)
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"username": "ada", "password": PASSWORD, "next": target, "csrf_token": token},
    )
    assert response.headers["Location"] == "/archive/"


def test_archive_without_sign_in_redirects_pages_and_refuses_json(client):
    assert client.get("/archive/").status_code == 302
    for response in (
        client.get("/api/archive/testimonies"),
        client.get("/archive/", headers={"Accept": "application/json"}),
    ):
        assert response.status_code == 401
        assert response.get_json() == {"error": "Sign in as an archivist to use the archive."}


# --- CSRF -----------------------------------------------------------------------------------


def test_a_form_sent_without_its_csrf_token_is_refused_and_changes_nothing(app, archivist):
    before = record_counts(app)
    response = archivist.post(NEW, data=form_for_testimony(title="Forged"))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "security token was missing" in text and "nothing was changed" in text
    assert "Forged" in text  # what was typed comes back, to be sent again if it was meant
    assert record_counts(app) == before
    forged_login = app.test_client().post("/login", data={"username": "ada", "password": PASSWORD})
    assert forged_login.status_code == 400


# --- adding a testimony through the form ----------------------------------------------------


def test_form_adds_a_testimony_that_the_next_search_finds(app, archivist, client):
    form = form_for_testimony(transcript="The quinceblossom tree stood by our door.\n\nWe left.")
    testimony_id = saved_testimony_id(submit(archivist, NEW, form))
    page = client.get(f"/testimonies/{testimony_id}").get_data(as_text=True)
    assert 'id="p-1"' in page and 'id="p-2"' in page
    assert "The quinceblossom tree stood by our door." in page
    hits = client.get("/api/search?q=quinceblossom").get_json()["hits"]
    assert [(h["testimony"]["id"], h["passage"]["anchor"]) for h in hits] == [(testimony_id, "p-1")]
    history = archivist.get(f"/api/archive/testimonies/{testimony_id}/history").get_json()
    assert [(r["author"], r["summary"]) for r in history["revisions"]] == [
        ("ada", "Added through the archive’s form")
    ]


def test_a_new_narrator_from_the_form_has_a_profile_with_biography(archivist, client):
    saved_testimony_id(submit(archivist, NEW, form_for_testimony()))
    profile = client.get("/api/narrators/layla-haddad").get_json()
    assert profile["name"] == "Layla Haddad"
    assert profile["age_at_interview"] == 52
    assert profile["roles"] == ["teacher", "mother of three"]
    assert profile["biography"].startswith("A teacher from the old city")
    assert profile["testimonies"][0]["title"] == "The last convoy from the old city"


def test_a_testimony_for_an_existing_narrator_leaves_their_profile_as_it_was(archivist, client):
    before = client.get("/api/narrators/hisham-skeif").get_json()
    form = form_for_testimony(narrator="hisham-skeif", narrator_name="", narrator_biography="")
    testimony_id = saved_testimony_id(submit(archivist, NEW, form))
    after = client.get("/api/narrators/hisham-skeif").get_json()
    assert [t["id"] for t in after["testimonies"]] == [
        *[t["id"] for t in before["testimonies"]],
        testimony_id,
    ]
    assert after["biography"] == before["biography"]
    assert after["age_at_interview"] == before["age_at_interview"]


def test_two_testimonies_with_the_same_title_get_their_own_addresses(app, archivist):
    first = saved_testimony_id(submit(archivist, NEW, form_for_testimony()))
    form = form_for_testimony(narrator="layla-haddad", narrator_name="")
    second = saved_testimony_id(submit(archivist, NEW, form))
    with app.app_context():
        slugs = {db.session().get(Testimony, i).slug for i in (first, second)}
    assert len(slugs) == 2
    assert all(slug.startswith("layla-haddad-2018-") for slug in slugs)


def test_an_uploaded_utf8_file_with_arabic_script_is_stored_word_for_word(archivist, client):
    text = (
        "وصلنا إلى الراشدين في الصباح.\n\n"
        "We reached al-Rashideen [west of Aleppo] in the morning. [Ed.: Said in Arabic.]\n"
    )
    form = form_for_testimony(transcript="", language="ar")
    form["transcript_file"] = (io.BytesIO(text.encode("utf-8")), "interview.md")
    testimony_id = saved_testimony_id(
        submit(archivist, NEW, form, content_type="multipart/form-data")
    )
    passages = client.get(f"/api/testimonies/{testimony_id}").get_json()["passages"]
    assert [p["text"] for p in passages] == [
        "وصلنا إلى الراشدين في الصباح.",
        "We reached al-Rashideen [west of Aleppo] in the morning.",
    ]
    assert passages[1]["editor_note"] == "Said in Arabic."
    hits = client.get("/api/search", query_string={"q": "الراشدين"}).get_json()["hits"]
    assert testimony_id in {h["testimony"]["id"] for h in hits}


def test_the_form_names_every_wrong_field_and_keeps_what_was_typed(app, archivist):
    before = record_counts(app)
    form = form_for_testimony(
        title="A title worth keeping",
        interview_date="04/03/2018",
        interviewers="",
        rights="",
        access="secret",
        narrator="hisham-skeif",
        transcript="   \n\n  ",
    )
    response = submit(archivist, NEW, form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in (
        "Choose a narrator from the list or give a new narrator’s name, not both.",
        "Interview date must be a date written YYYY-MM-DD, not &#39;04/03/2018&#39;.",
        "Interviewers must be given.",
        "Rights must be given.",
        "Access must be one of: public, restricted.",
        "The transcript is empty",
    ):
        assert message in html
    assert 'value="A title worth keeping"' in html
    assert 'value="Test Oral History Project"' in html
    assert "We waited" not in html  # the blank transcript was kept blank, as typed
    assert record_counts(app) == before


def upload(name: str, data: bytes) -> dict:
    form = form_for_testimony(transcript="", title="An upload that must not be stored")
    form["transcript_file"] = (io.BytesIO(data), name)
    return form


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "big.txt",
            b"wordy words\n\n" * (5 * 1024 * 1024 // 13 + 1),
            "larger than the limit of 5 MB",
        ),
        ("scan.txt", b"PK\x03\x04\x00\x00binary\x00stuff", "is a binary file"),
        ("utf16.txt", "Words".encode("utf-16"), "is a binary file (or UTF-16 text)"),
        ("latin1.txt", "Café in the old city".encode("latin-1"), "is not UTF-8 text"),
        ("interview.docx", b"Plain words", "is not a .txt or .md file"),
        ("empty.txt", b"", "The transcript is empty"),
        ("blank.md", b"\n \n\t\n", "The transcript is empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_stored(
    app, archivist, name, data, message
):
    before = record_counts(app)
    response = submit(archivist, NEW, upload(name, data), content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert record_counts(app) == before
    assert search_total(archivist, '"An upload that must not be stored"') == 0


def test_pasting_and_uploading_a_transcript_at_once_is_refused(app, archivist):
    before = record_counts(app)
    form = upload("interview.txt", b"Words from the file.")
    form["transcript"] = "Words pasted as well."
    response = submit(archivist, NEW, form, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Paste the transcript or upload a file, not both." in response.get_data(as_text=True)
    assert record_counts(app) == before


def test_a_request_over_the_size_limit_gets_a_clear_413_page(app, archivist):
    before = record_counts(app)
    token = csrf_token(archivist, NEW)
    form = upload("huge.txt", b"a" * (7 * 1024 * 1024))
    response = archivist.post(
        NEW, data={**form, "csrf_token": token}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "The upload is too large" in text and "5 MB" in text
    assert record_counts(app) == before


# --- corrections and history ----------------------------------------------------------------


def edit_form(archivist, testimony_id: int) -> dict:
    """The correction form as the page fills it in."""
    html = archivist.get(f"/archive/testimonies/{testimony_id}/edit").get_data(as_text=True)
    values = dict(
        re.findall(r'<input id="f-[^"]*" name="([^"]+)" type="[^"]+" value="([^"]*)"', html)
    )
    values.update(
        re.findall(r'<textarea id="f-[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', html)
    )
    values.update(re.findall(r'<input type="hidden" name="(revision)" value="([^"]*)"', html))
    values["access"] = re.search(r'name="access" value="(\w+)" checked', html).group(1)
    values["narrator"] = re.search(r'<option value="([^"]+)"[^>]* selected>', html).group(1)
    values["events"] = re.findall(r'name="events" value="([^"]+)" checked', html)
    return {
        key: unescape(value) if isinstance(value, str) else value for key, value in values.items()
    }


def test_correcting_a_passage_records_a_revision_and_search_follows(archivist, client):
    testimony = first_testimony_of(client, "muhammad-qadsi")
    old_text = testimony["passages"][1]["text"]
    assert "barrel bombs" in old_text
    form = edit_form(archivist, testimony["id"])
    form["passage_2"] = form["passage_2"].replace("barrel bombs", "zeppelinbombs")
    form["note"] = "Typo in the transcription"
    edit = f"/archive/testimonies/{testimony['id']}/edit"
    response = submit(archivist, edit, form)
    assert response.status_code == 302

    page = client.get(f"/testimonies/{testimony['id']}").get_data(as_text=True)
    assert "last corrected" in page and "zeppelinbombs" in page
    assert search_total(client, "zeppelinbombs") == 1
    hits = client.get('/api/search?q="barrel bombs"').get_json()["hits"]
    assert (testimony["id"], "p-2") not in {
        (h["testimony"]["id"], h["passage"]["anchor"]) for h in hits
    }

    history = archivist.get(f"/api/archive/testimonies/{testimony['id']}/history").get_json()
    first, correction = history["revisions"]
    assert first["author"] == "(import)"
    assert correction["author"] == "ada"
    assert correction["summary"] == "Typo in the transcription (Changed passages p-2)"
    removed = [line for line in history["comparison"]["lines"] if line.startswith("-p-2")]
    added = [line for line in history["comparison"]["lines"] if line.startswith("+p-2")]
    assert "barrel bombs" in removed[0] and "zeppelinbombs" in added[0]
    html = archivist.get(f"/archive/testimonies/{testimony['id']}/history").get_data(as_text=True)
    assert "Typo in the transcription" in html and "<del>" in html and "<ins>" in html


def test_correcting_the_title_and_access_shows_at_once(archivist, client):
    testimony = first_testimony_of(client, "omar-al-halabi")
    form = edit_form(archivist, testimony["id"])
    form.update(title="A corrected title", access="restricted")
    response = submit(archivist, f"/archive/testimonies/{testimony['id']}/edit", form)
    assert response.status_code == 302
    assert client.get(f"/api/testimonies/{testimony['id']}").status_code == 404
    assert search_total(client, "narrator:omar-al-halabi") == 0
    mine = archivist.get(f"/api/testimonies/{testimony['id']}").get_json()
    assert (mine["title"], mine["access"]) == ("A corrected title", "restricted")
    assert search_total(archivist, "narrator:omar-al-halabi") == len(testimony["passages"])


def test_correcting_the_whole_transcript_can_split_a_passage(archivist, client):
    testimony = first_testimony_of(client, "hisham-skeif")
    form = edit_form(archivist, testimony["id"])
    first, rest = form["transcript"].split("\n\n", 1)
    sentences = first.split(". ", 1)
    form["transcript"] = f"{sentences[0]}.\n\n{sentences[1]}\n\n{rest}"
    response = submit(archivist, f"/archive/testimonies/{testimony['id']}/edit", form)
    assert response.status_code == 302
    after = client.get(f"/api/testimonies/{testimony['id']}").get_json()
    assert len(after["passages"]) == len(testimony["passages"]) + 1
    assert after["passages"][0]["text"] == sentences[0] + "."


def test_changing_passages_and_whole_transcript_at_once_is_refused(app, archivist, client):
    testimony = first_testimony_of(client, "hisham-skeif")
    form = edit_form(archivist, testimony["id"])
    form["passage_1"] += " One."
    form["transcript"] += " Two."
    before = record_counts(app)
    response = submit(archivist, f"/archive/testimonies/{testimony['id']}/edit", form)
    assert response.status_code == 400
    assert "You changed both the passages one by one and the whole transcript" in (
        response.get_data(as_text=True)
    )
    assert record_counts(app) == before


def test_saving_the_form_unchanged_records_no_revision(app, archivist, client):
    testimony = first_testimony_of(client, "asmar-al-halabi")
    before = record_counts(app)
    edit = f"/archive/testimonies/{testimony['id']}/edit"
    response = submit(archivist, edit, edit_form(archivist, testimony["id"]))
    assert response.status_code == 302
    assert record_counts(app) == before
    assert client.get(f"/api/testimonies/{testimony['id']}").get_json()["corrected_at"] is None


def test_a_correction_from_an_outdated_form_is_refused(app, archivist, client):
    testimony = first_testimony_of(client, "asmar-al-halabi")
    edit = f"/archive/testimonies/{testimony['id']}/edit"
    opened_first = edit_form(archivist, testimony["id"])
    meanwhile = edit_form(archivist, testimony["id"])
    meanwhile["title"] = "Corrected by a colleague"
    assert submit(archivist, edit, meanwhile).status_code == 302
    opened_first["title"] = "My own correction"
    response = submit(archivist, edit, opened_first)
    assert response.status_code == 409
    assert "Someone changed this testimony after you opened this form" in (
        response.get_data(as_text=True)
    )
    assert client.get(f"/api/testimonies/{testimony['id']}").get_json()["title"] == (
        "Corrected by a colleague"
    )


def test_history_compares_any_two_revisions_and_refuses_bad_numbers(archivist, client):
    testimony = first_testimony_of(client, "asmar-al-halabi")
    edit = f"/archive/testimonies/{testimony['id']}/edit"
    for title in ("Second title", "Third title"):
        form = edit_form(archivist, testimony["id"])
        form["title"] = title
        assert submit(archivist, edit, form).status_code == 302
    api = f"/api/archive/testimonies/{testimony['id']}/history"
    revisions = archivist.get(api).get_json()["revisions"]
    assert len(revisions) == 3
    first, last = revisions[0]["id"], revisions[2]["id"]
    lines = archivist.get(f"{api}?older={first}&newer={last}").get_json()["comparison"]["lines"]
    assert f"-title: {testimony['title']}" in lines and "+title: Third title" in lines
    assert archivist.get(f"{api}?older=abc").status_code == 400
    assert archivist.get(f"{api}?older=999999").status_code == 404
    page = f"/archive/testimonies/{testimony['id']}/history?older=abc"
    assert archivist.get(page).status_code == 400


# --- withdrawal -----------------------------------------------------------------------------


def withdraw(archivist, testimony_id: int, reason: str):
    return submit(
        archivist,
        f"/archive/testimonies/{testimony_id}/withdraw",
        {"reason": reason, "confirm": "yes"},
        form_page=f"/archive/testimonies/{testimony_id}/edit",
    )


def test_withdrawing_removes_a_testimony_from_the_public_site_and_index_at_once(
    app, archivist, client
):
    testimony = first_testimony_of(client, "muhammad-haj-qasim")
    assert search_total(client, "Fastaqim") >= 1
    response = withdraw(archivist, testimony["id"], "The narrator revoked consent.")
    assert response.status_code == 302

    assert client.get(f"/testimonies/{testimony['id']}").status_code == 410
    assert client.get(f"/api/testimonies/{testimony['id']}").status_code == 410
    assert client.get("/api/narrators/muhammad-haj-qasim").status_code == 404
    assert search_total(client, "Fastaqim") == 0
    assert search_total(archivist, "Fastaqim") == 0  # gone from the index itself

    listing = archivist.get("/archive/").get_data(as_text=True)
    assert (
        'by <bdi dir="auto">ada</bdi>: <bdi lang="en" dir="auto">The narrator revoked consent.</bdi>'
        in listing
    )
    page = archivist.get(f"/testimonies/{testimony['id']}").get_data(as_text=True)
    assert "withdrawn" in page
    history = archivist.get(f"/api/archive/testimonies/{testimony['id']}/history").get_json()
    assert history["revisions"][-1]["summary"] == "Withdrawn: The narrator revoked consent."
    assert history["testimony"]["withdrawn_by"] == "ada"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_withdrawn_testimonys_addresses_say_gone_and_when_without_its_words(
    archivist, client, language
):
    testimony = first_testimony_of(client, "muhammad-haj-qasim")
    whole = client.get(f"/api/testimonies/{testimony['id']}").get_json()
    withdraw(archivist, testimony["id"], "The narrator revoked consent.")
    client.get(f"/language/{language}")
    base = f"/testimonies/{testimony['id']}"
    addresses = [
        base,
        f"{base}/passages/p-1",
        f"{base}/cite",
        f"{base}/passages/p-1/cite",
        f"{base}/revisions/1",
        f"{base}/export.txt",
        f"{base}/export.json",
        f"{base}/citation.ris",
        f"/api{base}",
        f"/api{base}/passages/p-1",
    ]
    secrets = [whole["title"], "Muhammad Haj Qasim", "Fastaqim", "revoked consent"]
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 410, address
        body = response.get_data(as_text=True)
        assert not [s for s in secrets if s in body], address
        assert str(dt.date.today().year) in body
    page = client.get(base).get_data(as_text=True)
    says = "was withdrawn from the archive" if language == "en" else "سُحبت الشهادة"
    assert says in page
    # archivists still reach it, marked withdrawn
    assert archivist.get(base).status_code == 200


def test_withdrawal_needs_a_reason(archivist, client):
    testimony = first_testimony_of(client, "muhammad-haj-qasim")
    response = withdraw(archivist, testimony["id"], "  ")
    assert response.status_code == 302
    follow = archivist.get(response.headers["Location"]).get_data(as_text=True)
    assert "Give the reason for withdrawing the testimony." in follow
    assert client.get(f"/api/testimonies/{testimony['id']}").status_code == 200


def test_a_withdrawn_testimony_can_be_brought_back(archivist, client):
    testimony = first_testimony_of(client, "muhammad-haj-qasim")
    withdraw(archivist, testimony["id"], "Consent revoked.")
    response = submit(
        archivist,
        f"/archive/testimonies/{testimony['id']}/reinstate",
        {"reason": "Consent given again in writing."},
        form_page=f"/archive/testimonies/{testimony['id']}/edit",
    )
    assert response.status_code == 302
    assert client.get(f"/api/testimonies/{testimony['id']}").status_code == 200
    assert search_total(client, "Fastaqim") >= 1


# --- several processes ----------------------------------------------------------------------


def test_two_app_instances_sharing_one_database_and_index_both_see_a_testimony_the_other_added(
    app, tmp_path
):
    # Two app instances on the same files stand for two workers of a multi-process server.
    other = make_app(tmp_path)
    readers = {"first": app.test_client(), "other": other.test_client()}
    for reader in readers.values():  # each opens its searcher before the additions
        assert search_total(reader, "Fastaqim") >= 1
    first_archivist = archivist_client(app, "ada")
    other_archivist = archivist_client(other, "bea")
    added_on_first = saved_testimony_id(
        submit(first_archivist, NEW, form_for_testimony(transcript="The marmalade cellar."))
    )
    added_on_other = saved_testimony_id(
        submit(
            other_archivist,
            NEW,
            form_for_testimony(
                narrator="layla-haddad", narrator_name="", transcript="A tamarind cart."
            ),
        )
    )
    for reader in readers.values():
        assert search_total(reader, "marmalade") == 1
        assert search_total(reader, "tamarind") == 1
        assert reader.get(f"/api/testimonies/{added_on_first}").status_code == 200
        assert reader.get(f"/api/testimonies/{added_on_other}").status_code == 200
