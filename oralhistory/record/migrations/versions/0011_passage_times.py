"""Passage times: where each passage starts and ends in the recording, and where the times
came from (`imported`, `aligned`, `manual`); `timing_stale` marks a passage whose words a
correction changed after it was timed.

Revision ID: 0011
Revises: 0010
Create Date: 2027-02-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ("start_seconds", "end_seconds", "timing", "timing_stale")


def upgrade() -> None:
    # an archive stamped back to an earlier revision and upgraded again has the columns already
    have = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("passage")}
    with op.batch_alter_table("passage") as batch:
        if "start_seconds" not in have:
            batch.add_column(sa.Column("start_seconds", sa.Float(), nullable=True))
        if "end_seconds" not in have:
            batch.add_column(sa.Column("end_seconds", sa.Float(), nullable=True))
        if "timing" not in have:
            batch.add_column(sa.Column("timing", sa.String(length=10), nullable=True))
        if "timing_stale" not in have:
            batch.add_column(
                sa.Column("timing_stale", sa.Boolean(), server_default=sa.false(), nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table("passage") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
