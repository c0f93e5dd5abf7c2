"""The OpenAPI 3.1 description at /api/openapi.json: it names every JSON endpoint, every real
answer fits it, and schemathesis, generating requests from it, finds no 500 and no answer
outside it."""

from __future__ import annotations

import re

import jsonschema
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import sign_in


def _document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _check(document: dict, path: str, response) -> None:
    """The answer fits what the document says of this path and status."""
    documented = document["paths"][path]["get"]["responses"]
    assert str(response.status_code) in documented, (path, response.status_code)
    schema = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]})
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.get_json())
    ]
    assert errors == [], (path, errors[:5])


def test_every_json_endpoint_of_the_app_is_described(app, client):
    described = set(_document(client)["paths"])
    served = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        if path.startswith("/api/") or path.endswith(".json"):
            served.add(path)
    assert served == described


def test_every_answer_of_every_endpoint_fits_the_description(app, client):
    document = _document(client)
    narrators = client.get("/api/narrators").get_json()
    timeline = client.get("/api/events").get_json()
    asked = {
        "/api/search": [
            "?q=Aleppo",
            "?q=barrel+bombs&page=2&per_page=1",
            "?q=Alepo",
            "?q=Kassem",  # a spelling read as a name: `read_as`
            "?q=Sheikh+Saeed",  # no passage, but the timeline's events and places
            "?q=%22",
            "?q=Aleppo&page=99",
            "?q=Aleppo&per_page=x",
            "?narrator=omar-al-halabi",
        ],
        "/api/narrators": [""],
        "/api/narrators/{slug}": [f"/{n['slug']}" for n in narrators] + ["/nobody"],
        # a number past what the database's column holds: found by schemathesis on PostgreSQL
        "/api/testimonies/{testimony_id}": ["/1", "/5", "/999", "/2209877286"],
        "/testimonies/{testimony_id}/export.json": ["/2", "/999"],
        # no recording in the first collection: its answers are 404 (tests/test_recording_interop.py
        # checks a manifest against the IIIF schema)
        "/testimonies/{testimony_id}/manifest.json": ["/2", "/999"],
        "/api/testimonies/{testimony_id}/passages/{anchor}": [
            "/2/passages/p-2",
            "/2/passages/p-99",
        ],
        "/api/testimonies/{testimony_id}/revisions/{number}": ["/2/revisions/1", "/2/revisions/99"],
        "/api/events": ["", "?place=aleppo", "?place=nowhere"],
        "/api/events/{slug}": [f"/{e['slug']}" for e in timeline["events"]] + ["/no-event"],
        "/api/places/{slug}": [f"/{p['slug']}" for p in timeline["places"]] + ["/nowhere"],
        "/api/archive/testimonies": [""],
        "/api/archive/links": [""],
        "/api/archive/testimonies/{testimony_id}/history": ["/1"],
        "/archive/testimonies/{testimony_id}/alignment.json": ["/1"],
        "/api/openapi.json": [""],
    }
    assert set(asked) == set(document["paths"])
    for path, variants in asked.items():
        base = re.sub(r"/\{\w+\}.*", "", path) if "{" in path else path
        # a variant fills every placeholder: the path's words between two of them too
        tail = path[path.rindex("}") + 1 :] if "{" in path else ""
        for variant in variants:
            if "{" in path:
                number_or_slug, _, query = variant.partition("?")
                url = base + number_or_slug + tail + (f"?{query}" if query else "")
            else:
                url = path + variant
            _check(document, path, client.get(url))
    sign_in(app, client)
    for url, path in [
        ("/api/archive/testimonies", "/api/archive/testimonies"),
        ("/api/archive/links", "/api/archive/links"),
        ("/api/archive/links?page=99999", "/api/archive/links"),
        ("/api/archive/testimonies/1/history", "/api/archive/testimonies/{testimony_id}/history"),
        ("/api/archive/testimonies/999/history", "/api/archive/testimonies/{testimony_id}/history"),
        (
            "/api/archive/testimonies/2209877286/history",
            "/api/archive/testimonies/{testimony_id}/history",
        ),
        (
            "/api/archive/testimonies/1/history?older=x",
            "/api/archive/testimonies/{testimony_id}/history",
        ),
        (
            "/archive/testimonies/1/alignment.json",
            "/archive/testimonies/{testimony_id}/alignment.json",
        ),
        (
            "/archive/testimonies/999/alignment.json",
            "/archive/testimonies/{testimony_id}/alignment.json",
        ),
    ]:
        _check(document, path, client.get(url))


def test_generated_requests_never_get_a_500_or_an_undescribed_answer(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    described = set(_document(app.test_client())["paths"]) - {"/api/openapi.json"}
    assert {operation.path for operation in operations} == described  # it skips its own
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def answers_within_the_description(case):
            case.call_and_validate(checks=checks)

        answers_within_the_description()


def test_the_description_promises_the_timeline_and_the_spelling_read_in_search_answers(client):
    results = _document(client)["components"]["schemas"]["SearchResults"]
    assert {"events", "places"} <= set(results["required"])
    assert "read_as" in results["properties"]["hits"]["items"]["required"]
    body = client.get("/api/search?q=Sheikh+Saeed").get_json()
    assert body["total"] == 0 and body["events"] and body["places"]
    _check(_document(client), "/api/search", client.get("/api/search?q=Sheikh+Saeed"))
