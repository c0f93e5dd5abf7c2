"""The recording with its timed passages, for other archives' players and tools: a IIIF
Presentation 3 Manifest (`iiif-prezi3`) and an OHMS XML record (the Nunn Center's
synchroniser), and the words Dublin Core uses for a recording (type, extent).

The functions take plain values (the timed passages of `timed_passages`, and the addresses
in `RecordingUrls`, made absolute by the web layer); they build no URLs of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import iiif_prezi3
from lxml import etree as ElementTree  # namespaces per document, not per process
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..record.kinds import LinkStatus
from ..record.models import ContextLink, Event, Passage, Place, Recording, Testimony

OHMS_NAMESPACE = "https://www.weareavp.com/nunncenter/ohms"
OHMS_SCHEMA = "https://www.weareavp.com/nunncenter/ohms/ohms.xsd"
OHMS_VERSION = "5.4"
# How many words of a passage an OHMS index point quotes as its partial transcript.
PARTIAL_WORDS = 12


@dataclass(frozen=True)
class RecordingUrls:
    """The full addresses a manifest or an OHMS record names."""

    page: str  # the testimony's page
    recording: str  # the recording's bytes
    captions: str  # transcript.vtt
    manifest: str  # manifest.json
    passage: Callable[[str], str]  # a passage's permanent address, from its anchor


def is_video(media_type: str) -> bool:
    """Whether a recording of this media type has pictures (else it is sound only)."""
    return media_type.startswith("video/")


def dc_type(recording: Recording) -> str:
    """The DCMI Type of a recording: "MovingImage" for video, "Sound" for audio."""
    return "MovingImage" if is_video(recording.media_type) else "Sound"


def recording_dc(recording: Recording | None) -> dict[str, list[str]]:
    """The Dublin Core `type` (DCMI Type) and `format` values (media type, then length as
    an ISO 8601 duration) a recording adds to its testimony's record; none without one."""
    if recording is None:
        return {"type": [], "format": []}
    formats = [recording.media_type]
    if recording.duration:
        formats.append(iso_duration(recording.duration))
    return {"type": [dc_type(recording)], "format": formats}


def iso_duration(seconds: float) -> str:
    """`seconds` as an ISO 8601 duration, to the whole second: 3723.4 gives "PT1H2M3S"."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "PT" + (text or "0S")


def timed_passages(session: Session, testimony: Testimony) -> list[dict[str, Any]]:
    """The testimony's passages that have a start, in reading order: number, anchor, start,
    end, text, and the titles of the events (`events`: [(slug, title)]) and the names of the
    places (`places`) they are linked to (rejected links left out)."""
    passages = session.scalars(
        select(Passage)
        .where(Passage.testimony_id == testimony.id, Passage.start.is_not(None))
        .order_by(Passage.position)
    ).all()
    links = session.scalars(
        select(ContextLink)
        .where(ContextLink.testimony_id == testimony.id, ContextLink.status != LinkStatus.REJECTED)
        .order_by(ContextLink.kind, ContextLink.target)
    ).all()
    slugs = {link.target for link in links}
    events = {e.slug: e for e in session.scalars(select(Event).where(Event.slug.in_(slugs)))}
    places = {p.slug: p for p in session.scalars(select(Place).where(Place.slug.in_(slugs)))}
    by_number: dict[int, list[ContextLink]] = {}
    for link in links:
        by_number.setdefault(link.position, []).append(link)
    timed = []
    for passage in passages:
        linked = by_number.get(passage.number, [])
        timed.append(
            {
                "number": passage.number,
                "anchor": f"p-{passage.number}",
                "start": passage.start,
                "end": passage.end,
                "text": passage.text,
                # its words in the testimony's other languages
                "texts": {held.language: held.text for held in passage.texts},
                "events": [
                    (link.target, events[link.target].title)
                    for link in linked
                    if link.kind == "event" and link.target in events
                ],
                "places": [
                    places[link.target].name
                    for link in linked
                    if link.kind == "place" and link.target in places
                ],
            }
        )
    return timed


def _fragment(passage: dict[str, Any], duration: float | None) -> str:
    end = passage["end"]
    if end is None:
        end = duration
    start = f"{passage['start']:g}"
    return f"#t={start},{end:g}" if end is not None and end > passage["start"] else f"#t={start}"


def manifest(
    testimony: Testimony, passages: list[dict[str, Any]], urls: RecordingUrls
) -> dict[str, Any]:
    """The IIIF Presentation 3 Manifest of a testimony's recording: one Canvas as long as the
    recording with the recording painted on it, a supplementing annotation of each timed
    passage's words on its stretch of time, the captions (WebVTT) as one more annotation,
    and a Range for each event the timed passages speak of."""
    recording = testimony.recording
    assert recording is not None, "the caller checks that there is a recording"
    language = testimony.language or "none"
    base = urls.manifest.removesuffix(".json")
    canvas_id = f"{base}/canvas/1"
    duration = recording.duration if recording.duration and recording.duration > 0 else None
    body = iiif_prezi3.AnnotationBody(
        id=urls.recording,
        type="Video" if is_video(recording.media_type) else "Sound",
        format=recording.media_type,
        duration=duration,
    )
    painting = iiif_prezi3.AnnotationPage(id=f"{canvas_id}/page/1")
    painting.add_item(
        iiif_prezi3.Annotation(
            id=f"{canvas_id}/page/1/recording",
            motivation="painting",
            body=body,
            target=canvas_id,
        )
    )
    words = iiif_prezi3.AnnotationPage(id=f"{canvas_id}/passages")
    for passage in passages:
        # the words in each language the testimony is held in: a choice of one body each
        bodies = [
            iiif_prezi3.TextualBody(value=text, format="text/plain", language=code)
            for code, text in [(language, passage["text"]), *passage.get("texts", {}).items()]
        ]
        words.add_item(
            iiif_prezi3.Annotation(
                id=urls.passage(passage["anchor"]),
                motivation="supplementing",
                body=bodies[0] if len(bodies) == 1 else iiif_prezi3.Choice(items=bodies),
                target=canvas_id + _fragment(passage, duration),
            )
        )
    captions = iiif_prezi3.AnnotationPage(id=f"{canvas_id}/captions")
    captions.add_item(
        iiif_prezi3.Annotation(
            id=f"{canvas_id}/captions/1",
            motivation="supplementing",
            body=iiif_prezi3.AnnotationBody(
                id=urls.captions,
                type="Text",
                format="text/vtt",
                language=language,
                label={"en": ["Transcript (WebVTT)"]},
            ),
            target=canvas_id,
        )
    )
    # a canvas must have a duration (or a size): 0 when the recording's length is unknown
    # would be refused, so a length is then taken from the last timed passage
    length = duration or max((p["end"] or p["start"] for p in passages), default=0) or 1
    canvas = iiif_prezi3.Canvas(id=canvas_id, duration=length)
    canvas.add_item(painting)
    canvas.annotations = [words, captions] if passages else [captions]
    document = iiif_prezi3.Manifest(
        id=urls.manifest,
        label={language: [testimony.title]},
        homepage=[
            {
                "id": urls.page,
                "type": "Text",
                "format": "text/html",
                "label": {language: [testimony.title]},
            }
        ],
    )
    document.add_item(canvas)
    ranges = _event_ranges(passages, base, canvas_id, duration)
    if ranges:
        document.structures = ranges
    return json.loads(document.json())  # with its @context, as plain JSON values


def _event_ranges(
    passages: list[dict[str, Any]], base: str, canvas_id: str, duration: float | None
) -> list[iiif_prezi3.Range]:
    # one Range per event spoken of, in the order first heard, holding its passages' times
    spoken: dict[str, tuple[str, list[str]]] = {}
    for passage in passages:
        for slug, title in passage["events"]:
            spoken.setdefault(slug, (title, []))[1].append(canvas_id + _fragment(passage, duration))
    return [
        iiif_prezi3.Range(
            id=f"{base}/range/{slug}",
            label={"none": [title]},
            items=[iiif_prezi3.CanvasRef(id=target, type="Canvas") for target in targets],
        )
        for slug, (title, targets) in spoken.items()
    ]


def _first_words(text: str, count: int = PARTIAL_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def ohms_xml(testimony: Testimony, passages: list[dict[str, Any]], urls: RecordingUrls) -> bytes:
    """The testimony as an OHMS XML record: its description, the recording's address and
    length, and an index of one point per timed passage (time in seconds, "Passage N (p-N)",
    which `ohms_times` reads back to the same passage, its first words, its linked events and
    places as keywords and subjects). OHMS keeps one other language (`alt_language`): its
    words go in each point's `partial_transcript_alt` and `synopsis_alt`; the archive's own
    labels (titles, keywords) have no `_alt`."""
    recording = testimony.recording
    assert recording is not None, "the caller checks that there is a recording"
    ns = f"{{{OHMS_NAMESPACE}}}"
    # the default namespace for this document only (xml.etree's register_namespace would
    # change every other document the process writes, OAI-PMH's answers among them)
    root = ElementTree.Element(
        f"{ns}ROOT",
        {
            "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation": (
                f"{OHMS_NAMESPACE} {OHMS_SCHEMA}"
            )
        },
        nsmap={None: OHMS_NAMESPACE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"},
    )
    changed = testimony.corrected_at or testimony.created_at or dt.datetime.now(dt.UTC)
    record = ElementTree.SubElement(
        root, f"{ns}record", {"id": str(testimony.id), "dt": changed.date().isoformat()}
    )

    def field(parent: ElementTree.Element, name: str, text: str = "", **attrs: str):
        element = ElementTree.SubElement(parent, f"{ns}{name}", attrs)
        element.text = text
        return element

    # the elements in the order of the OHMS schema (5.4: tests/schemas/ohms.xsd)
    interviewed = testimony.interview_date
    publisher = (testimony.citation or {}).get("publisher") or ""
    kind = "video" if is_video(recording.media_type) else "audio"
    field(record, "version", OHMS_VERSION)
    if interviewed:
        field(record, "date", value=interviewed.isoformat(), format="yyyy-mm-dd")
    else:
        field(record, "date")
    field(record, "date_nonpreferred_format")
    field(record, "cms_record_id", str(testimony.id))
    field(record, "title", testimony.title)
    field(record, "accession", testimony.slug)
    field(record, "duration", _clock(recording.duration))
    field(record, "collection_id")
    field(record, "collection_name", publisher)
    field(record, "series_id")
    field(record, "series_name")
    field(record, "repository", publisher)
    field(record, "funding")
    field(record, "repository_url", urls.page)
    field(record, "subject")
    field(record, "keyword")
    field(record, "interviewee", testimony.narrator.name)
    for interviewer in testimony.interviewers or [""]:
        field(record, "interviewer", interviewer)
    field(record, "format", recording.media_type)
    field(record, "file_name")
    field(record, "sync")
    alt = alt_language(testimony)
    field(record, "sync_alt")
    field(record, "transcript_alt_lang", alt or "")
    field(record, "translate", "1" if alt else "0")
    field(record, "media_id")
    field(record, "media_url", urls.recording)
    mediafile = field(record, "mediafile")
    field(mediafile, "host", "Other")
    field(mediafile, "host_account_id")
    field(mediafile, "host_player_id")
    field(mediafile, "host_clip_id")
    field(mediafile, "clip_format", kind)
    field(record, "kembed")
    field(record, "language", testimony.language or "")
    index = field(record, "index")
    for passage in passages:
        point = field(index, "point")
        field(point, "time", str(math.floor(passage["start"])))
        field(point, "title", f"Passage {passage['number']} ({passage['anchor']})")
        field(point, "title_alt")
        field(point, "partial_transcript", _first_words(passage["text"]))
        alt_text = passage.get("texts", {}).get(alt) if alt else None
        field(point, "partial_transcript_alt", _first_words(alt_text) if alt_text else "")
        field(point, "synopsis", passage["text"])
        field(point, "synopsis_alt", alt_text or "")
        names = [title for _slug, title in passage["events"]] + passage["places"]
        field(point, "keywords", "; ".join(names))
        field(point, "keywords_alt")
        field(point, "subjects", "; ".join(names))
        field(point, "subjects_alt")
    field(record, "type", "oral history")
    field(record, "description")
    field(record, "transcript")
    field(record, "transcript_alt")
    field(record, "rights", testimony.rights or "")
    field(record, "fmt", kind)
    field(record, "usage")
    field(record, "userestrict", "0" if testimony.is_public else "1")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def alt_language(testimony: Testimony) -> str | None:
    """The one other language an OHMS record carries in its `_alt` fields: the original
    when the main text is a translation, else the first other language; None for one."""
    others = list(testimony.other_languages)
    original = next((other for other in others if other.kind == "original"), None)
    chosen = original or (others[0] if others else None)
    return chosen.code if chosen else None


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
