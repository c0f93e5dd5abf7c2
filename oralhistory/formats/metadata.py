"""What the pages say of themselves to machines: Dublin Core `<meta>` elements and
schema.org JSON-LD (CreativeWork, Person, Event), and the public pages a sitemap lists.

The functions take the dicts the reading services give the pages (`records.py`), whose links
are `refs.Ref` values, and the `refs.Addresses` the web layer hands them to make those full
addresses; they build no URLs of their own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..record import refs
from ..record.access import ANONYMOUS, visible
from ..record.models import Event, Place, Testimony
from ..record.refs import Addresses
from .recording_exports import is_video, iso_duration

SCHEMA = "https://schema.org"
DCTERMS_EXTENT = "http://purl.org/dc/terms/extent"


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _person(name: str, url: str | None = None, role: str | None = None) -> dict[str, Any]:
    return _clean({"@type": "Person", "name": name, "url": url, "roleName": role})


def testimony_metadata(testimony: dict[str, Any], addresses: Addresses) -> dict[str, Any]:
    """Dublin Core pairs and JSON-LD for a testimony's page."""
    citation = testimony.get("citation") or {}
    url = addresses.of(testimony["url"])
    narrator = testimony["narrator"]
    recording = testimony.get("recording")
    dublin_core = [
        ("DC.title", testimony["title"]),
        ("DC.creator", narrator["name"]),
        *(("DC.contributor", name) for name in testimony.get("interviewers") or []),
        ("DC.publisher", citation.get("publisher")),
        ("DC.date", citation.get("date") or testimony.get("interview_date")),
        ("DC.type", "Text"),
        ("DC.format", "text/html"),
        *_recording_dc(recording),
        *(("DC.language", code) for code in _language_codes(testimony)),
        ("DC.identifier", url),
        ("DC.source", citation.get("url") or citation.get("title") or testimony["title"]),
        ("DC.rights", testimony.get("rights")),
        *(("DC.subject", event["title"]) for event in testimony.get("events") or []),
    ]
    linked = _clean(
        {
            "@context": SCHEMA,
            "@type": "CreativeWork",
            "@id": url,
            "url": url,
            "name": testimony["title"],
            "genre": "oral history interview",
            **_languages_ld(testimony, url),
            "author": _person(narrator["name"], addresses.of(narrator["url"])),
            "contributor": [
                _person(name, role="interviewer") for name in testimony.get("interviewers") or []
            ],
            "publisher": _clean({"@type": "Organization", "name": citation.get("publisher")})
            if citation.get("publisher")
            else None,
            "datePublished": citation.get("date"),
            "dateCreated": testimony.get("interview_date"),
            "dateModified": testimony.get("corrected_at"),
            "isBasedOn": _clean(
                {
                    "@type": "CreativeWork",
                    # "Published as", or when left empty the title as it is now
                    "name": citation.get("title") or testimony["title"],
                    "url": citation.get("url"),
                }
            ),
            "copyrightNotice": testimony.get("rights"),
            "about": [_event_ref(event, addresses) for event in testimony.get("events") or []],
            "associatedMedia": _media_object(recording, addresses) if recording else None,
        }
    )
    return {"dublin_core": [(k, v) for k, v in dublin_core if v], "linked_data": linked}


def _language_codes(testimony: dict[str, Any]) -> list[str]:
    held = testimony.get("languages") or [{"code": testimony.get("language")}]
    return [entry["code"] for entry in held if entry.get("code")]


def _languages_ld(testimony: dict[str, Any], url: str) -> dict[str, Any]:
    """schema.org's words for the languages the text is held in: `inLanguage` (each), the
    original the main text translates (`translationOfWork`) and the translations held
    beside it (`workTranslation`), each at the address that shows it (`?text=`)."""
    held = testimony.get("languages") or []
    codes = _language_codes(testimony)
    found: dict[str, Any] = {"inLanguage": codes[0] if len(codes) == 1 else codes or None}
    if not held:
        return found

    def work(entry: dict[str, Any]) -> dict[str, Any]:
        translator = _person(entry["translator"]) if entry.get("translator") else None
        address = f"{url}?text={entry['code']}"
        return _clean(
            {
                "@type": "CreativeWork",
                "inLanguage": entry["code"],
                "url": address,
                "translator": translator,
            }
        )

    main, others = held[0], held[1:]
    original = next((entry for entry in others if entry["kind"] == "original"), None)
    if main["kind"] == "translation" and original is not None:
        found["translationOfWork"] = work(original)
    translations = [work(entry) for entry in others if entry["kind"] == "translation"]
    if translations:
        found["workTranslation"] = translations
    return found


def _recording_dc(recording: dict[str, Any] | None) -> list[tuple[str, str]]:
    # the recording's DCMI type, media type and length (ISO 8601), as OAI-PMH gives them
    if recording is None:
        return []
    video = is_video(recording["media_type"])
    pairs = [
        ("DC.type", "MovingImage" if video else "Sound"),
        ("DC.format", recording["media_type"]),
    ]
    if recording.get("duration"):
        pairs.append(("DC.format", iso_duration(recording["duration"])))
    return pairs


def _media_object(recording: dict[str, Any], addresses: Addresses) -> dict[str, Any]:
    # schema.org's AudioObject or VideoObject; its duration is the Dublin Core extent
    duration = iso_duration(recording["duration"]) if recording.get("duration") else None
    return _clean(
        {
            "@type": "VideoObject" if is_video(recording["media_type"]) else "AudioObject",
            "contentUrl": addresses.of(recording["url"]),
            "encodingFormat": recording["media_type"],
            "duration": duration,
            DCTERMS_EXTENT: duration,
        }
    )


def _event_ref(event: dict[str, Any], addresses: Addresses) -> dict[str, Any]:
    return _clean(
        {
            "@type": "Event",
            "name": event["title"],
            "startDate": event.get("date"),
            "endDate": event.get("end_date"),
            "url": addresses.of(event["url"]),
        }
    )


def _work_ref(testimony: dict[str, Any], addresses: Addresses) -> dict[str, Any]:
    return {
        "@type": "CreativeWork",
        "name": testimony["title"],
        "url": addresses.of(testimony["url"]),
    }


def narrator_metadata(narrator: dict[str, Any], addresses: Addresses) -> dict[str, Any]:
    """Dublin Core pairs and JSON-LD for a narrator's page."""
    url = addresses.of(narrator["url"])
    names = [*(narrator.get("spellings") or []), narrator.get("name_arabic")]
    dublin_core = [
        ("DC.title", narrator["name"]),
        ("DC.description", narrator.get("biography")),
        ("DC.type", "Text"),
        ("DC.identifier", url),
        *(("DC.relation", addresses.of(t["url"])) for t in narrator.get("testimonies") or []),
    ]
    linked = _clean(
        {
            "@context": SCHEMA,
            "@type": "Person",
            "@id": url,
            "url": url,
            "name": narrator["name"],
            "alternateName": [name for name in names if name],
            "description": narrator.get("biography"),
            "subjectOf": [_work_ref(t, addresses) for t in narrator.get("testimonies") or []],
        }
    )
    return {"dublin_core": [(k, v) for k, v in dublin_core if v], "linked_data": linked}


def event_metadata(event: dict[str, Any], addresses: Addresses) -> dict[str, Any]:
    """Dublin Core pairs and JSON-LD for an event's page."""
    url = addresses.of(event["url"])
    date = event["date"] + (f"/{event['end_date']}" if event.get("end_date") else "")
    places = event.get("places") or []
    dublin_core = [
        ("DC.title", event["title"]),
        ("DC.date", date),
        ("DC.description", event.get("summary")),
        ("DC.type", "Event"),
        ("DC.identifier", url),
        *(("DC.coverage", place["name"]) for place in places),
        *(("DC.source", source["title"]) for source in event.get("sources") or []),
    ]
    linked = _clean(
        {
            **_event_ref(event, addresses),
            "@context": SCHEMA,
            "@id": url,
            "description": event.get("summary"),
            "location": [
                {"@type": "Place", "name": place["name"], "url": addresses.of(place["url"])}
                for place in places
            ],
            "subjectOf": [_work_ref(t, addresses) for t in event.get("testimonies") or []],
        }
    )
    return {"dublin_core": [(k, v) for k, v in dublin_core if v], "linked_data": linked}


def sitemap_pages(session: Session) -> list[dict[str, Any]]:
    """The records' pages an anonymous reader may see, each as its `refs.Ref` ("page") and
    last change ("lastmod"): testimonies, narrators, events, places (the sitemap lists the
    archive's own pages before them). Restricted and withdrawn testimony, and narrators
    known only from it, are left out."""
    testimonies = session.scalars(
        select(Testimony)
        .where(visible(ANONYMOUS))
        .options(selectinload(Testimony.narrator))
        .order_by(Testimony.id)
    ).all()
    pages: list[dict[str, Any]] = []
    narrators: dict[str, Any] = {}
    for testimony in testimonies:
        changed = testimony.corrected_at or testimony.created_at
        pages.append(
            {
                "page": refs.testimony(testimony.id),
                "lastmod": changed.date().isoformat() if changed else None,
            }
        )
        narrators.setdefault(testimony.narrator.slug, None)
    pages += [{"page": refs.narrator(slug), "lastmod": None} for slug in sorted(narrators)]
    pages += [
        {"page": refs.event(slug), "lastmod": None}
        for slug in session.scalars(select(Event.slug).order_by(Event.date, Event.id))
    ]
    pages += [
        {"page": refs.place(slug), "lastmod": None}
        for slug in session.scalars(select(Place.slug).order_by(Place.slug))
    ]
    return pages
