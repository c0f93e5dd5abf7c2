"""Closed vocabularies: a CHECK constraint on each column that holds one of a fixed set of
words (a testimony's access and date precision, an event's date precision, a passage's timing,
a link's kind, status and origin, a change's kind, a stored form's kind), so that the database
refuses a word the code does not know (`kinds.CHECKED`, whose words are copied here as they stood
at this revision: a later migration that widens a vocabulary drops and adds its constraint).
Every earlier version wrote only these words: the code checked them on the way in (`importer`,
`changes.log`).

Revision ID: 0014
Revises: 0011
Create Date: 2027-02-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


DATE_PRECISIONS = ("day", "week", "month", "year")
# table -> column -> the words it may hold (NULL passes a CHECK)
VOCABULARIES = {
    "testimony": {
        "access": ("public", "restricted"),
        "interview_date_precision": DATE_PRECISIONS,
    },
    "event": {"date_precision": DATE_PRECISIONS},
    "passage": {"timing": ("imported", "aligned", "manual")},
    "context_link": {
        "kind": ("event", "place"),
        "status": ("proposed", "confirmed", "rejected"),
        "origin": ("automatic", "archivist"),
    },
    "change_log": {
        "kind": ("added", "corrected", "imported", "withdrawn", "reinstated", "links", "timeline")
    },
    "form_submission": {"kind": ("added", "corrected")},
}


def check_name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def check_condition(column: str, words: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(word) for word in words)})"


def _existing(table: str) -> set[str]:
    constraints = sa.inspect(op.get_bind()).get_check_constraints(table)
    return {constraint["name"] for constraint in constraints if constraint.get("name")}


def upgrade() -> None:
    for table, columns in VOCABULARIES.items():
        have = _existing(table)  # an archive upgraded again keeps what it has
        with op.batch_alter_table(table) as batch:
            for column, words in columns.items():
                if check_name(table, column) not in have:
                    batch.create_check_constraint(
                        check_name(table, column), check_condition(column, words)
                    )


def downgrade() -> None:
    for table, columns in VOCABULARIES.items():
        have = _existing(table)
        with op.batch_alter_table(table) as batch:
            for column in columns:
                if check_name(table, column) in have:
                    batch.drop_constraint(check_name(table, column), type_="check")
