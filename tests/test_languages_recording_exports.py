"""A recording's exports carry every language of its testimony: the OHMS record the other
language in its `_alt` fields (still valid against OHMS's schema), the IIIF Manifest each
passage's words in each language. (Invented words and a generated tone only.)"""

from __future__ import annotations

from xml.etree import ElementTree

import jsonschema
import xmlschema

from tests.archive_helpers import submit
from tests.test_ohms_xml import SCHEMA
from tests.test_recording_interop import OHMS, archivist, iiif_schema, timed_with_a_link

ALT = [
    "كانت فوانيس زوربل تطنّ على رصيف البلدة المخترعة.",
    "ثم دقّ جرس كويندل مرتين وعدّ الجميع القوارب.",
    "وفي المساء تقاسم خبّازو فروبنار خبزهم مع الشارع كله.",
]
__all__ = ["archivist"]


def _with_arabic(app, archivist, tmp_path) -> int:
    tid = timed_with_a_link(app, archivist, tmp_path)
    address = f"/archive/testimonies/{tid}/texts"
    form = {
        "language": "ar",
        "kind": "translation",
        "translator": "Invented Translator",
        "text": "\n\n".join(ALT),
    }
    assert submit(archivist, address, form).status_code == 303
    return tid


def test_the_ohms_record_carries_the_other_language_in_its_alt_fields(app, archivist, tmp_path):
    tid = _with_arabic(app, archivist, tmp_path)
    exported = app.test_client().get(f"/testimonies/{tid}/ohms.xml").data
    xmlschema.XMLSchema(str(SCHEMA)).validate(exported)
    record = ElementTree.fromstring(exported).find(f"{OHMS}record")
    assert record.findtext(f"{OHMS}transcript_alt_lang") == "ar"
    assert record.findtext(f"{OHMS}translate") == "1"
    points = record.findall(f"{OHMS}index/{OHMS}point")
    assert [p.findtext(f"{OHMS}synopsis_alt") for p in points] == ALT
    assert points[1].findtext(f"{OHMS}partial_transcript_alt").startswith("ثم دقّ جرس")


def test_the_manifest_gives_each_passages_words_in_each_language(app, archivist, tmp_path):
    tid = _with_arabic(app, archivist, tmp_path)
    manifest = app.test_client().get(f"/testimonies/{tid}/manifest.json").get_json(force=True)
    jsonschema.Draft7Validator(iiif_schema()).validate(manifest)
    words = manifest["items"][0]["annotations"][0]["items"]
    bodies = [annotation["body"] for annotation in words]
    assert {body["type"] for body in bodies} == {"Choice"}
    assert [[(b["language"], b["value"]) for b in body["items"]] for body in bodies][1] == [
        ("en", "Then the qwindle bell rang twice and everyone counted the boats."),
        ("ar", ALT[1]),
    ]
