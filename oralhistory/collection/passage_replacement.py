"""A testimony's passages replaced by new text, each keeping its anchor (`anchors`) and its
times where its words are found again."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session

from ..record.anchors import match_passages
from ..record.models import Passage, RemovedPassage, Testimony
from .testimony_file import PassageText


def apply_values(obj: Any, values: dict[str, Any]) -> None:
    """Set `obj`'s attributes to `values`, leaving alone those that have the value already
    (so that an unchanged row stays unchanged on flush)."""
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def replace_passages(testimony: Testimony, passages: list[PassageText]) -> bool:
    """Make the testimony's passages read as `passages`; return whether anything changed.

    Passages keep their anchors through the change (`anchors.match_passages`), and their
    times in the recording; a timed passage whose words changed is marked `timing_stale`. A
    new one gets the next number never given, and a removed one's number is kept as removed.
    """
    current = list(testimony.passages)
    if [(p.text, p.editor_note) for p in current] == [(p.text, p.editor_note) for p in passages]:
        return False
    matches = match_passages([p.text for p in current], [p.text for p in passages])
    kept = {index for index in matches if index is not None}
    last = max([testimony.last_passage_number or 0, *(p.number for p in current)])
    for index, passage in enumerate(current):
        if index not in kept:
            testimony.removed_passages.append(RemovedPassage(number=passage.number))
    # Out of the way first, so that no two rows hold one position while they move.
    testimony.passages = [current[index] for index in sorted(kept)]
    for passage in testimony.passages:
        passage.position = -passage.position
    session = object_session(testimony)
    if session is not None and current:
        session.flush()
    ordered = []
    for position, (new, index) in enumerate(zip(passages, matches), start=1):
        if index is None:
            last += 1
            passage = Passage(number=last)
        else:
            passage = current[index]
            if passage.timing and passage.text != new.text:
                passage.timing_stale = True  # its times stay, to be checked against its words
        passage.position = position
        apply_values(passage, {"text": new.text, "editor_note": new.editor_note})
        ordered.append(passage)
    testimony.passages = ordered
    testimony.last_passage_number = last
    return True
