"""Statuses and kinds: the code names them as `StrEnum`s, and the database refuses any other
word (CHECK constraints, migration 0014), on an archive made new and on one upgraded."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from oralhistory.record.kinds import CHECKED, ChangeKind, LinkStatus, Timing
from oralhistory.record.models import Base, ContextLink, Passage
from oralhistory.web import db
from tests.conftest import make_app


def _rows_of_every_word(connection) -> None:
    """Rows holding every word each vocabulary has, as the previous versions wrote them."""
    tables = Base.metadata.tables
    narrator = connection.execute(
        insert(tables["narrator"]).values(slug="n", name="N", spellings=[], roles=[])
    ).inserted_primary_key[0]
    for number, (access, precision) in enumerate(
        [("public", "day"), ("restricted", "week"), ("public", "month"), ("public", "year")]
    ):
        testimony = connection.execute(
            insert(tables["testimony"]).values(
                slug=f"t-{number}",
                narrator_id=narrator,
                title="T",
                interview_date=dt.date(2017, 12, 1),
                interview_date_precision=precision,
                language="en",
                interviewers=[],
                citation={},
                rights="Test only.",
                access=access,
                created_at=dt.datetime(2027, 1, 1),
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(tables["event"]).values(
                slug=f"e-{number}",
                date=dt.date(2011, 3, 15),
                date_precision=precision,
                title="E",
                summary="",
            )
        )
    for position, timing in enumerate(["imported", "aligned", "manual", None], start=1):
        connection.execute(
            insert(tables["passage"]).values(
                testimony_id=testimony, position=position, number=position, text="x", timing=timing
            )
        )
    for position, (kind, status, origin) in enumerate(
        [("event", "proposed", "automatic"), ("place", "confirmed", "archivist")], start=1
    ):
        connection.execute(
            insert(tables["context_link"]).values(
                testimony_id=testimony,
                position=position,
                kind=kind,
                target="x",
                status=status,
                origin=origin,
                reason=[],
            )
        )
    connection.execute(
        insert(tables["context_link"]).values(
            testimony_id=testimony,
            position=3,
            kind="event",
            target="y",
            status="rejected",
            origin="automatic",
            reason=[],
        )
    )
    # every kind an archive of revision 0011 could hold (`names` came with 0019, the
    # collection's description with 0020)
    written = [k for k in ChangeKind if k not in (ChangeKind.NAMES, ChangeKind.COLLECTION)]
    for number, kind in enumerate(written, start=1):
        connection.execute(
            insert(tables["change_log"]).values(
                id=number, kind=str(kind), changed_at=dt.datetime(2027, 1, 1)
            )
        )
    for kind in ("added", "corrected"):
        connection.execute(
            insert(tables["form_submission"]).values(
                key=kind, kind=kind, author="a", created_at=dt.datetime(2027, 1, 1)
            )
        )


def _refuses(app, table, column: str, word: str) -> bool:
    """Whether the database refuses `word` in `column` of the table's first row."""
    with app.app_context():
        try:
            with db.engine().begin() as connection:
                first = connection.execute(select(table.c.id).limit(1)).scalar()
                connection.execute(update(table).where(table.c.id == first).values({column: word}))
        except IntegrityError:
            return True
    return False


def test_an_archive_written_by_the_previous_version_upgrades_and_then_refuses_unknown_words(
    tmp_path,
):
    app = make_app(tmp_path)
    with app.app_context():
        with db.engine().begin() as connection:
            command.upgrade(db.alembic_config(connection), "0011")
            _rows_of_every_word(connection)
        db.upgrade_schema()  # as `init` and `db upgrade` do
        with db.engine().connect() as connection:
            counted = connection.execute(text("SELECT count(*) FROM context_link")).scalar()
            assert counted == 3
            names = {
                check["name"]
                for table in {t for t, _c, _v in CHECKED}
                for check in inspect(connection).get_check_constraints(table)
            }
        assert {f"ck_{table}_{column}" for table, column, _v in CHECKED} <= names
    links = Base.metadata.tables["context_link"]
    assert _refuses(app, links, "status", "maybe")
    assert not _refuses(app, links, "status", LinkStatus.REJECTED)
    assert _refuses(app, Base.metadata.tables["change_log"], "kind", "renamed")
    assert _refuses(app, Base.metadata.tables["testimony"], "access", "secret")


def test_the_downgrade_takes_the_checks_away_again(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        with db.engine().begin() as connection:
            command.upgrade(db.alembic_config(connection), "head")
            command.downgrade(db.alembic_config(connection), "0011")
        with db.engine().connect() as connection:
            assert inspect(connection).get_check_constraints("context_link") == []


@pytest.mark.parametrize("column, word", [("status", "maybe"), ("kind", "person")])
def test_a_new_archive_refuses_a_link_word_the_code_does_not_know(app, column, word):
    assert _refuses(app, Base.metadata.tables["context_link"], column, word)


def test_statuses_read_from_the_record_are_the_enum_members(app):
    with app.app_context():
        session = db.session()
        link = session.scalars(select(ContextLink)).first()
        assert link.status in set(LinkStatus)
        timings = set(session.scalars(select(Passage.timing)))
        assert timings <= {None, *Timing}
