"""The timeline file (`timeline.yaml`): its sources, places, events and figures, validated
with the line of every problem and stored by slug."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidFile
from ..record.models import Event, Figure, Place, Source
from . import validation as valid
from .field_rules import TIMELINE_FIELDS, _check, _check_unique
from .file_yaml import parse_yaml, read_text, yaml_error
from .passage_replacement import apply_values as _apply


def parse_timeline(text: str, name: str, names_in: Callable[[str, str], bool]) -> dict[str, Any]:
    """Validate the timeline file; raise `InvalidFile` naming every problem and line. An
    event's organisation must be named in its title or summary, as `names_in(text, name)`
    reads it (`gazetteer.names_in`, given by `collection_import`)."""
    try:
        doc = parse_yaml(text, max_bytes=valid.TIMELINE_BYTES)
    except yaml.YAMLError as error:
        raise yaml_error(name, error, 1) from None
    _check(doc, doc.data, TIMELINE_FIELDS, ())
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    data = doc.data
    sources = _check_unique(doc, data["sources"], "sources")
    places = _check_unique(doc, data["places"], "places")
    events = _check_unique(doc, data["events"], "events")
    _check_unique(doc, data.get("figures") or [], "figures")
    listed: set[str] = set()
    for index, place in enumerate(data["places"]):
        if place.get("parent") and place["parent"] not in listed:
            doc.problem(
                ("places", index, "parent"),
                f"parent place '{place['parent']}' must be listed before '{place['slug']}'",
            )
        listed.add(place["slug"])
    for index, event in enumerate(data["events"]):
        for p_index, slug in enumerate(event.get("places") or []):
            if slug not in places:
                doc.problem(("events", index, "places", p_index), f"unknown place '{slug}'")
        for s_index, cited in enumerate(event["sources"]):
            if cited["source"] not in sources:
                where = ("events", index, "sources", s_index, "source")
                doc.problem(where, f"unknown source '{cited['source']}'")
        if event.get("end_date") and event["end_date"] < event["date"]:
            doc.problem(("events", index, "end_date"), "'end_date' is before 'date'")
        told = f"{event['title']} {event['summary']}"
        for o_index, organisation in enumerate(event.get("organisations") or []):
            if not names_in(told, organisation):
                doc.problem(
                    ("events", index, "organisations", o_index),
                    f"the organisation '{organisation}' is not named in the event's summary",
                )
    for index, figure in enumerate(data.get("figures") or []):
        if figure.get("event") and figure["event"] not in events:
            doc.problem(("figures", index, "event"), f"unknown event '{figure['event']}'")
        for v_index, value in enumerate(figure["values"]):
            if value["source"] not in sources:
                where = ("figures", index, "values", v_index, "source")
                doc.problem(where, f"unknown source '{value['source']}'")
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    return data


def _upsert(session: Session, model: type, slug: str) -> Any:
    obj = session.scalar(select(model).where(model.slug == slug))
    if obj is None:
        obj = model(slug=slug)
        session.add(obj)
    return obj


def store_timeline(session: Session, data: dict[str, Any]) -> None:
    """Create or update sources, places, events and figures by slug. The caller commits."""
    with session.no_autoflush:
        _store_timeline(session, data)


def _store_timeline(session: Session, data: dict[str, Any]) -> None:
    for item in data["sources"]:
        _apply(
            _upsert(session, Source, item["slug"]),
            {key: item.get(key) for key in ("title", "publisher", "date", "url", "note")},
        )
    places: dict[str, Place] = {}
    for item in data["places"]:  # a parent is always listed before its parts
        place = places[item["slug"]] = _upsert(session, Place, item["slug"])
        parent = places[item["parent"]] if item.get("parent") else None
        _apply(
            place,
            {
                "name": item["name"],
                "name_arabic": item.get("name_arabic"),
                "variants": list(item.get("variants") or []),
                "kind": item.get("kind"),
                "parent": parent,
            },
        )
    for item in data["events"]:
        _apply(
            _upsert(session, Event, item["slug"]),
            {
                "date": dt.date.fromisoformat(item["date"]),
                "end_date": dt.date.fromisoformat(item["end_date"])
                if item.get("end_date")
                else None,
                "date_precision": item.get("date_precision") or "day",
                "title": item["title"],
                "summary": item["summary"].strip(),
                "place_slugs": list(item.get("places") or []),
                "sources": [dict(cited) for cited in item["sources"]],
                "cues": list(item.get("cues") or []),
                "organisations": list(item.get("organisations") or []),
            },
        )
    for item in data.get("figures") or []:
        _apply(
            _upsert(session, Figure, item["slug"]),
            {
                "title": item["title"],
                "event_slug": item.get("event"),
                "values": [dict(value) for value in item["values"]],
            },
        )


def read_timeline_file(path: Path, names_in: Callable[[str, str], bool]) -> dict[str, Any]:
    """Read and validate the timeline file from disk (see `parse_timeline`)."""
    return parse_timeline(read_text(path), str(path), names_in)
