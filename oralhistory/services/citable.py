"""The archive's permanent addresses: a passage by its anchor, whether it still stands or
was removed, and a testimony as it stood at any revision.

Revisions are numbered 1, 2, ... per testimony, in the order they were made (an import
records one too). A testimony stored before revisions were kept counts as having one, its
state as stored: its first change records that state as revision 1
(`revisions.keep_first_state`), so a citation of revision 1 made before then still names the
same words.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from ..messages import _
from ..record import languages, revisions
from ..record.access import Viewer
from ..record.citing import revision_count
from ..record.models import Passage, Revision, Testimony
from .records import NotFound, passage_address, passage_segments, readable

ANCHOR = re.compile(r"p-([1-9][0-9]{0,8})")


def visible_testimony(session: Session, testimony_id: int, viewer: Viewer) -> Testimony:
    """The testimony, if `viewer` may read it (the rules of its page)."""
    return readable(viewer, session.get(Testimony, testimony_id), testimony_id)


def _states(session: Session, testimony: Testimony) -> list[tuple[Revision | None, dict]]:
    """Every revision's (row, snapshot), oldest first; one without a row when none is kept."""
    kept = revisions.history(session, testimony.id)
    if not kept:
        return [(None, revisions.snapshot(testimony))]
    return [(revision, revision.snapshot) for revision in kept]


def current_revision(session: Session, testimony: Testimony) -> int:
    """The number of the revision a reader sees now, which a citation names."""
    return revision_count(session, testimony.id)


def _readable(viewer: Viewer, snapshot: dict[str, Any]) -> bool:
    # Readers see only what was public then: a revision from a time the testimony was
    # restricted or withdrawn stays with the archivists.
    if viewer.is_archivist:
        return True
    return snapshot.get("access") == "public" and not snapshot.get("withdrawn")


def _passage_dict(passage: dict[str, Any] | Passage) -> dict[str, Any]:
    get = passage.get if isinstance(passage, dict) else lambda key: getattr(passage, key)
    return {
        "anchor": get("anchor"),
        "text": get("text"),
        "segments": passage_segments(get("text")),
        "editor_note": get("editor_note"),
    }


def get_revision(
    session: Session, testimony_id: int, number: int, viewer: Viewer
) -> dict[str, Any]:
    """The testimony as it stood at revision `number`: its metadata and passages."""
    testimony = visible_testimony(session, testimony_id, viewer)
    states = _states(session, testimony)
    if not 1 <= number <= len(states) or not _readable(viewer, states[number - 1][1]):
        raise NotFound(
            _(
                "testimony %(testimony)s has no revision %(number)s you may read",
                testimony=testimony_id,
                number=number,
            )
        )
    revision, snapshot = states[number - 1]
    other = languages.revision_texts(snapshot)
    readable = [n for n, (_r, s) in enumerate(states, start=1) if _readable(viewer, s)]
    created = revision.created_at if revision else testimony.created_at
    return {
        "testimony_id": testimony.id,
        "number": number,
        "current": len(states),
        "is_current": number == len(states),
        "revisions": readable,
        "created_at": created.isoformat(timespec="minutes") if created else None,
        "summary": (revision.summary if revision else _("As first stored"))
        if viewer.is_archivist
        else None,
        "narrator": {
            "slug": testimony.narrator.slug,
            "name": testimony.narrator.name,
            "name_arabic": testimony.narrator.name_arabic,
        },
        "language": testimony.language,
        "title": snapshot.get("title"),
        "interview_date": snapshot.get("interview_date"),
        # revisions do not record it: a correction keeps the date's precision
        "interview_date_precision": testimony.interview_date_precision,
        "interviewers": snapshot.get("interviewers") or [],
        "citation": snapshot.get("citation") or {},
        "rights": snapshot.get("rights"),
        "access": snapshot.get("access"),
        "withdrawn": bool(snapshot.get("withdrawn")),
        "passages": [
            _passage_dict(p)
            | {"texts": {testimony.language: p["text"]} | other.get(p["anchor"], {})}
            for p in snapshot.get("passages", [])
        ],
        "languages": languages.revision_languages(testimony, snapshot),
    }


def find_passage(testimony: Testimony, anchor: str) -> Passage | None:
    """The testimony's passage with this anchor now, or None."""
    return next((p for p in testimony.passages if p.anchor == anchor), None)


def _number(anchor: str) -> int:
    match = ANCHOR.fullmatch(anchor)
    if match is None:
        raise NotFound(
            _("‘%(anchor)s’ is not a passage anchor (they read p-1, p-2, …)", anchor=anchor[:20])
        )
    return int(match.group(1))


def get_passage(session: Session, testimony_id: int, anchor: str, viewer: Viewer) -> dict:
    """A passage by its permanent anchor: its words now, or, for a passage a correction
    removed, the revision that removed it and the last revision that holds its words."""
    testimony = visible_testimony(session, testimony_id, viewer)
    number = _number(anchor)
    states = _states(session, testimony)
    found: dict[str, Any] = {
        "testimony_id": testimony.id,
        "title": testimony.title,
        "narrator": {
            "slug": testimony.narrator.slug,
            "name": testimony.narrator.name,
            "name_arabic": testimony.narrator.name_arabic,
        },
        "language": testimony.language,
        "anchor": anchor,
        "number": number,
        "revision": len(states),
        "languages": languages.languages(testimony),
    }
    passage = find_passage(testimony, anchor)
    if passage is not None:
        # in the testimony, on the page that shows it
        address = passage_address(testimony.id, passage.anchor, passage.position)
        held = {
            "texts": languages.texts(passage, testimony.language),
            "editor_notes": languages.editor_notes(passage, testimony.language),
        }
        return {
            **found,
            "status": "current",
            "passage": _passage_dict(passage) | held,
            "url": address,
        }
    removed = next((r for r in testimony.removed_passages if r.number == number), None)
    if removed is None:
        raise NotFound(
            _("testimony %(number)s has no passage %(anchor)s", number=testimony_id, anchor=anchor)
        )
    holding = [
        n
        for n, (_r, snapshot) in enumerate(states, start=1)
        if any(p["anchor"] == anchor for p in snapshot.get("passages", []))
    ]
    last_held = holding[-1] if holding else None
    removed_in = last_held + 1 if last_held and last_held < len(states) else None
    readable = {n for n, (_r, s) in enumerate(states, start=1) if _readable(viewer, s)}
    return {
        **found,
        "status": "removed",
        "removed_at": removed.removed_at.date().isoformat(),
        "removed_in": removed_in,
        "removed_in_readable": removed_in in readable,
        "last_held": last_held,
        "last_held_readable": last_held in readable,
        "passage": None,
    }
