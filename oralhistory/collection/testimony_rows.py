"""Storing a validated testimony file as rows: its narrator, the testimony, its passages
(`passage_replacement`) and its event links, created or updated by slug."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidFile
from ..record.models import Event, Narrator, Testimony, TestimonyEvent
from .passage_replacement import apply_values as _apply
from .passage_replacement import replace_passages
from .testimony_file import TestimonyFile


def upsert_narrator(session: Session, meta: dict[str, Any]) -> Narrator:
    """Find the narrator by slug, creating it, and bring its fields up to `meta`."""
    narrator = session.scalar(select(Narrator).where(Narrator.slug == meta["slug"]))
    if narrator is None:
        narrator = Narrator(slug=meta["slug"])
        session.add(narrator)
    fill_narrator(narrator, meta)
    return narrator


def fill_narrator(narrator: Narrator, meta: dict[str, Any]) -> None:
    """Bring the narrator's fields up to `meta` (a testimony's `narrator` front matter)."""
    _apply(
        narrator,
        {
            "name": meta["name"],
            "name_arabic": meta.get("name_arabic"),
            "name_arabic_note": meta.get("name_arabic_note"),
            "spellings": list(meta.get("spellings") or []),
            "age_at_interview": meta.get("age_at_interview"),
            "origin": meta.get("origin"),
            "residence": meta.get("residence"),
            "roles": list(meta.get("roles") or []),
            "biography": (meta.get("biography") or "").strip() or None,
        },
    )


def store_testimony(session: Session, parsed: TestimonyFile) -> Testimony:
    """Store a validated testimony file (creating or replacing by slug) in `session`.

    The caller's unit of work commits; on any error nothing of the file is kept. The links
    the rules propose are not made here: the caller asks for them (`linking.link_testimony`).
    """
    meta = parsed.meta
    events = []
    for index, slug in enumerate(meta.get("events") or []):
        event = session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise InvalidFile(
                parsed.name, [(None, f"'events.{index}' names an unknown event '{slug}'")]
            )
        events.append(event)
    narrator = upsert_narrator(session, meta["narrator"])
    testimony = session.scalar(select(Testimony).where(Testimony.slug == meta["slug"]))
    if testimony is None:
        testimony = Testimony(slug=meta["slug"])
        session.add(testimony)
    fill_testimony(session, testimony, parsed, narrator, events)
    return testimony


def fill_testimony(
    session: Session,
    testimony: Testimony,
    parsed: TestimonyFile,
    narrator: Narrator,
    events: list[Event],
) -> None:
    """Make `testimony` hold what `parsed` says, told by `narrator` of `events` (the events
    its front matter names): its fields, its passages and its event links. Nothing is looked
    up: this is `store_testimony` once the narrator, the testimony and the events are found.
    The context links the rules propose are the writer's to ask for (`linking.link_testimony`).
    """
    meta = parsed.meta
    citation = {key: value for key, value in meta["citation"].items() if value}
    _apply(
        testimony,
        {
            "narrator": narrator,
            "title": meta["title"],
            "interview_date": dt.date.fromisoformat(meta["interview_date"]),
            "interview_date_precision": meta.get("interview_date_precision") or "day",
            "interview_date_note": meta.get("interview_date_note"),
            "language": meta.get("language") or "en",
            "original_language": meta.get("original_language"),
            "interviewers": list(meta["interviewers"]),
            "citation": citation,
            "rights": meta["rights"],
            "access": meta["access"],
            "source_file": Path(parsed.name).name if parsed.from_file else testimony.source_file,
        },
    )
    replace_passages(testimony, parsed.passages)
    wanted = {event.id for event in events}
    testimony.event_links = [link for link in testimony.event_links if link.event_id in wanted]
    have = {link.event_id for link in testimony.event_links}
    testimony.event_links += [TestimonyEvent(event=e) for e in events if e.id not in have]
