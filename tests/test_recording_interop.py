"""A testimony's recording for other archives: the IIIF Presentation 3 Manifest, the OHMS
XML record, and the recording described in OAI-PMH Dublin Core and the page's JSON-LD.

Everything here is invented by the test: a tone made with Python's `wave` module for the
recording, made-up words for the testimony; never anyone's voice or words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from tests.archive_helpers import csrf_token
from tests.conftest import import_testimony, sign_in
from tests.test_passage_times import TIMED_VTT, TONE, WORDS, send_vtt
from tests.test_recordings import id_of, upload

SCHEMAS = Path(__file__).parent / "schemas"
OHMS = "{https://www.weareavp.com/nunncenter/ohms}"
EVENT = "last-convoy-leaves"


@pytest.fixture
def archivist(app, client):
    sign_in(app, client)
    return client


def invented(app, tmp_path, slug: str = "zorbel-quay", access: str = "public") -> int:
    import_testimony(app, tmp_path, slug, "\n\n".join(WORDS), access=access)
    return id_of(app, slug)


def timed_with_a_link(app, archivist, tmp_path, **kwargs) -> int:
    """The invented testimony with its tone, its three passages timed, and its second
    passage linked by the archivist to an event of the timeline."""
    tid = invented(app, tmp_path, **kwargs)
    assert upload(archivist, tid, TONE).status_code in (302, 303)
    assert send_vtt(archivist, tid, TIMED_VTT).status_code == 303
    token = csrf_token(archivist, f"/testimonies/{tid}")
    linked = archivist.post(
        f"/archive/testimonies/{tid}/links",
        data={"csrf_token": token, "passage": "p-2", "target": f"event:{EVENT}"},
    )
    assert linked.status_code == 303
    return tid


def iiif_schema() -> dict:
    return json.loads((SCHEMAS / "iiif_3_0.json").read_text(encoding="utf-8"))


def test_the_manifest_paints_the_recording_and_its_timed_passages_on_one_canvas(
    app, archivist, tmp_path
):
    tid = timed_with_a_link(app, archivist, tmp_path)
    response = app.test_client().get(f"/testimonies/{tid}/manifest.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    manifest = response.get_json(force=True)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["type"] == "Manifest"
    assert manifest["id"] == f"http://localhost/testimonies/{tid}/manifest.json"
    (canvas,) = manifest["items"]
    assert canvas["duration"] == pytest.approx(12.0)
    (painting,) = canvas["items"][0]["items"]
    assert painting["motivation"] == "painting"
    assert painting["target"] == canvas["id"]
    assert painting["body"]["id"] == f"http://localhost/testimonies/{tid}/recording"
    assert painting["body"]["type"] == "Sound"
    assert painting["body"]["format"] in ("audio/wav", "audio/x-wav")
    assert painting["body"]["duration"] == pytest.approx(12.0)

    words, captions = canvas["annotations"]
    targets = [a["target"] for a in words["items"]]
    assert targets == [
        f"{canvas['id']}#t=0.5,3.25",
        f"{canvas['id']}#t=3.25,7.125",
        f"{canvas['id']}#t=7.125,11",
    ]
    bodies = [a["body"] for a in words["items"]]
    assert [b["value"] for b in bodies] == WORDS
    assert {b["language"] for b in bodies} == {"en"}
    assert {a["motivation"] for a in words["items"]} == {"supplementing"}
    (vtt,) = captions["items"]
    assert vtt["body"]["format"] == "text/vtt"
    assert vtt["body"]["id"] == f"http://localhost/testimonies/{tid}/transcript.vtt"
    assert app.test_client().get(vtt["body"]["id"]).status_code == 200

    (event_range,) = manifest["structures"]
    assert event_range["type"] == "Range"
    assert event_range["label"]["none"][0].startswith("The last convoy leaves")
    assert event_range["items"] == [{"id": f"{canvas['id']}#t=3.25,7.125", "type": "Canvas"}]


def test_the_manifest_is_valid_against_the_iiif_presentation_3_schema(app, archivist, tmp_path):
    tid = timed_with_a_link(app, archivist, tmp_path)
    manifest = archivist.get(f"/testimonies/{tid}/manifest.json").get_json(force=True)
    # the schema names no known draft ("http://json-schema.org/schema#"): read as draft 7
    schema = jsonschema.Draft7Validator(iiif_schema())
    schema.validate(manifest)
    # and the schema does refuse a manifest without its canvas's duration
    broken = json.loads(json.dumps(manifest))
    del broken["items"][0]["duration"]
    with pytest.raises(jsonschema.ValidationError):
        schema.validate(broken)


def test_a_testimony_without_a_recording_has_no_manifest_and_says_so(app, archivist, tmp_path):
    tid = invented(app, tmp_path)
    for path in (f"/testimonies/{tid}/manifest.json", f"/testimonies/{tid}/ohms.xml"):
        response = app.test_client().get(path)
        assert response.status_code == 404
    said = app.test_client().get(f"/testimonies/{tid}/manifest.json").get_json()
    assert said == {"error": f"Testimony {tid} has no recording."}


def test_a_restricted_testimonys_manifest_and_ohms_record_are_not_found_by_anonymous_readers(
    app, archivist, tmp_path
):
    tid = timed_with_a_link(app, archivist, tmp_path, slug="kept-apart", access="restricted")
    reader = app.test_client()
    for path in (f"/testimonies/{tid}/manifest.json", f"/testimonies/{tid}/ohms.xml"):
        assert archivist.get(path).status_code == 200
        assert archivist.get(path).headers["Cache-Control"] == "private, no-cache"
        response = reader.get(path)
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        for leak in ("Zorbel", 'recording"', "audio/", "PT12S"):
            assert leak not in body
    assert (
        "Access-Control-Allow-Origin"
        not in archivist.get(f"/testimonies/{tid}/manifest.json").headers
    )


def test_a_withdrawn_testimonys_manifest_and_ohms_record_are_gone(app, archivist, tmp_path):
    tid = timed_with_a_link(app, archivist, tmp_path)
    token = csrf_token(archivist, f"/archive/testimonies/{tid}/edit")
    archivist.post(
        f"/archive/testimonies/{tid}/withdraw",
        data={"csrf_token": token, "reason": "Consent revoked", "confirm": "yes"},
    )
    reader = app.test_client()
    assert reader.get(f"/testimonies/{tid}/manifest.json").status_code == 410
    assert reader.get(f"/testimonies/{tid}/ohms.xml").status_code == 410


def test_the_ohms_record_indexes_each_timed_passage_with_its_linked_events(
    app, archivist, tmp_path
):
    tid = timed_with_a_link(app, archivist, tmp_path)
    response = app.test_client().get(f"/testimonies/{tid}/ohms.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{OHMS}ROOT"
    (record,) = root.findall(f"{OHMS}record")
    text = {child.tag.removeprefix(OHMS): child.text or "" for child in record}
    assert text["title"] == "A test testimony"
    assert text["accession"] == "zorbel-quay"
    assert text["interviewee"] == "Test Narrator"
    assert text["interviewer"] == "Someone"
    assert record.find(f"{OHMS}date").get("value") == "2020-01-02"  # the schema: no text
    assert text["duration"] == "00:00:12"
    assert text["media_url"] == f"http://localhost/testimonies/{tid}/recording"
    points = record.findall(f"{OHMS}index/{OHMS}point")
    assert len(points) == 3
    fields = [{c.tag.removeprefix(OHMS): c.text or "" for c in point} for point in points]
    assert [f["time"] for f in fields] == ["0", "3", "7"]
    assert [f["title"] for f in fields] == ["Passage 1 (p-1)", "Passage 2 (p-2)", "Passage 3 (p-3)"]
    assert fields[0]["partial_transcript"].startswith("Zorbel lanterns hummed")
    assert fields[1]["keywords"].startswith("The last convoy leaves")
    assert fields[1]["subjects"] == fields[1]["keywords"]
    assert fields[0]["keywords"] == ""
    for point in fields:
        for name in ("title", "partial_transcript", "synopsis", "keywords", "subjects"):
            assert point[f"{name}_alt"] == ""


def oai_record(app, tid: int) -> str:
    asked = {
        "verb": "GetRecord",
        "metadataPrefix": "oai_dc",
        "identifier": f"oai:localhost:testimonies/{tid}",
    }
    response = app.test_client().get("/oai", query_string=asked)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_oai_dublin_core_describes_the_recording(app, archivist, tmp_path):
    tid = timed_with_a_link(app, archivist, tmp_path)
    record = oai_record(app, tid)
    types = re.findall(r"<dc:type>([^<]*)</dc:type>", record)
    formats = re.findall(r"<dc:format>([^<]*)</dc:format>", record)
    assert types == ["Text", "Sound"]
    assert formats[0] == "text/html"
    assert formats[1] in ("audio/wav", "audio/x-wav")
    assert formats[2] == "PT12S"


def test_a_testimony_without_a_recording_is_text_only_in_oai(app, tmp_path):
    tid = invented(app, tmp_path)
    record = oai_record(app, tid)
    assert re.findall(r"<dc:type>([^<]*)</dc:type>", record) == ["Text"]
    assert "Sound" not in record and "PT" not in re.findall(r"<dc:format>([^<]*)<", record)


def test_the_pages_json_ld_describes_the_recording(app, archivist, tmp_path):
    tid = timed_with_a_link(app, archivist, tmp_path)
    page = app.test_client().get(f"/testimonies/{tid}").get_data(as_text=True)
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    linked = json.loads(found.group(1))
    media = linked["associatedMedia"]
    assert media["@type"] == "AudioObject"
    assert media["contentUrl"] == f"http://localhost/testimonies/{tid}/recording"
    assert media["encodingFormat"] in ("audio/wav", "audio/x-wav")
    assert media["duration"] == media["http://purl.org/dc/terms/extent"] == "PT12S"
    assert '<meta name="DC.type" content="Sound">' in page
    assert '<meta name="DC.format" content="PT12S">' in page
