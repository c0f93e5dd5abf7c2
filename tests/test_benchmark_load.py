"""The benchmark's bulk loader stores what the importer stores, row for row."""

from __future__ import annotations

from sqlalchemy import select

from benchmarks.generate import generate, load, load_through_importer, load_timeline
from oralhistory.record.models import Base
from oralhistory.web import db
from tests.conftest import make_app

# The clock moves between the two loads: when a row was made is all that may differ.
MADE_AT = {("testimony", "created_at"), ("context_link", "created_at")}


def _tables(tmp, load_collection, collection) -> dict[str, list[tuple]]:
    """Every table of a fresh record holding the timeline and `collection` as
    `load_collection` stores it: its rows in the order of their ids."""
    tmp.mkdir()
    app = make_app(tmp)
    with app.app_context():
        db.upgrade_schema()
        session = db.session()
        load_timeline(session)
        load_collection(session, collection)
        tables = {}
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in MADE_AT]
            rows = session.execute(select(*columns).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def test_the_bulk_loader_stores_the_same_rows_as_the_importer(tmp_path):
    collection = generate(600)
    assert collection.restricted and any(t.events for t in collection.testimonies)
    imported = _tables(tmp_path / "importer", load_through_importer, collection)
    bulk = _tables(tmp_path / "bulk", load, collection)
    # the collection reached every kind of row the benchmark searches by
    for table in ("narrator", "testimony", "passage", "testimony_event", "context_link"):
        assert imported[table], table
    assert sum(len(t.passages) for t in collection.testimonies) == len(imported["passage"])
    for table, rows in imported.items():
        assert bulk[table] == rows, table
