"""Migrations: an archive made by any earlier version upgrades in place and keeps every row."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text

from oralhistory.record.models import Base, Event, Narrator, Passage, Revision, Testimony
from oralhistory.web import db
from tests.conftest import make_app, run_cli


def head_revision() -> str:
    """The newest migration shipped (each helper's new migration moves it on)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def first_schema_archive(app) -> None:
    """The database the first version of the archive made, with a testimony in it (its own
    and no other: the collection's slugs are left for `init`), an archivist and a revision."""
    with app.app_context():
        with db.engine().begin() as connection:
            command.upgrade(db.alembic_config(connection), "0001")
            connection.execute(text("DROP TABLE alembic_version"))
        tables = Base.metadata.tables
        with db.engine().begin() as connection:
            narrator = connection.execute(
                insert(tables["narrator"]).values(
                    slug="early-narrator", name="Early Narrator", spellings=[], roles=[]
                )
            ).inserted_primary_key[0]
            testimony = connection.execute(
                insert(tables["testimony"]).values(
                    slug="early-testimony",
                    narrator_id=narrator,
                    title="Kept from the first version",
                    interview_date=dt.date(2017, 12, 1),
                    interview_date_precision="day",
                    language="en",
                    interviewers=["Someone"],
                    citation={"publisher": "Early"},
                    rights="Test only.",
                    access="public",
                    created_at=dt.datetime(2026, 11, 25, 8, 0),
                )
            ).inserted_primary_key[0]
            connection.execute(
                insert(tables["passage"]).values(
                    testimony_id=testimony,
                    position=1,
                    text="Marmots in the courtyard, every morning.",
                )
            )
            connection.execute(
                insert(tables["archivist"]).values(
                    username="early", password_hash="x", created_at=dt.datetime(2026, 11, 25)
                )
            )
            connection.execute(
                insert(tables["revision"]).values(
                    testimony_id=testimony,
                    author="early",
                    created_at=dt.datetime(2026, 11, 25, 9, 0),
                    summary="A correction made in the first version",
                    snapshot={"title": "Kept from the first version"},
                )
            )
            # the first schema's event table has no `cues` nor `organisations`
            columns = [column["name"] for column in inspect(connection).get_columns("event")]
            assert "cues" not in columns


def test_an_archive_of_the_first_schema_upgrades_with_init_and_keeps_every_row(tmp_path):
    app = make_app(tmp_path)
    first_schema_archive(app)
    result = run_cli(app, "init")
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        early = session.scalar(select(Testimony).where(Testimony.slug == "early-testimony"))
        assert early.title == "Kept from the first version"
        assert [p.text for p in early.passages] == ["Marmots in the courtyard, every morning."]
        # its passage keeps its anchor, and the next new passage will be p-2
        assert ([p.anchor for p in early.passages], early.last_passage_number) == (["p-1"], 1)
        assert [
            r.summary for r in session.scalars(select(Revision).filter_by(testimony_id=early.id))
        ] == ["A correction made in the first version"]
        assert session.scalar(select(func.count(Narrator.id))) == 6
        # the timeline's events now carry the cues the first schema had no room for
        assert any(event.cues for event in session.scalars(select(Event)))
        assert db.schema_revision() == head_revision()
    client = app.test_client()
    found = client.get("/api/search", query_string={"q": "marmots"}).get_json()
    assert found["total"] == 1
    assert client.get("/api/search", query_string={"q": "Aleppo"}).get_json()["total"] > 0


def test_db_upgrade_says_the_revision_and_running_it_again_changes_nothing(tmp_path):
    app = make_app(tmp_path)
    first_schema_archive(app)
    for _ in range(2):
        result = run_cli(app, "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert f"revision {head_revision()}" in result.output
    with app.app_context():
        assert db.session().scalar(select(func.count(Passage.id))) == 1


def test_the_migrations_build_the_schema_the_models_describe(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        with db.engine().begin() as connection:
            command.upgrade(db.alembic_config(connection), "head")
        with db.engine().connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
