"""An index of context links by what they point to: an event's or a place's page reads its
linked passages a page at a time, without reading every link of the archive; and one of the
testimonies by access, which tells the testimonies a reader may see without their rows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


INDEXES = {
    "ix_testimony_visible": ("testimony", ["access", "withdrawn_at"]),
    "ix_context_link_target": ("context_link", ["kind", "target", "testimony_id", "position"]),
}


def upgrade() -> None:
    # an archive made at the current schema already has them (see db.upgrade_schema)
    inspector = sa.inspect(op.get_bind())
    for name, (table, columns) in INDEXES.items():
        if name not in {index["name"] for index in inspector.get_indexes(table)}:
            op.create_index(name, table, columns)


def downgrade() -> None:
    op.drop_index("ix_testimony_visible", table_name="testimony")
    op.drop_index("ix_context_link_target", table_name="context_link")
