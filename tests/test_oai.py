"""OAI-PMH 2.0 at /oai: harvested by a real client (sickle) over HTTP from a real server on
127.0.0.1, every answer validated against the OAI-PMH and oai_dc XML schemas kept in tests/."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from sickle import Sickle, oaiexceptions
from sqlalchemy import select, update
from werkzeug.serving import make_server

from oralhistory.record.models import ChangeLog, Testimony
from oralhistory.services.curation import withdraw_testimony
from oralhistory.web import db
from tests.conftest import import_testimony, make_app

SCHEMAS = Path(__file__).parent / "schemas"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
PUBLIC = [
    "asmar-al-halabi-2017",
    "hisham-skeif-2017",
    "muhammad-haj-qasim-2017",
    "muhammad-qadsi-2017",
    "omar-al-halabi-2017",
]


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    oai_dc = ("http://www.openarchives.org/OAI/2.0/oai_dc/", str(SCHEMAS / "oai_dc.xsd"))
    return xmlschema.XMLSchema(str(SCHEMAS / "OAI-PMH.xsd"), locations=[oai_dc])


# the testimonies' numbers: the five in file order, then the two the fixture adds
NUMBERS = {slug: n for n, slug in enumerate([*PUBLIC, "kept-back-2019", "taken-back-2019"], 1)}


def _identifier(slug: str) -> str:
    return f"oai:localhost:testimonies/{NUMBERS[slug]}"


def _slug(identifier: str) -> str:
    number = int(identifier.removeprefix("oai:localhost:testimonies/"))
    return next(slug for slug, n in NUMBERS.items() if n == number)


@pytest.fixture
def repository(app, tmp_path):
    """The first collection with one restricted and one withdrawn testimony, each testimony
    last changed on a day of January 2020 (the first on the 1st, the second on the 2nd...)."""
    import_testimony(app, tmp_path, "kept-back-2019", "The granary keys.", access="restricted")
    import_testimony(app, tmp_path, "taken-back-2019", "The ledger of the bakery.")
    with app.app_context():
        session = db.session()
        taken = session.scalar(select(Testimony).where(Testimony.slug == "taken-back-2019"))
        withdraw_testimony(session, taken.id, "Consent revoked.", "ada")
        # as if each testimony had been created and last changed on its day
        for number in session.scalars(select(Testimony.id)).all():
            day = dt.datetime(2020, 1, number, 12, 0, 0)
            session.execute(update(Testimony).where(Testimony.id == number).values(created_at=day))
            session.execute(
                update(ChangeLog).where(ChangeLog.testimony_id == number).values(changed_at=day)
            )
        session.commit()
    app.config.update(OAI_PAGE_SIZE=2, OAI_REPOSITORY_IDENTIFIER="localhost")
    return app


@pytest.fixture
def harvester(repository):
    """A sickle client talking HTTP to the archive served on 127.0.0.1."""
    server = make_server("127.0.0.1", 0, repository, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Sickle(f"http://127.0.0.1:{server.server_port}/oai", timeout=10)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _valid(schema, xml: bytes | str) -> ET.Element:
    schema.validate(xml if isinstance(xml, str) else xml.decode("utf-8"))
    return ET.fromstring(xml)


def test_a_harvester_gets_every_public_testimony_and_the_withdrawn_one_as_deleted(
    harvester, schema
):
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    for record in records:
        _valid(schema, ET.tostring(record.xml.getparent().getparent(), encoding="unicode"))
    headers = {r.header.identifier: r for r in records}
    assert sorted(headers) == sorted(map(_identifier, [*PUBLIC, "taken-back-2019"]))
    withdrawn = headers[_identifier("taken-back-2019")]
    assert withdrawn.deleted and withdrawn.xml.find(f"{OAI}metadata") is None
    assert withdrawn.header.setSpecs == []  # consent revoked: the narrator is not named again
    assert "ledger" not in withdrawn.raw and "taken-back" not in withdrawn.raw
    hisham = headers[_identifier("hisham-skeif-2017")].metadata
    assert hisham["creator"] == ["Hisham Skeif"]
    assert hisham["contributor"] == ["Alaa Nassar (interviewer)", "Waleed a-Noufal (interviewer)"]
    assert hisham["identifier"][0].endswith("/testimonies/2")
    assert hisham["date"] == ["2017-12-21"]


def test_restricted_testimony_is_never_harvested_not_even_as_deleted(harvester, repository):
    client = repository.test_client()
    for verb in ("ListRecords", "ListIdentifiers"):
        xml = client.get(f"/oai?verb={verb}&metadataPrefix=oai_dc").get_data(as_text=True)
        assert "kept-back" not in xml and "granary" not in xml
    sets = [s.setSpec for s in harvester.ListSets()]
    assert "narrator:kept-back-2019-narrator" not in sets
    with pytest.raises(oaiexceptions.IdDoesNotExist):
        harvester.GetRecord(identifier=_identifier("kept-back-2019"), metadataPrefix="oai_dc")
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        harvester.ListIdentifiers(metadataPrefix="oai_dc", set="narrator:kept-back-2019-narrator")


def test_identify_describes_the_repository(harvester):
    identify = harvester.Identify()
    assert identify.protocolVersion == "2.0"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.deletedRecord == "transient"
    assert identify.earliestDatestamp == "2020-01-01T12:00:00Z"
    assert identify.baseURL.endswith("/oai")


def test_sets_are_the_narrators_and_a_set_harvests_one_narrators_testimonies(harvester):
    sets = {s.setSpec: s.setName for s in harvester.ListSets()}
    assert sets["narrator:omar-al-halabi"] == "Testimonies of Omar al-Halabi"
    assert "narrator:taken-back-2019-narrator" not in sets  # only a withdrawn testimony
    assert "narrator" in sets
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="narrator:hisham-skeif"))
    assert [h.identifier for h in headers] == [_identifier("hisham-skeif-2017")]
    assert headers[0].setSpecs == ["narrator:hisham-skeif"]
    everyone = harvester.ListIdentifiers(metadataPrefix="oai_dc", set="narrator")
    assert sorted(_slug(h.identifier) for h in everyone) == PUBLIC  # the withdrawn: in no set


def test_from_and_until_select_by_datestamp_in_seconds_and_days(harvester):
    def harvested(**window) -> list[str]:
        try:
            headers = harvester.ListIdentifiers(metadataPrefix="oai_dc", **window)
        except oaiexceptions.NoRecordsMatch:
            return []
        return [_slug(h.identifier) for h in headers]

    assert harvested(**{"from": "2020-01-04"}) == PUBLIC[3:] + ["taken-back-2019"]
    assert harvested(until="2020-01-02") == PUBLIC[:2]
    assert harvested(**{"from": "2020-01-03T12:00:00Z", "until": "2020-01-03T12:00:00Z"}) == [
        PUBLIC[2]
    ]
    assert harvested(**{"from": "2020-01-03T12:00:01Z", "until": "2020-01-04T11:59:59Z"}) == []
    record = harvester.GetRecord(identifier=_identifier(PUBLIC[1]), metadataPrefix="oai_dc")
    assert record.header.datestamp == "2020-01-02T12:00:00Z"


def test_a_list_comes_in_parts_with_resumption_tokens_that_say_where_they_are(repository, schema):
    client = repository.test_client()
    root = _valid(schema, client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data)
    seen, parts = [], 0
    while True:
        parts += 1
        listing = root.find(f"{OAI}ListIdentifiers")
        seen += [h.findtext(f"{OAI}identifier") for h in listing.findall(f"{OAI}header")]
        token = listing.find(f"{OAI}resumptionToken")
        assert token.get("completeListSize") == "6"
        assert token.get("cursor") == str(2 * (parts - 1))
        if not token.text:
            break
        assert parts < 10
        answer = client.get(
            "/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": token.text}
        )
        root = _valid(schema, answer.data)
    assert parts == 3 and len(seen) == len(set(seen)) == 6


def _error(client, schema, **args) -> tuple[str, ET.Element]:
    root = _valid(schema, client.get("/oai", query_string=args).data)
    errors = root.findall(f"{OAI}error")
    assert len(errors) == 1, ET.tostring(root)
    return errors[0].get("code"), root.find(f"{OAI}request")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:localhost:testimonies/5"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-01"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2020-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "not a set"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "made-up"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "made-up"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:localhost:testimonies/5",
                "metadataPrefix": "mods",
            },
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:elsewhere:x", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListMetadataFormats", "identifier": "oai:localhost:testimonies/99"},
            "idDoesNotExist",
        ),
        # digits that are not 0-9, and a number past any database's integer: not a 500
        (
            {"verb": "GetRecord", "identifier": "5", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:localhost:testimonies/\u00b2",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        (
            {"verb": "ListMetadataFormats", "identifier": f"oai:localhost:testimonies/{10**30}"},
            "idDoesNotExist",
        ),
        (
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2031-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "narrator:nobody"},
            "noRecordsMatch",
        ),
    ],
)
def test_a_wrong_request_gets_the_protocols_error_code(repository, schema, args, code):
    found, request = _error(repository.test_client(), schema, **args)
    assert found == code
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}  # the protocol: only the base URL for these two


def test_a_repeated_argument_is_a_bad_argument(repository, schema):
    client = repository.test_client()
    root = _valid(schema, client.get("/oai?verb=ListSets&verb=Identify").data)
    assert root.find(f"{OAI}error").get("code") == "badVerb"
    url = "/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"
    root = _valid(schema, client.get(url).data)
    assert root.find(f"{OAI}error").get("code") == "badArgument"


def test_a_token_made_for_one_verb_is_refused_by_another(repository, schema):
    client = repository.test_client()
    root = ET.fromstring(client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data)
    token = root.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken").text
    code, _ = _error(client, schema, verb="ListRecords", resumptionToken=token)
    assert code == "badResumptionToken"
    code, _ = _error(client, schema, verb="ListIdentifiers", resumptionToken=token[:-2] + "xx")
    assert code == "badResumptionToken"


def test_an_archive_without_public_testimony_has_no_sets_to_list(tmp_path, schema):
    empty = make_app(tmp_path)
    with empty.app_context():
        db.create_schema()
    client = empty.test_client()
    assert _error(client, schema, verb="ListSets")[0] == "noSetHierarchy"
    assert _error(client, schema, verb="ListRecords", metadataPrefix="oai_dc")[0] == (
        "noRecordsMatch"
    )
    _valid(schema, client.get("/oai?verb=Identify").data)


def test_every_verb_answers_within_the_schemas_by_get_and_by_post(repository, schema):
    client = repository.test_client()
    requests = [
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListMetadataFormats", "identifier": _identifier("omar-al-halabi-2017")},
        {"verb": "ListSets"},
        {
            "verb": "GetRecord",
            "identifier": _identifier("omar-al-halabi-2017"),
            "metadataPrefix": "oai_dc",
        },
        {
            "verb": "GetRecord",
            "identifier": _identifier("taken-back-2019"),
            "metadataPrefix": "oai_dc",
        },
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "narrator:omar-al-halabi"},
    ]
    for args in requests:
        got = client.get("/oai", query_string=args)
        posted = client.post("/oai", data=args)
        assert got.status_code == posted.status_code == 200
        assert got.content_type == "text/xml; charset=utf-8"
        for answer in (got, posted):
            root = _valid(schema, answer.data)
            assert root.find(f"{OAI}error") is None, answer.get_data(as_text=True)
            assert root.find(f"{OAI}request").attrib == args
