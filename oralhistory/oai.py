"""OAI-PMH 2.0: the archive's testimonies for harvesters (libraries, aggregators), as `oai_dc`.

One record per public testimony, identified by its number as in its address
(`oai:<repository>:testimonies/<id>`), in one set per narrator (`narrator:<slug>`, inside the
set `narrator`). A withdrawn testimony is a deleted record: its identifier and datestamp stay,
with `status="deleted"`; its words, its narrator and its sets leave (consent was revoked, and
the narrator's name is not told again). Restricted testimony is never exposed, not even as a
deleted record: its existence is not told. So a testimony made restricted after it was
harvested leaves without a trace, and an export of the public archive carries no withdrawn
testimony: the repository cannot promise harvesters every deletion, and declares
`deletedRecord` as `transient`.

Datestamps come from the change log: the time of the testimony's latest change (its creation
when the log has none), in UTC to the second. Resumption tokens are signed and name the last record sent, so that
records added or changed during a harvest neither repeat nor go missing from the list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from xml.etree import ElementTree as ET

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, selectinload

from . import refs
from .citing import Citer, current_work
from .errors import OAIError
from .kinds import AccessLevel
from .models import ChangeLog, Narrator, Testimony, TestimonyEvent
from .recording_exports import recording_dc
from .refs import Addresses

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY, SECOND = "%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ"
SET_ROOT = "narrator"
LIST_ARGUMENTS = {"metadataPrefix", "from", "until", "set"}
VERBS: dict[str, tuple[set[str], set[str]]] = {  # verb: (required, optional) arguments
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, LIST_ARGUMENTS - {"metadataPrefix"}),
    "ListRecords": ({"metadataPrefix"}, LIST_ARGUMENTS - {"metadataPrefix"}),
}
PAGED = {"ListIdentifiers", "ListRecords", "ListSets"}
# as the protocol's schema writes them
PREFIX_RE = re.compile(r"[A-Za-z0-9\-_\.!~\*'\(\)]+")
SET_SPEC_RE = re.compile(r"([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*")


@dataclasses.dataclass(frozen=True)
class Repository:
    """What the repository says of itself, and how it names and pages its records."""

    name: str
    base_url: str
    admin_email: str
    identifier: str  # the namespace part of `oai:<identifier>:<slug>`
    secret: str  # signs resumption tokens
    addresses: Addresses  # a testimony's page in full (dc:identifier)
    page_size: int = 50
    cite: Citer | None = None  # a testimony's citation, as its page gives it (dc:source)


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _add(parent: ET.Element, namespace: str, name: str, text: str | None = None, **attrs):
    element = ET.SubElement(parent, _q(namespace, name), {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = text
    return element


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime(SECOND)


# --- reading the request --------------------------------------------------------------------


def _single(args: dict[str, list[str]]) -> dict[str, str]:
    repeated = sorted(name for name, values in args.items() if len(values) > 1)
    if repeated:
        raise OAIError("badArgument", f"the argument '{repeated[0]}' is given more than once")
    return {name: values[0] for name, values in args.items()}


def _check_arguments(verb: str, args: dict[str, str]) -> None:
    required, optional = VERBS[verb]
    given = set(args) - {"verb"}
    if "resumptionToken" in given and verb in PAGED:
        if given != {"resumptionToken"}:
            raise OAIError("badArgument", "resumptionToken must be the only argument with verb")
        return
    unknown = sorted(given - required - optional)
    if unknown:
        raise OAIError("badArgument", f"{verb} does not take the argument '{unknown[0]}'")
    missing = sorted(required - given)
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument '{missing[0]}'")
    for name, pattern in (("metadataPrefix", PREFIX_RE), ("set", SET_SPEC_RE)):
        if name in args and not pattern.fullmatch(args[name]):
            raise OAIError("badArgument", f"'{args[name][:40]}' is not a well-formed {name}")


def _moment(name: str, value: str) -> tuple[dt.datetime, str]:
    for form, granularity in ((SECOND, "second"), (DAY, "day")):
        try:
            return dt.datetime.strptime(value, form), granularity
        except ValueError:
            continue
    raise OAIError("badArgument", f"'{name}' must be a UTC date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def _window(args: dict[str, str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The `from` (inclusive) and `until` (exclusive: the next second or day) of a list."""
    start = end = None
    granularities = set()
    if args.get("from"):
        start, granularity = _moment("from", args["from"])
        granularities.add(granularity)
    if args.get("until"):
        until, granularity = _moment("until", args["until"])
        granularities.add(granularity)
        end = until + (dt.timedelta(days=1) if granularity == "day" else dt.timedelta(seconds=1))
    if len(granularities) > 1:
        raise OAIError("badArgument", "'from' and 'until' must have the same granularity")
    if start and end and start >= end:
        raise OAIError("badArgument", "'from' is later than 'until'")
    return start, end


# --- the records ----------------------------------------------------------------------------


def _datestamp() -> ColumnElement:
    latest = (
        select(func.max(ChangeLog.changed_at))
        .where(ChangeLog.testimony_id == Testimony.id)
        .scalar_subquery()
    )
    return func.coalesce(latest, Testimony.created_at)


def _harvested(set_spec: str | None) -> list[ColumnElement[bool]]:
    # Withdrawn public testimonies stay in, as deleted records in no set; restricted ones
    # never appear.
    conditions: list[ColumnElement[bool]] = [Testimony.access == AccessLevel.PUBLIC]
    if set_spec:
        conditions.append(Testimony.withdrawn_at.is_(None))
    if set_spec and set_spec != SET_ROOT:
        slug = set_spec.removeprefix(f"{SET_ROOT}:")
        if not set_spec.startswith(f"{SET_ROOT}:"):
            slug = ""  # no such set: nothing matches
        conditions.append(Testimony.narrator.has(Narrator.slug == slug))
    return conditions


def _identifier(repo: Repository, testimony: Testimony) -> str:
    return f"oai:{repo.identifier}:testimonies/{testimony.id}"


def _id_of(repo: Repository, identifier: str) -> int | None:
    number = identifier.removeprefix(f"oai:{repo.identifier}:testimonies/")
    # 0-9 only (`isdigit` takes "²"), and no more than any database's integer holds
    found = number != identifier and re.fullmatch(r"[0-9]{1,9}", number)
    return int(number) if found else None


def _find(session: Session, repo: Repository, identifier: str) -> tuple[Testimony, dt.datetime]:
    number = _id_of(repo, identifier)
    row = session.execute(
        select(Testimony, _datestamp()).where(Testimony.id == number, *_harvested(None))
    ).first()
    if row is None:
        raise OAIError("idDoesNotExist", f"there is no record '{identifier}' in this repository")
    return row[0], row[1]


def _header(parent: ET.Element, repo: Repository, testimony: Testimony, stamp: dt.datetime):
    deleted = testimony.withdrawn_at is not None
    header = _add(parent, OAI, "header", status="deleted" if deleted else None)
    _add(header, OAI, "identifier", _identifier(repo, testimony))
    _add(header, OAI, "datestamp", _stamp(stamp))
    if not deleted:
        _add(header, OAI, "setSpec", f"{SET_ROOT}:{testimony.narrator.slug}")
    return header


def dublin_core(testimony: Testimony, url: str, cited: str | None) -> dict[str, list[str]]:
    """The testimony as unqualified Dublin Core: element name to values, in the usual order;
    `cited` is its citation as its page gives it."""
    citation, narrator = testimony.citation, testimony.narrator
    heard = recording_dc(testimony.recording)
    return {
        "title": [testimony.title],
        "creator": [narrator.name],
        "contributor": [f"{name} (interviewer)" for name in testimony.interviewers],
        "subject": [link.event.title for link in testimony.event_links],
        "description": [
            text
            for text in (narrator.biography, citation.get("editing_note"))
            if text  # the source's introduction of the narrator, then how the text was edited
        ],
        "publisher": [citation["publisher"]] if citation.get("publisher") else [],
        "date": [testimony.interview_date.isoformat()] if testimony.interview_date else [],
        "type": ["Text", *heard["type"]],
        "format": ["text/html", *heard["format"]],
        "identifier": [url],
        "source": [cited] if cited else [],
        # every language the text is held in, the main text's first
        "language": [testimony.language, *(held.code for held in testimony.other_languages)],
        "relation": [citation["url"]] if citation.get("url") else [],
        "rights": [testimony.rights] if testimony.rights else [],
    }


def _record(
    session: Session,
    parent: ET.Element,
    repo: Repository,
    testimony: Testimony,
    stamp: dt.datetime,
):
    record = _add(parent, OAI, "record")
    _header(record, repo, testimony, stamp)
    if testimony.withdrawn_at is not None:
        return
    metadata = _add(record, OAI, "metadata")
    dc = _add(metadata, OAI_DC, "dc")
    dc.set(_q(XSI, "schemaLocation"), f"{OAI_DC} {OAI_DC_SCHEMA}")
    cited = repo.cite(current_work(session, testimony), None) if repo.cite else None
    url = repo.addresses.of(refs.testimony(testimony.id))
    for name, values in dublin_core(testimony, url, cited and cited["citation_text"]).items():
        for value in values:
            _add(dc, DC, name, value)


# --- the verbs ------------------------------------------------------------------------------


def _identify(session: Session, repo: Repository, body: ET.Element, _args) -> None:
    earliest = session.scalar(select(func.min(_datestamp())).where(*_harvested(None)))
    identify = _add(body, OAI, "Identify")
    _add(identify, OAI, "repositoryName", repo.name)
    _add(identify, OAI, "baseURL", repo.base_url)
    _add(identify, OAI, "protocolVersion", "2.0")
    _add(identify, OAI, "adminEmail", repo.admin_email)
    _add(identify, OAI, "earliestDatestamp", _stamp(earliest or dt.datetime(2000, 1, 1)))
    _add(identify, OAI, "deletedRecord", "transient")
    _add(identify, OAI, "granularity", GRANULARITY)


def _list_metadata_formats(session: Session, repo: Repository, body: ET.Element, args) -> None:
    if "identifier" in args:
        _find(session, repo, args["identifier"])
    formats = _add(body, OAI, "ListMetadataFormats")
    entry = _add(formats, OAI, "metadataFormat")
    _add(entry, OAI, "metadataPrefix", "oai_dc")
    _add(entry, OAI, "schema", OAI_DC_SCHEMA)
    _add(entry, OAI, "metadataNamespace", OAI_DC)


def _list_sets(session: Session, repo: Repository, body: ET.Element, args) -> None:
    if "resumptionToken" in args:  # every set fits in one answer: no token is ever given
        raise OAIError("badResumptionToken", "this repository gives no resumption token for sets")
    narrators = session.scalars(
        select(Narrator)
        .where(Narrator.testimonies.any(and_(*_harvested(None), Testimony.withdrawn_at.is_(None))))
        .order_by(Narrator.slug)
    ).all()
    if not narrators:
        raise OAIError("noSetHierarchy", "the repository holds no sets yet: it holds no records")
    sets = _add(body, OAI, "ListSets")
    entry = _add(sets, OAI, "set")
    _add(entry, OAI, "setSpec", SET_ROOT)
    _add(entry, OAI, "setName", "Testimonies by narrator")
    for narrator in narrators:
        entry = _add(sets, OAI, "set")
        _add(entry, OAI, "setSpec", f"{SET_ROOT}:{narrator.slug}")
        _add(entry, OAI, "setName", f"Testimonies of {narrator.name}")


def _prefix(args: dict[str, str]) -> None:
    if args["metadataPrefix"] != "oai_dc":
        raise OAIError(
            "cannotDisseminateFormat",
            f"the format '{args['metadataPrefix']}' is not given here; ask for 'oai_dc'",
        )


def _get_record(session: Session, repo: Repository, body: ET.Element, args) -> None:
    _prefix(args)
    testimony, stamp = _find(session, repo, args["identifier"])
    _record(session, _add(body, OAI, "GetRecord"), repo, testimony, stamp)


def _serializer(repo: Repository) -> URLSafeSerializer:
    return URLSafeSerializer(repo.secret, salt="oai-pmh resumption")


def _list(verb: str, session: Session, repo: Repository, body: ET.Element, args) -> None:
    if "resumptionToken" in args:
        try:
            state = _serializer(repo).loads(args["resumptionToken"])
            if state.pop("verb") != verb:
                raise BadSignature("made for another verb")
            after = int(state.pop("after"))
        except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
            raise OAIError(
                "badResumptionToken", "the resumption token is not one this repository gave"
            ) from None
        args = state
    else:
        after = 0
    _prefix(args)
    start, end = _window(args)
    stamp = _datestamp()
    conditions = _harvested(args.get("set"))
    if start is not None:
        conditions.append(stamp >= start)
    if end is not None:
        conditions.append(stamp < end)
    total = session.scalar(select(func.count(Testimony.id)).where(*conditions)) or 0
    rows = session.execute(
        select(Testimony, stamp)
        .where(*conditions, Testimony.id > after)
        .order_by(Testimony.id)
        .limit(repo.page_size + 1)
        .options(
            selectinload(Testimony.narrator),
            selectinload(Testimony.event_links).selectinload(TestimonyEvent.event),
        )
    ).all()
    if not rows:
        raise OAIError("noRecordsMatch", "no record matches these arguments")
    listing = _add(body, OAI, verb)
    for testimony, moment in rows[: repo.page_size]:
        if verb == "ListRecords":
            _record(session, listing, repo, testimony, moment)
        else:
            _header(listing, repo, testimony, moment)
    if after > 0 or len(rows) > repo.page_size:  # a list in parts: say where this part is
        sent_before = session.scalar(
            select(func.count(Testimony.id)).where(*conditions, Testimony.id <= after)
        )
        token = _add(
            listing, OAI, "resumptionToken", completeListSize=str(total), cursor=str(sent_before)
        )
        if len(rows) > repo.page_size:
            last = rows[repo.page_size - 1][0].id
            token.text = _serializer(repo).dumps({**args, "verb": verb, "after": last})


VERB_HANDLERS: dict[str, Callable[..., None]] = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": lambda *a: _list("ListIdentifiers", *a),
    "ListRecords": lambda *a: _list("ListRecords", *a),
}


def respond(
    session: Session, repo: Repository, args: dict[str, list[str]], now: dt.datetime
) -> bytes:
    """The repository's answer to one OAI-PMH request (`args`: every value of every argument),
    as an XML document: the verb's answer, or the protocol's error naming what is wrong."""
    root = ET.Element(_q(OAI, "OAI-PMH"))
    root.set(_q(XSI, "schemaLocation"), f"{OAI} {OAI_SCHEMA}")
    _add(root, OAI, "responseDate", _stamp(now))
    request = _add(root, OAI, "request", repo.base_url)
    try:
        verbs = args.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in VERBS:
            shown = "', '".join(verbs)
            raise OAIError(
                "badVerb", f"'{shown}' is not an OAI-PMH verb" if verbs else "the verb is missing"
            )
        single = _single(args)
        _check_arguments(verbs[0], single)
        for name, value in single.items():  # a request that is well formed is repeated back
            request.set(name, value)
        body = ET.Element("body")
        VERB_HANDLERS[verbs[0]](session, repo, body, single)
        root.extend(list(body))
    except OAIError as error:
        if error.code in ("badVerb", "badArgument"):
            request.attrib.clear()
        _add(root, OAI, "error", str(error), code=error.code)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
