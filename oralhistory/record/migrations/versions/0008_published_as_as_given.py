""" "Published as" kept as the archivist gave it: the values the form once copied from the
title when the field was left empty are cleared.

Until now a testimony saved with "Published as" left empty had its title copied into
`citation.title`; a later change of title left the old one in every citation. A copied value
cannot be told from one typed the same as the title, so the rule is: a value equal to the
title in a revision an archivist saved through the form (not an import, whose files say what
they mean) counts as copied, and is cleared in the testimony and in every revision that holds
it. Readers then see the title as it is now, which is what an empty field means. A value an
archivist typed equal to the title and kept through a retitling is cleared too: the one case
where this loses a fact, taken so that no title from a testimony's restricted days can reach
a reader. Testimonies without revisions, and imported values, are left as they are.

Revision ID: 0008
Revises: 0006
Create Date: 2027-01-15
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

IMPORT_AUTHOR = "(import)"  # as `revisions.IMPORT_AUTHOR` says; a migration keeps its own copy

testimony = sa.table(
    "testimony",
    sa.column("id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("citation", sa.JSON),
)
revision_table = sa.table(
    "revision",
    sa.column("id", sa.Integer),
    sa.column("testimony_id", sa.Integer),
    sa.column("author", sa.String),
    sa.column("snapshot", sa.JSON),
)


def _without(citation: dict[str, Any] | None, copied: set[str]) -> dict[str, Any] | None:
    """`citation` without its title when that title is a copied one; None when unchanged."""
    if not isinstance(citation, dict) or citation.get("title") not in copied:
        return None
    return {key: value for key, value in citation.items() if key != "title"}


def upgrade() -> None:
    connection = op.get_bind()
    by_testimony: dict[int, list[Any]] = {}
    for row in connection.execute(sa.select(revision_table).order_by(revision_table.c.id)):
        by_testimony.setdefault(row.testimony_id, []).append(row)
    for row in connection.execute(sa.select(testimony)):
        kept = by_testimony.get(row.id, [])
        copied = {
            r.snapshot["citation"]["title"]
            for r in kept
            if r.author != IMPORT_AUTHOR
            and isinstance(r.snapshot, dict)
            and isinstance(r.snapshot.get("citation"), dict)
            and r.snapshot["citation"].get("title")
            and r.snapshot["citation"]["title"] == r.snapshot.get("title")
        }
        if not copied:
            continue
        for r in kept:
            citation = _without(r.snapshot.get("citation"), copied)
            if citation is not None:
                connection.execute(
                    revision_table.update()
                    .where(revision_table.c.id == r.id)
                    .values(snapshot={**r.snapshot, "citation": citation})
                )
        citation = _without(row.citation, copied)
        if citation is not None:
            connection.execute(
                testimony.update().where(testimony.c.id == row.id).values(citation=citation)
            )


def downgrade() -> None:
    # An empty "Published as" reads as the title: nothing to put back.
    pass
