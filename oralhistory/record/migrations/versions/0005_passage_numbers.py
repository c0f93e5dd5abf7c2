"""Passage anchors that never change: each passage's own number (the N of `p-N`), the highest
number a testimony has given, and the numbers of passages a correction removed.

Existing passages keep the anchors they had: their number is their position.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("passage") as passage:
        passage.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute("UPDATE passage SET number = position")
    with op.batch_alter_table("passage") as passage:
        passage.alter_column("number", existing_type=sa.Integer(), nullable=False)
        passage.create_unique_constraint(
            "uq_passage_testimony_id_number", ["testimony_id", "number"]
        )
    with op.batch_alter_table("testimony") as testimony:
        testimony.add_column(
            sa.Column("last_passage_number", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(
        "UPDATE testimony SET last_passage_number = COALESCE("
        "(SELECT MAX(passage.number) FROM passage WHERE passage.testimony_id = testimony.id), 0)"
    )
    op.create_table(
        "removed_passage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("testimony_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["testimony_id"], ["testimony.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("testimony_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("removed_passage")
    with op.batch_alter_table("testimony") as testimony:
        testimony.drop_column("last_passage_number")
    with op.batch_alter_table("passage") as passage:
        passage.drop_constraint("uq_passage_testimony_id_number", type_="unique")
        passage.drop_column("number")
