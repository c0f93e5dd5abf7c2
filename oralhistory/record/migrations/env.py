"""Alembic's environment: run on the connection `database.upgrade_schema` hands over."""

from __future__ import annotations

from alembic import context

from oralhistory.record.schema import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite alters a table by copying it: let migrations say `batch_alter_table`
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
