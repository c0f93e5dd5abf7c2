"""A database that accepts no changes (a restore, a full disk, a mount gone read-only, or
PostgreSQL's `default_transaction_read_only`): saves and sign-in are refused with 503 and
words that say so, and reading goes on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import make_url, text, update

from oralhistory.record.models import ArchivistSession
from oralhistory.web import db
from tests.archive_helpers import (
    create_archivist,
    form_for_testimony,
    record_counts,
    sign_in,
    submit,
)
from tests.conftest import POSTGRES_URL, _postgres_admin, make_app

ARABIC = {"Accept-Language": "ar"}


def read_only_app(app, tmp_path: Path):
    """The same archive served from a database that refuses every change."""
    url = app.config["DATABASE_URL"]
    app.extensions["oralhistory.engine"].dispose()
    if POSTGRES_URL:
        name = make_url(url).database
        with _postgres_admin().connect() as connection:
            connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            )
        return make_app(tmp_path, DATABASE_URL=url)
    # Opened read-only by SQLite itself: the tests run as root, whom chmod would not stop.
    return make_app(
        tmp_path, DATABASE_URL=f"sqlite:///file:{tmp_path / 'archive.db'}?mode=ro&uri=true"
    )


def signed_in_copy(client, app):
    """A client of `app` holding `client`'s cookies (the same browser, another server)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_save_to_a_read_only_archive_is_refused_with_503_saying_nothing_was_changed(
    app, tmp_path, archivist
):
    before = record_counts(app)
    ro = read_only_app(app, tmp_path)
    client = signed_in_copy(archivist, ro)
    response = submit(client, "/archive/testimonies/new", form_for_testimony())
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The archive cannot be changed right now" in page
    assert "Nothing was changed" in page
    assert response.headers["Retry-After"]
    assert record_counts(ro) == before


def test_a_read_only_archive_says_so_in_arabic_to_an_arabic_reader(app, tmp_path, archivist):
    ro = read_only_app(app, tmp_path)
    client = signed_in_copy(archivist, ro)
    response = submit(client, "/archive/testimonies/new", form_for_testimony(), headers=ARABIC)
    assert response.status_code == 503
    assert "لا يمكن تغيير الأرشيف الآن" in response.get_data(as_text=True)


def test_searches_and_pages_still_answer_after_a_refused_save(app, tmp_path, archivist):
    ro = read_only_app(app, tmp_path)
    client = signed_in_copy(archivist, ro)
    assert submit(client, "/archive/testimonies/new", form_for_testimony()).status_code == 503
    for reader in (client, ro.test_client()):
        assert reader.get("/api/search", query_string={"q": "Aleppo"}).status_code == 200
        assert reader.get("/search", query_string={"q": "bread"}).status_code == 200
        assert reader.get("/").status_code == 200
        assert reader.get("/timeline").status_code == 200
    assert client.get("/archive/").status_code == 200


def test_signing_in_to_a_read_only_archive_is_refused_with_503_and_why(app, tmp_path):
    create_archivist(app)
    ro = read_only_app(app, tmp_path)
    response = sign_in(ro.test_client())
    assert response.status_code == 503
    assert "Signing in is not possible right now" in response.get_data(as_text=True)
    wrong = sign_in(ro.test_client(), password="not the password at all")
    assert wrong.status_code == 503


def test_an_archivist_signed_in_before_goes_on_reading_a_read_only_archive(
    app, tmp_path, archivist
):
    # the session was last used long enough ago that the next request would note its use
    with app.app_context():
        session = db.session()
        an_hour_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
        session.execute(update(ArchivistSession).values(last_seen_at=an_hour_ago))
        session.commit()
    ro = read_only_app(app, tmp_path)
    client = signed_in_copy(archivist, ro)
    response = client.get("/archive/")
    assert response.status_code == 200
    assert "Sign out" in response.get_data(as_text=True)
    assert client.get("/api/archive/testimonies").status_code == 200


def test_a_json_save_or_search_against_a_read_only_archive_never_answers_500(
    app, tmp_path, archivist
):
    ro = read_only_app(app, tmp_path)
    client = signed_in_copy(archivist, ro)
    response = submit(
        client,
        "/archive/testimonies/new",
        form_for_testimony(),
        form_page="/archive/testimonies/new",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 503
    assert client.get("/api/search", query_string={"q": "Aleppo"}).status_code == 200
