"""The collection's description: one row holding `transcripts/collection.yaml` (its title,
description and sources in the archive's own words), and the change kind `collection` that
records its loading (the CHECK constraint on `change_log.kind` widened to take it).

Revision ID: 0020
Revises: 0014
Create Date: 2027-03-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# the words of `change_log.kind` before and after this revision, copied as they stood
KINDS_BEFORE = (
    "added",
    "corrected",
    "imported",
    "withdrawn",
    "reinstated",
    "links",
    "timeline",
    "names",
)
KINDS_AFTER = (*KINDS_BEFORE, "collection")
CHECK = "ck_change_log_kind"


def _condition(words: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(word) for word in words)})"


def _kinds_checked(words: tuple[str, ...]) -> None:
    have = {
        constraint["name"]
        for constraint in sa.inspect(op.get_bind()).get_check_constraints("change_log")
    }
    with op.batch_alter_table("change_log") as batch:
        if CHECK in have:
            batch.drop_constraint(CHECK, type_="check")
        batch.create_check_constraint(CHECK, _condition(words))


def upgrade() -> None:
    # an archive stamped back to an earlier revision and upgraded again has the table already
    if not sa.inspect(op.get_bind()).has_table("collection_description"):
        op.create_table(
            "collection_description",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("title", sa.JSON(), nullable=False),
            sa.Column("description", sa.JSON(), nullable=False),
            sa.Column("sources", sa.JSON(), nullable=False),
            sa.Column("file_text", sa.Text(), nullable=False),
            sa.Column("loaded_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    _kinds_checked(KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM change_log WHERE kind = 'collection'")
    _kinds_checked(KINDS_BEFORE)
    op.drop_table("collection_description")
