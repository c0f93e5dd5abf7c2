"""The history of a testimony: every change kept as a revision (who, when, what changed)."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Revision, Testimony, utcnow

IMPORT_AUTHOR = "(import)"  # parentheses never occur in an archivist's username


def snapshot(testimony: Testimony) -> dict[str, Any]:
    """The testimony as it stands: metadata, passages and context links, as plain data."""
    return {
        "title": testimony.title,
        "narrator": testimony.narrator.slug if testimony.narrator else None,
        "interview_date": testimony.interview_date.isoformat()
        if testimony.interview_date
        else None,
        "interviewers": list(testimony.interviewers),
        "citation": dict(testimony.citation),
        "rights": testimony.rights,
        "access": testimony.access,
        "withdrawn": testimony.withdrawn_at is not None,
        "withdrawn_reason": testimony.withdrawn_reason,
        "passages": [
            {"anchor": p.anchor, "text": p.text, "editor_note": p.editor_note}
            for p in testimony.passages
        ],
        "links": [
            {
                "anchor": link.anchor,
                "kind": link.kind,
                "target": link.target,
                "status": link.status,
                "origin": link.origin,
            }
            for link in sorted(
                testimony.context_links, key=lambda x: (x.position, x.kind, x.target)
            )
        ],
    }


def record(session: Session, testimony: Testimony, author: str, summary: str) -> Revision:
    """Add a revision holding the testimony's state after a change. The caller commits."""
    session.flush()
    revision = Revision(
        testimony_id=testimony.id, author=author, summary=summary, snapshot=snapshot(testimony)
    )
    session.add(revision)
    revision.created_at = utcnow()
    if author != IMPORT_AUTHOR:  # an import is not a correction
        testimony.corrected_at = revision.created_at
    return revision


def keep_first_state(session: Session, testimony: Testimony) -> None:
    """Give a testimony stored before revisions were kept its state as first stored, as a
    revision by the import, so that the first change to it can be compared with it."""
    if testimony.id is None or session.scalar(
        select(Revision.id).where(Revision.testimony_id == testimony.id).limit(1)
    ):
        return
    source = f"imported from {testimony.source_file}" if testimony.source_file else "stored"
    first = record(session, testimony, IMPORT_AUTHOR, f"As first {source}")
    first.created_at = testimony.created_at


# What an import does not replace: links follow their passages, a withdrawal stays.
_KEPT_BY_IMPORT = ("links", "withdrawn", "withdrawn_reason")


def _replaced_by_import(state: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in state.items() if key not in _KEPT_BY_IMPORT}


def changed_since_import(session: Session, testimony: Testimony) -> Revision | None:
    """The latest revision in which someone other than the import changed what importing a
    file would replace, since the testimony was last imported; None when there is none."""
    kept = history(session, testimony.id)
    imports = [r for r in kept if r.author == IMPORT_AUTHOR]
    since = imports[-1].id if imports else 0
    others = [r for r in kept if r.author != IMPORT_AUTHOR and r.id > since]
    if not others:
        return None
    if imports and _replaced_by_import(imports[-1].snapshot) == _replaced_by_import(
        snapshot(testimony)
    ):
        return None  # changed and changed back, or links and withdrawal only
    return others[-1]


def history(session: Session, testimony_id: int) -> list[Revision]:
    """The testimony's revisions, oldest first."""
    return list(
        session.scalars(
            select(Revision).where(Revision.testimony_id == testimony_id).order_by(Revision.id)
        )
    )


def _lines(state: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in state.items():
        if key == "passages":
            for passage in value:
                lines.append(f"{passage['anchor']}: {passage['text']}")
                if passage.get("editor_note"):
                    lines.append(f"{passage['anchor']} editor's note: {passage['editor_note']}")
        elif key == "links":
            for link in value:
                lines.append(
                    f"{link['anchor']} link to {link['kind']} {link['target']}: "
                    f"{link['status']} ({link['origin']})"
                )
        else:
            lines.append(f"{key}: {value}")
    return lines


def difference(older: dict[str, Any], newer: dict[str, Any]) -> list[str]:
    """A unified diff, line by field and by passage, between two snapshots."""
    return list(
        difflib.unified_diff(_lines(older), _lines(newer), "before", "after", lineterm="", n=0)
    )
