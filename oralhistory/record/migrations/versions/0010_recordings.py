"""Recordings: a testimony's audio or video, kept by SHA-256, one row per part.

Revision ID: 0010
Revises: 0009
Create Date: 2027-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an archive stamped back to an earlier revision and upgraded again has the table already
    if sa.inspect(op.get_bind()).has_table("recording"):
        return
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("testimony_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), server_default="1", nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("original_filename", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["testimony_id"], ["testimony.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("testimony_id", "part"),
    )
    op.create_index("ix_recording_sha256", "recording", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_recording_sha256", table_name="recording")
    op.drop_table("recording")
