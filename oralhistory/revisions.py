"""The history of a testimony: every change kept as a revision (who, when, what changed)."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Revision, Testimony, utcnow


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
    testimony.corrected_at = revision.created_at = utcnow()
    return revision


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
