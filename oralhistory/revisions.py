"""The history of a testimony: every change kept as a revision (who, when, what changed)."""

from __future__ import annotations

import difflib
import re
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


# Words, runs of white space and single marks: a diff over these marks the words that changed.
_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


def _word_segments(before: str, after: str) -> tuple[list[dict], list[dict]]:
    """Each line as segments `{"text", "changed"}`: the words the other line does not have."""
    old, new = _TOKEN_RE.findall(before), _TOKEN_RE.findall(after)
    old_segments: list[dict] = []
    new_segments: list[dict] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_segments.append({"text": "".join(old[i1:i2]), "changed": op != "equal"})
        if j2 > j1:
            new_segments.append({"text": "".join(new[j1:j2]), "changed": op != "equal"})
    return old_segments, new_segments


def word_difference(older: dict[str, Any], newer: dict[str, Any]) -> list[dict[str, Any]]:
    """The changed lines between two snapshots, word by word: each `{"before", "after"}` holds
    a line's segments (`None` for a line that came or went), the words that changed marked."""
    before, after = _lines(older), _lines(newer)
    changes: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        gone, came = before[i1:i2], after[j1:j2]
        for k in range(max(len(gone), len(came))):
            if k < len(gone) and k < len(came):
                old_segments, new_segments = _word_segments(gone[k], came[k])
                changes.append({"before": old_segments, "after": new_segments})
            elif k < len(gone):
                changes.append({"before": [{"text": gone[k], "changed": True}], "after": None})
            else:
                changes.append({"before": None, "after": [{"text": came[k], "changed": True}]})
    return changes
