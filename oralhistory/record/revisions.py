"""The history of a testimony: every change kept as a revision (who, when, what changed)."""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import languages
from .models import Recording, Revision, Testimony, utcnow

IMPORT_AUTHOR = "(import)"  # parentheses never occur in an archivist's username


def snapshot(testimony: Testimony) -> dict[str, Any]:
    """The testimony as it stands: metadata, passages, context links and (when it has one)
    its recording, as plain data."""
    state = {
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
    # only when there is one: revisions from before recordings compare equal without it
    if testimony.recording is not None:
        state["recording"] = recording_state(testimony.recording)
    times = [
        {"anchor": p.anchor, "start": p.start, "end": p.end, "timing": p.timing}
        | ({"stale": True} if p.timing_stale else {})
        for p in testimony.passages
        if p.timing
    ]
    if times:  # likewise: revisions from before passage times compare equal without them
        state["times"] = times
    state.update(languages.snapshot(testimony))  # the texts in its other languages, if any
    return state


def recording_state(recording: Recording) -> dict[str, Any]:
    """What a revision keeps of a recording: enough to know the very file again."""
    return {
        "sha256": recording.sha256,
        "size": recording.size,
        "media_type": recording.media_type,
        "duration": recording.duration,
        "original_filename": recording.original_filename,
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


# What an import does not replace: links follow their passages, a withdrawal and a
# recording stay, and so do the passages' times (an import keeps them with the anchors).
_KEPT_BY_IMPORT = ("links", "withdrawn", "withdrawn_reason", "recording", "times")


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
        elif key == "texts":
            lines += languages.snapshot_lines(value)
        elif key == "times":
            for time in value:
                stale = ", words changed since" if time.get("stale") else ""
                lines.append(
                    f"{time['anchor']} heard at {time['start']}–{time['end']} s "
                    f"({time['timing']}{stale})"
                )
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


def word_differences_by_language(
    older: dict[str, Any], newer: dict[str, Any], main_language: str
) -> list[dict[str, Any]]:
    """`word_difference` told apart by language: first the record and its main text (in
    `main_language`), then the text in each other language, each `{"language", "main",
    "changes"}`;
    only the parts that changed."""

    def main(state: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in state.items() if key != "texts"}

    def held(state: dict[str, Any], code: str) -> dict[str, Any]:
        return {"texts": [text for text in state.get("texts") or [] if text["language"] == code]}

    codes = list(
        dict.fromkeys(
            text["language"] for state in (older, newer) for text in state.get("texts") or []
        )
    )
    parts = [
        {
            "language": main_language,
            "main": True,
            "changes": word_difference(main(older), main(newer)),
        }
    ]
    parts += [
        {
            "language": code,
            "main": False,
            "changes": word_difference(held(older, code), held(newer, code)),
        }
        for code in codes
    ]
    return [part for part in parts if part["changes"]]
