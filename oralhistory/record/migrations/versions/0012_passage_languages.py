"""A testimony in more than one language: the other languages a testimony is held in
(`testimony_language`: code, original or translation, translator) and each passage's words in
them (`passage_text`). The main text stays in `passage.text`.

Revision ID: 0012
Revises: 0011
Create Date: 2027-02-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an archive stamped back to an earlier revision and upgraded again has the tables already
    have = sa.inspect(op.get_bind())
    if not have.has_table("testimony_language"):
        op.create_table(
            "testimony_language",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("testimony_id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(length=10), nullable=False),
            sa.Column("kind", sa.String(length=12), nullable=False),
            sa.Column("translator", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["testimony_id"], ["testimony.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("testimony_id", "code"),
        )
    if not have.has_table("passage_text"):
        op.create_table(
            "passage_text",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("passage_id", sa.Integer(), nullable=False),
            sa.Column("language", sa.String(length=10), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("editor_note", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["passage_id"], ["passage.id"]),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("passage_id", "language"),
        )


def downgrade() -> None:
    op.drop_table("passage_text")
    op.drop_table("testimony_language")
