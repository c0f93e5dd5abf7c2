"""Alembic migrations of the record's schema: `db.upgrade_schema()` and `flask db` run them."""
