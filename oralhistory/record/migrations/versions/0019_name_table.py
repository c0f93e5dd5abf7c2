"""The spelling table of names (`names.yaml`) held by the record: a table of its own, and a
change kind `names` (the change log's CHECK constraint widened to it).

Revision ID: 0019
Revises: 0014
Create Date: 2027-03-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0014"
branch_labels = None
depends_on = None

CHECK = "ck_change_log_kind"
KINDS = ("added", "corrected", "imported", "withdrawn", "reinstated", "links", "timeline")


def _kinds(words: tuple[str, ...]) -> str:
    return f"kind IN ({', '.join(repr(word) for word in words)})"


def _has_check() -> bool:
    constraints = sa.inspect(op.get_bind()).get_check_constraints("change_log")
    return any(constraint.get("name") == CHECK for constraint in constraints)


def _set_kinds(words: tuple[str, ...]) -> None:
    had = _has_check()
    with op.batch_alter_table("change_log") as batch:
        if had:
            batch.drop_constraint(CHECK, type_="check")
        batch.create_check_constraint(CHECK, _kinds(words))


def upgrade() -> None:
    # an archive stamped back to an earlier revision and upgraded again has the table already
    if not sa.inspect(op.get_bind()).has_table("name_table"):
        op.create_table(
            "name_table",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    _set_kinds((*KINDS, "names"))


def downgrade() -> None:
    # the log keeps every row: a change of names becomes a change of the timeline, which the
    # index follows alike (the whole index rebuilt)
    op.execute(sa.text("UPDATE change_log SET kind = 'timeline' WHERE kind = 'names'"))
    _set_kinds(KINDS)
    op.drop_table("name_table")
