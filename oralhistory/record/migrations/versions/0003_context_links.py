"""Context links between passages and the timeline; events' cues and organisations
(commit 295f1b8). With 0001 and 0002 this is the schema of every archive made before
migrations: the baseline.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    event_columns = {column["name"] for column in inspector.get_columns("event")}
    with op.batch_alter_table("event") as event:
        for name in ("cues", "organisations"):
            if name not in event_columns:
                # existing events get an empty list; `init` fills them from the timeline
                event.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
    if inspector.has_table("context_link"):
        return
    op.create_table(
        "context_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("testimony_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=160), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("passage_digest", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["testimony_id"], ["testimony.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("testimony_id", "position", "kind", "target"),
    )


def downgrade() -> None:
    op.drop_table("context_link")
    with op.batch_alter_table("event") as event:
        event.drop_column("organisations")
        event.drop_column("cues")
