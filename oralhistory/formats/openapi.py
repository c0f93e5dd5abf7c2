"""The OpenAPI 3.1 description of the JSON API, served at `/api/openapi.json`.

Answers are described by the fields they always carry (`required`) and their types; a
field may be added to an answer without breaking a client, so objects stay open.
"""

from __future__ import annotations

from typing import Any

from ..record.kinds import AccessLevel, DatePrecision, LinkStatus, Timing

STRING = {"type": "string"}
TEXT = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
DAY = {"type": "string", "format": "date"}
MAYBE_DAY = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": ["string", "null"], "description": "UTC, ISO 8601"}
STRINGS = {"type": "array", "items": STRING}
PRECISION = {"type": "string", "enum": list(DatePrecision)}
ACCESS = {"type": "string", "enum": list(AccessLevel)}
LINK_STATUS = {"type": "string", "enum": list(LinkStatus)}
SECONDS = {"type": ["number", "null"], "minimum": 0, "description": "seconds into the recording"}
TIMING = {
    "type": ["string", "null"],
    "enum": [*Timing, None],
    "description": "where the passage's times came from: a WebVTT file, automatic alignment, "
    "or typed by an archivist",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


SCHEMAS: dict[str, Any] = {
    "Error": _object({"error": {"type": "string", "minLength": 1}}),
    "NarratorRef": _object({"slug": STRING, "name": STRING, "name_arabic": TEXT}, ("name_arabic",)),
    "PlaceRef": _object({"slug": STRING, "name": STRING, "name_arabic": TEXT, "url": STRING}),
    "Reason": _object({"rule": STRING, "words": STRING, "says": STRING}),
    "Link": _object(
        {
            "id": INTEGER,
            "kind": {"type": "string", "enum": ["event", "place"]},
            "slug": STRING,
            "anchor": STRING,
            "status": LINK_STATUS,
            "origin": {"type": "string", "enum": ["automatic", "archivist"]},
            "reason": _list(_ref("Reason")),
            "decided_by": TEXT,
            "decided_at": MOMENT,
        }
    ),
    "Segment": _object(
        {"kind": {"type": "string", "enum": ["words", "insertion"]}, "text": STRING}
    ),
    "Source": _object(
        {"slug": STRING, "title": STRING, "publisher": TEXT, "date": TEXT, "url": TEXT}
    ),
    "Figure": _object(
        {
            "slug": STRING,
            "title": STRING,
            "values": _list(_object({"value": STRING, "source": _ref("Source")})),
        }
    ),
    "EventRef": _object(
        {
            "slug": STRING,
            "date": DAY,
            "end_date": MAYBE_DAY,
            "date_precision": PRECISION,
            "title": STRING,
            "url": STRING,
        }
    ),
    "Event": _object(
        {
            "slug": STRING,
            "date": DAY,
            "end_date": MAYBE_DAY,
            "date_precision": PRECISION,
            "title": STRING,
            "summary": STRING,
            "places": _list(_ref("PlaceRef")),
            "sources": _list(_ref("Source")),
            "url": STRING,
        }
    ),
    "Voice": _object(
        {
            "testimony_id": INTEGER,
            "testimony_title": STRING,
            "access": ACCESS,
            "narrator": _ref("NarratorRef"),
            "anchor": STRING,
            "text": STRING,
            "segments": _list(_ref("Segment")),
            "url": STRING,
            "voice": STRING,
            "link": _ref("Link"),
        }
    ),
    "TestimonySummary": _object(
        {
            "id": INTEGER,
            "slug": STRING,
            "title": STRING,
            "interview_date": MAYBE_DAY,
            "interview_date_precision": PRECISION,
            "access": ACCESS,
            "withdrawn": {"type": "boolean"},
            "passage_count": INTEGER,
            "url": STRING,
        }
    ),
    "NarratorSummary": _object(
        {
            "slug": STRING,
            "name": STRING,
            "name_arabic": TEXT,
            "age_at_interview": {"type": ["integer", "null"]},
            "residence": TEXT,
            "roles": STRINGS,
            "testimony_count": INTEGER,
            "url": STRING,
        }
    ),
}
SCHEMAS["Narrator"] = {
    "allOf": [
        _ref("NarratorSummary"),
        _object(
            {
                "name_arabic_note": TEXT,
                "spellings": STRINGS,
                "origin": TEXT,
                "biography": TEXT,
                "testimonies": _list(
                    {
                        "allOf": [
                            _ref("TestimonySummary"),
                            _object({"citation": STRING, "citation_html": STRING}),
                        ]
                    }
                ),
                "events": _list({"allOf": [_ref("EventRef"), _object({"status": LINK_STATUS})]}),
            }
        ),
    ]
}
SCHEMAS["Passage"] = _object(
    {
        "anchor": STRING,
        "position": INTEGER,
        "text": STRING,
        "texts": {
            "type": "object",
            "additionalProperties": STRING,
            "description": "its words in each language the testimony is held in, by code "
            "(BCP 47), the main text's first",
        },
        "segments": _list(_ref("Segment")),
        "editor_note": TEXT,
        "start": SECONDS,
        "end": SECONDS,
        "timing": TIMING,
        "timing_stale": {
            "type": "boolean",
            "description": "the passage's words were corrected after it was timed: its times "
            "are to be checked again",
        },
        "url": STRING,
        "links": _list(
            {
                "allOf": [
                    _ref("Link"),
                    _object({"label": STRING, "date": MAYBE_DAY, "url": STRING}),
                ]
            }
        ),
    }
)
SCHEMAS["Testimony"] = {
    "allOf": [
        _ref("TestimonySummary"),
        _object(
            {
                "narrator": _object(
                    {"slug": STRING, "name": STRING, "name_arabic": TEXT, "url": STRING}
                ),
                "interview_date_note": TEXT,
                "interviewers": STRINGS,
                "language": STRING,
                "original_language": TEXT,
                # every language the text is held in, the main text's first
                "languages": _list(
                    _object(
                        {
                            "code": STRING,
                            "kind": {"enum": ["original", "translation"]},
                            "translator": TEXT,
                        }
                    )
                ),
                "citation": _object({"publisher": STRING, "title": STRING}),
                "citation_text": STRING,
                "citation_html": STRING,
                "rights": TEXT,
                "corrected_at": MOMENT,
                "page": INTEGER,
                "pages": INTEGER,
                "per_page": INTEGER,
                "passages": _list(_ref("Passage")),
                "events": _list({"allOf": [_ref("EventRef"), _object({"status": LINK_STATUS})]}),
                "recording": {"oneOf": [{"type": "null"}, _ref("Recording")]},
            }
        ),
    ]
}
# which page of a list read a page at a time: an event's or a place's passages
SCHEMAS["Paging"] = _object({"page": INTEGER, "pages": INTEGER, "per_page": INTEGER})
SCHEMAS["Recording"] = _object(
    {
        "url": {
            "type": "string",
            "description": "/testimonies/{id}/recording: the file itself, with HTTP Range, HEAD "
            "and ETag (its SHA-256); to whoever may read the testimony",
        },
        "media_type": {"type": "string", "description": "read from the file's content"},
        "duration": {"type": ["number", "null"], "description": "seconds"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 0, "description": "bytes"},
        "available": {
            "type": "boolean",
            "description": "false when the file is missing or was found altered (`flask check`): "
            "the recording cannot be played right now (given by /api/testimonies/{id})",
        },
    },
    optional=("available",),
)
FACET = _object({"slug": STRING, "count": INTEGER})
READ_AS = {
    "type": ["string", "null"],
    "description": "the name a spelling no entry lists was read as (by its sound), else null",
}
SCHEMAS["SearchResults"] = _object(
    {
        "query": STRING,
        "total": INTEGER,
        "page": INTEGER,
        "per_page": INTEGER,
        "pages": INTEGER,
        "hits": _list(
            _object(
                {
                    "narrator": _ref("NarratorRef"),
                    "testimony": _object(
                        {"id": INTEGER, "title": STRING, "url": STRING, "access": ACCESS}
                    ),
                    "passage": _object(
                        {
                            "anchor": STRING,
                            "start": SECONDS,
                            "url": {
                                "type": "string",
                                "description": "the passage in its testimony; with a start, "
                                "`?t=` plays the recording from there",
                            },
                        }
                    ),
                    "snippet": {"type": "string", "description": "HTML: escaped text, <mark>"},
                    "language": {
                        "type": "string",
                        "description": "the language (BCP 47) of the text that matched, which "
                        "the snippet shows",
                    },
                    "score": {"type": "number"},
                    "matched_in": STRINGS,
                    "read_as": READ_AS,
                }
            )
        ),
        # the narrators the query's words name, in any spelling (shown first)
        "narrators": _list(
            _object(
                {
                    "slug": STRING,
                    "name": STRING,
                    "name_arabic": TEXT,
                    "url": STRING,
                    "read_as": STRING,
                }
            )
        ),
        # the timeline's events and places the query's words name, found or not in a passage
        "events": _list({"allOf": [_ref("EventRef"), _object({"read_as": READ_AS})]}),
        "places": _list({"allOf": [_ref("PlaceRef"), _object({"kind": TEXT, "read_as": READ_AS})]}),
        "facets": _object(
            {
                "narrator": _list({"allOf": [FACET, _object({"name": STRING})]}),
                "place": _list({"allOf": [FACET, _object({"name": STRING})]}),
                "event": _list({"allOf": [FACET, _object({"title": STRING})]}),
            }
        ),
        "suggestion": TEXT,
    }
)
SCHEMAS["Timeline"] = _object(
    {
        "events": _list(
            {
                "allOf": [
                    _ref("Event"),
                    _object(
                        {
                            "week": STRING,
                            "passage_count": INTEGER,
                            "testimony_count": INTEGER,
                            "figures": _list(_ref("Figure")),
                        }
                    ),
                ]
            }
        ),
        "figures": _list(_ref("Figure")),
        "places": _list(_object({"slug": STRING, "name": STRING})),
        "place": {
            "oneOf": [{"type": "null"}, _object({"slug": STRING, "name": STRING})],
            "description": "the place asked for, if any",
        },
    }
)
SCHEMAS["EventPage"] = {
    "allOf": [
        _ref("Event"),
        _object(
            {
                "figures": _list(_ref("Figure")),
                "passages": _list(_ref("Voice")),
                "passage_count": INTEGER,
                "passages_page": _ref("Paging"),
                "testimony_count": INTEGER,
                "testimonies": _list(
                    {
                        "allOf": [
                            _ref("TestimonySummary"),
                            _object({"narrator": _ref("NarratorRef")}),
                        ]
                    }
                ),
            }
        ),
    ]
}
SCHEMAS["Place"] = _object(
    {
        "slug": STRING,
        "name": STRING,
        "name_arabic": TEXT,
        "kind": TEXT,
        "variants": STRINGS,
        "events": _list(_ref("Event")),
        "passages": _list(_ref("Voice")),
        "passage_count": INTEGER,
        "passages_page": _ref("Paging"),
    }
)
SCHEMAS["ArchiveTestimony"] = {
    "allOf": [
        _ref("TestimonySummary"),
        _object(
            {
                "narrator": _ref("NarratorRef"),
                "created_at": MOMENT,
                "corrected_at": MOMENT,
                "withdrawn_at": MOMENT,
                "withdrawn_by": TEXT,
                "withdrawn_reason": TEXT,
            }
        ),
    ]
}
SCHEMAS["History"] = _object(
    {
        "testimony": _ref("ArchiveTestimony"),
        "revisions": _list(
            _object(
                {
                    "id": INTEGER,
                    "number": INTEGER,
                    "author": STRING,
                    "created_at": MOMENT,
                    "summary": STRING,
                }
            )
        ),
        "comparison": {
            "oneOf": [
                {"type": "null"},
                _object({"older": INTEGER, "newer": INTEGER, "lines": STRINGS}),
            ]
        },
    }
)

ERRORS = {
    "400": "The request cannot be answered as asked: the message says what to change.",
    "401": "Only for signed-in archivists.",
    "404": "Nothing the reader may see answers to this address.",
}


def _answer(description: str, schema: dict[str, Any], *errors: str) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}}
    }
    for code in errors:
        responses[code] = {
            "description": ERRORS[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return responses


def _parameter(name: str, where: str, description: str, schema: dict[str, Any]) -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


SLUG = _parameter("slug", "path", "the slug, as in the page's address", STRING)
TESTIMONY_ID = _parameter("testimony_id", "path", "the testimony's number", INTEGER)
FILTERS = [
    _parameter("q", "query", "the query, in the search language (README: Searching)", STRING),
    _parameter("narrator", "query", "a narrator's slug or name", STRING),
    _parameter("place", "query", "a place's slug or any of its names", STRING),
    _parameter("event", "query", "an event's slug or words of its title", STRING),
    _parameter("page", "query", "the page of results, from 1", STRING),
    _parameter("per_page", "query", "hits per page, 1 to 100 (default 10)", STRING),
]


def _get(summary: str, responses: dict, parameters: list | None = None, tag: str = "reading"):
    operation = {"summary": summary, "tags": [tag], "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if any(p["in"] == "query" for p in parameters or []) and "400" not in responses:
        # a control character in any parameter is refused before the operation reads it
        responses = {**responses, "400": _answer("", {}, "400")["400"]}
        operation["responses"] = responses
    return {"get": operation}


PATHS: dict[str, Any] = {
    "/api/search": _get(
        "Search passages; anonymous readers never see restricted testimony",
        _answer("the page of hits, facets and a suggestion", _ref("SearchResults"), "400"),
        FILTERS,
    ),
    "/api/narrators": _get(
        "The narrators with a testimony the reader may see",
        _answer("the narrators, by name", _list(_ref("NarratorSummary"))),
    ),
    "/api/narrators/{slug}": _get(
        "One narrator: biography, testimonies and the events they speak of",
        _answer("the narrator", _ref("Narrator"), "404"),
        [SLUG],
    ),
    "/api/testimonies/{testimony_id}": _get(
        "One testimony with its passages, their links, its citation and events",
        _answer("the testimony, a page of its passages", _ref("Testimony"), "400", "404"),
        [TESTIMONY_ID, _parameter("page", "query", "the page of its passages, from 1", STRING)],
    ),
    "/api/testimonies/{testimony_id}/passages/{anchor}": _get(
        "One passage by its permanent anchor; a removed one says in which revision it went",
        _answer("the passage, or the notice of its removal", {"type": "object"}, "404"),
        [TESTIMONY_ID, _parameter("anchor", "path", "the passage's anchor, p-N", STRING)],
    ),
    "/api/testimonies/{testimony_id}/revisions/{number}": _get(
        "A testimony's text as it stood at one revision",
        _answer("the revision's text", {"type": "object"}, "404"),
        [TESTIMONY_ID, _parameter("number", "path", "the revision's number, from 1", INTEGER)],
    ),
    "/testimonies/{testimony_id}/export.json": _get(
        "The same testimony as a file to download",
        _answer("the testimony, a page of its passages", _ref("Testimony"), "400", "404"),
        [TESTIMONY_ID, _parameter("page", "query", "the page of its passages, from 1", STRING)],
        "downloads",
    ),
    "/testimonies/{testimony_id}/manifest.json": _get(
        "The IIIF Presentation 3 Manifest of the testimony's recording and its timed passages",
        {
            "200": {
                "description": "the Manifest (README: For other archives' tools)",
                "content": {"application/ld+json": {"schema": {"type": "object"}}},
            },
            **{code: answer for code, answer in _answer("", {}, "404").items() if code != "200"},
        },
        [TESTIMONY_ID],
        "downloads",
    ),
    "/api/events": _get(
        "The timeline: events by week, figures and places",
        _answer("the timeline", _ref("Timeline"), "404"),
        [_parameter("place", "query", "only events at this place or within it", STRING)],
    ),
    "/api/events/{slug}": _get(
        "One event with its sources, figures and the passages linked to it",
        _answer("the event", _ref("EventPage"), "400", "404"),
        [SLUG, _parameter("page", "query", "the page of its passages, from 1", STRING)],
    ),
    "/api/places/{slug}": _get(
        "One place with its spellings, events and passages",
        _answer("the place", _ref("Place"), "400", "404"),
        [SLUG, _parameter("page", "query", "the page of its passages, from 1", STRING)],
    ),
    "/api/archive/testimonies": _get(
        "Every testimony, restricted and withdrawn too (archivists)",
        _answer("the testimonies, newest first", _list(_ref("ArchiveTestimony")), "401"),
        tag="archivists",
    ),
    "/api/archive/testimonies/{testimony_id}/history": _get(
        "A testimony's revisions and the difference between two of them (archivists)",
        _answer("the history", _ref("History"), "400", "401", "404"),
        [
            TESTIMONY_ID,
            _parameter("older", "query", "a revision's id (default: the one before)", STRING),
            _parameter("newer", "query", "a revision's id (default: the latest)", STRING),
        ],
        "archivists",
    ),
    "/api/archive/links": _get(
        "The review queue: every proposed link, with its passage and reason (archivists)",
        _answer("a page of the queue", {"type": "object"}, "400", "401"),
        [
            _parameter("testimony", "query", "only this testimony's number", STRING),
            _parameter("event", "query", "only links to this event's slug", STRING),
            _parameter("place", "query", "only links to this place's slug", STRING),
            _parameter("rule", "query", "only links proposed by this rule", STRING),
            _parameter("page", "query", "the page of the queue, from 1", STRING),
            _parameter("per_page", "query", "links per page, 1 to 200", STRING),
        ],
        "archivists",
    ),
    "/archive/testimonies/{testimony_id}/alignment.json": _get(
        "The testimony's latest automatic alignment, as its page polls it (archivists)",
        _answer(
            "`job` (null when none was asked for: state, progress, message, the passages' "
            "current and proposed starts), `available`, and `problem` when the server "
            "cannot align",
            {"type": "object"},
            "401",
            "404",
        ),
        [TESTIMONY_ID],
        "archivists",
    ),
    "/api/openapi.json": _get(
        "This description", _answer("the OpenAPI 3.1 document", {"type": "object"})
    ),
}


def openapi_document(server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for the API served at `server` (scheme and host)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Testimony Archive API",
            "version": "1",
            "description": "Read the archive as JSON: search, narrators, testimonies, the "
            'timeline and places. Errors are {"error": message} with status 400, 401 or 404. '
            "OAI-PMH 2.0 is at /oai.",
        },
        "servers": [{"url": server}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
