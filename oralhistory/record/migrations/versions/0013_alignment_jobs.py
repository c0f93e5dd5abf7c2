"""Alignment jobs: the automatic alignment of a testimony's transcript to its recording, run
in the background, kept as a proposal until an archivist accepts it.

Revision ID: 0013
Revises: 0011
Create Date: 2027-02-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an archive stamped back to an earlier revision and upgraded again has the table already
    if sa.inspect(op.get_bind()).has_table("alignment_job"):
        return
    op.create_table(
        "alignment_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("testimony_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("recording_sha256", sa.String(length=64), nullable=True),
        sa.Column("anchors", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["testimony_id"], ["testimony.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alignment_job_testimony_id", "alignment_job", ["testimony_id"])
    op.create_index("ix_alignment_job_state", "alignment_job", ["state"])


def downgrade() -> None:
    op.drop_index("ix_alignment_job_state", table_name="alignment_job")
    op.drop_index("ix_alignment_job_testimony_id", table_name="alignment_job")
    op.drop_table("alignment_job")
