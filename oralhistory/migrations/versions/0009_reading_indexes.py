"""An index of context links by what they point to: an event's or a place's page reads its
linked passages a page at a time, without reading every link of the archive; and one of the
testimonies by access, which tells the testimonies a reader may see without their rows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_testimony_visible", "testimony", ["access", "withdrawn_at"])
    op.create_index(
        "ix_context_link_target", "context_link", ["kind", "target", "testimony_id", "position"]
    )


def downgrade() -> None:
    op.drop_index("ix_testimony_visible", table_name="testimony")
    op.drop_index("ix_context_link_target", table_name="context_link")
