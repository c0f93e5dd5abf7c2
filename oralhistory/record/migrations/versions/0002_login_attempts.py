"""Failed sign-ins kept in the database, counted by every worker (commit 7b85aae).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An archive made before migrations may hold this table already (see `db.upgrade_schema`).
    if sa.inspect(op.get_bind()).has_table("login_attempt"):
        return
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("username", "address", "failed_at"):
        op.create_index(f"ix_login_attempt_{column}", "login_attempt", [column])


def downgrade() -> None:
    op.drop_table("login_attempt")
