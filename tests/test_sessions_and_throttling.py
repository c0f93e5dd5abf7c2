"""Sessions the server can end, and sign-in throttling that no stranger can turn into a
lock-out. Real app, real SQLite, the Flask test client and the real CLI."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select, update

from oralhistory.record.models import ArchivistSession, LoginAttempt
from oralhistory.web import db
from tests.archive_helpers import PASSWORD, archivist_client, create_archivist, sign_in, submit
from tests.conftest import run_cli

ARCHIVE_JSON = "/api/archive/testimonies"


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def browser_with(app, cookie: str):
    """Another client that sends a copied session cookie, as an attacker replaying it would."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def age_sessions(app, **delta) -> None:
    with app.app_context():
        session = db.session()
        past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(**delta)
        session.execute(update(ArchivistSession).values(last_seen_at=past))
        session.commit()


def wait_asked(response) -> int:
    assert response.status_code == 429
    return int(re.search(r"Wait (\d+) seconds", response.get_data(as_text=True)).group(1))


def ages_failures(app, seconds: int) -> None:
    with app.app_context():
        session = db.session()
        past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=seconds)
        session.execute(update(LoginAttempt).values(failed_at=past))
        session.commit()


# --- sessions --------------------------------------------------------------------------------


def test_a_cookie_replayed_after_sign_out_opens_nothing(app):
    client = archivist_client(app)
    stolen = cookie_of(client)
    assert browser_with(app, stolen).get(ARCHIVE_JSON).status_code == 200
    assert submit(client, "/logout", {}, form_page="/logout").status_code == 302
    replayed = browser_with(app, stolen).get(ARCHIVE_JSON)
    assert replayed.status_code == 401


def test_sign_out_everywhere_ends_the_sessions_of_every_browser(app):
    laptop = archivist_client(app)
    phone = app.test_client()
    assert sign_in(phone).status_code == 302
    response = submit(laptop, "/logout/everywhere", {}, form_page="/logout")
    assert response.status_code == 302
    assert laptop.get(ARCHIVE_JSON).status_code == 401
    assert phone.get(ARCHIVE_JSON).status_code == 401


def test_the_logout_page_offers_sign_out_everywhere_and_a_new_password(app):
    page = archivist_client(app).get("/logout").get_data(as_text=True)
    assert 'action="/logout/everywhere"' in page
    assert 'href="/account/password"' in page


def test_a_new_password_ends_every_other_session_and_keeps_this_browser(app):
    laptop = archivist_client(app)
    phone = app.test_client()
    sign_in(phone)
    old_laptop_cookie = cookie_of(laptop)
    new = "an entirely new passphrase"
    form = {"current_password": PASSWORD, "new_password": new, "new_password_again": new}
    response = submit(laptop, "/account/password", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert laptop.get(ARCHIVE_JSON).status_code == 200
    assert phone.get(ARCHIVE_JSON).status_code == 401
    assert browser_with(app, old_laptop_cookie).get(ARCHIVE_JSON).status_code == 401
    assert sign_in(app.test_client(), "ada", PASSWORD).status_code == 401
    assert sign_in(app.test_client(), "ada", new).status_code == 302


def test_a_new_password_needs_the_current_one_and_the_same_new_one_twice(app):
    laptop = archivist_client(app)
    wrong = {"current_password": "not it", "new_password": "x" * 12, "new_password_again": "x" * 12}
    response = submit(laptop, "/account/password", wrong)
    assert response.status_code == 400
    assert "current password is not right" in response.get_data(as_text=True)
    short = {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"}
    assert "at least 10 characters" in submit(laptop, "/account/password", short).get_data(
        as_text=True
    )
    assert laptop.get(ARCHIVE_JSON).status_code == 200


def test_set_password_on_the_command_line_ends_all_sessions(app):
    client = archivist_client(app)
    result = run_cli(app, "set-password", "ada", "--password", "a new passphrase here")
    assert result.exit_code == 0, result.output
    assert "all of their sessions have ended" in result.output
    assert client.get(ARCHIVE_JSON).status_code == 401
    assert sign_in(app.test_client(), "ada", "a new passphrase here").status_code == 302
    unknown = run_cli(app, "set-password", "nobody", "--password", "a new passphrase here")
    assert unknown.exit_code != 0 and "no archivist called 'nobody'" in unknown.output


def test_an_idle_session_expires_on_the_server(app):
    client = archivist_client(app)
    stolen = cookie_of(client)
    age_sessions(app, hours=13)
    assert browser_with(app, stolen).get(ARCHIVE_JSON).status_code == 401
    assert client.get(ARCHIVE_JSON).status_code == 401


def test_the_database_keeps_only_a_hash_of_the_session_token(app):
    client = archivist_client(app)
    with client.session_transaction() as session:
        token = session["sid"]
    with app.app_context():
        stored = db.session().scalars(select(ArchivistSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


# --- throttling ------------------------------------------------------------------------------


def test_a_stranger_guessing_cannot_lock_an_archivist_out(app):
    create_archivist(app)
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(8):
        sign_in(stranger, "ada", "a guess of a password")
    assert sign_in(stranger, "ada", "a guess of a password").status_code == 429
    archivist = app.test_client()
    archivist.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    assert sign_in(archivist, "ada", PASSWORD).status_code == 302


def test_repeated_failures_slow_an_address_down_without_locking_it(app):
    create_archivist(app)
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "ada", "wrong guess").status_code == 401
    assert 25 <= wait_asked(sign_in(client, "ada", PASSWORD)) <= 30
    ages_failures(app, 31)  # the pause after five failures is over: one more try is checked
    assert sign_in(client, "ada", "wrong again").status_code == 401
    # the sixth failure doubles the pause
    assert 55 <= wait_asked(sign_in(client, "ada", PASSWORD)) <= 60
    ages_failures(app, 61)
    assert sign_in(client, "ada", PASSWORD).status_code == 302


def test_a_right_password_forgives_only_its_own_address(app):
    create_archivist(app)
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(5):
        sign_in(stranger, "ada", "guess")
    assert sign_in(app.test_client(), "ada", PASSWORD).status_code == 302
    with app.app_context():
        kept = db.session().scalar(select(func.count()).select_from(LoginAttempt))
    assert kept == 5
    assert sign_in(stranger, "ada", "guess").status_code == 429
