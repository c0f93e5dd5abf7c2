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

import datetime as dt
import re
from collections.abc import Callable
from xml.etree import ElementTree as ET

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from ..errors import OAIError
from ..record.models import Narrator, Testimony, TestimonyEvent
from .oai_records import (
    OAI,
    OAI_DC,
    OAI_DC_SCHEMA,
    OAI_SCHEMA,
    SECOND,
    SET_ROOT,
    XSI,
    Repository,
    add,
    add_header,
    add_record,
    datestamp,
    find,
    harvested,
    moment_text,
    qualified,
)

__all__ = ["Repository", "respond"]

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY = "%Y-%m-%d"
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


# --- the verbs ------------------------------------------------------------------------------


def _identify(session: Session, repo: Repository, body: ET.Element, _args) -> None:
    earliest = session.scalar(select(func.min(datestamp())).where(*harvested(None)))
    identify = add(body, OAI, "Identify")
    add(identify, OAI, "repositoryName", repo.name)
    add(identify, OAI, "baseURL", repo.base_url)
    add(identify, OAI, "protocolVersion", "2.0")
    add(identify, OAI, "adminEmail", repo.admin_email)
    add(identify, OAI, "earliestDatestamp", moment_text(earliest or dt.datetime(2000, 1, 1)))
    add(identify, OAI, "deletedRecord", "transient")
    add(identify, OAI, "granularity", GRANULARITY)


def _list_metadata_formats(session: Session, repo: Repository, body: ET.Element, args) -> None:
    if "identifier" in args:
        find(session, repo, args["identifier"])
    formats = add(body, OAI, "ListMetadataFormats")
    entry = add(formats, OAI, "metadataFormat")
    add(entry, OAI, "metadataPrefix", "oai_dc")
    add(entry, OAI, "schema", OAI_DC_SCHEMA)
    add(entry, OAI, "metadataNamespace", OAI_DC)


def _list_sets(session: Session, repo: Repository, body: ET.Element, args) -> None:
    if "resumptionToken" in args:  # every set fits in one answer: no token is ever given
        raise OAIError("badResumptionToken", "this repository gives no resumption token for sets")
    narrators = session.scalars(
        select(Narrator)
        .where(Narrator.testimonies.any(and_(*harvested(None), Testimony.withdrawn_at.is_(None))))
        .order_by(Narrator.slug)
    ).all()
    if not narrators:
        raise OAIError("noSetHierarchy", "the repository holds no sets yet: it holds no records")
    sets = add(body, OAI, "ListSets")
    entry = add(sets, OAI, "set")
    add(entry, OAI, "setSpec", SET_ROOT)
    add(entry, OAI, "setName", "Testimonies by narrator")
    for narrator in narrators:
        entry = add(sets, OAI, "set")
        add(entry, OAI, "setSpec", f"{SET_ROOT}:{narrator.slug}")
        add(entry, OAI, "setName", f"Testimonies of {narrator.name}")


def _prefix(args: dict[str, str]) -> None:
    if args["metadataPrefix"] != "oai_dc":
        raise OAIError(
            "cannotDisseminateFormat",
            f"the format '{args['metadataPrefix']}' is not given here; ask for 'oai_dc'",
        )


def _get_record(session: Session, repo: Repository, body: ET.Element, args) -> None:
    _prefix(args)
    testimony, stamp = find(session, repo, args["identifier"])
    add_record(session, add(body, OAI, "GetRecord"), repo, testimony, stamp)


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
    stamp = datestamp()
    conditions = harvested(args.get("set"))
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
    listing = add(body, OAI, verb)
    for testimony, moment in rows[: repo.page_size]:
        if verb == "ListRecords":
            add_record(session, listing, repo, testimony, moment)
        else:
            add_header(listing, repo, testimony, moment)
    if after > 0 or len(rows) > repo.page_size:  # a list in parts: say where this part is
        sent_before = session.scalar(
            select(func.count(Testimony.id)).where(*conditions, Testimony.id <= after)
        )
        token = add(
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
    root = ET.Element(qualified(OAI, "OAI-PMH"))
    root.set(qualified(XSI, "schemaLocation"), f"{OAI} {OAI_SCHEMA}")
    add(root, OAI, "responseDate", moment_text(now))
    request = add(root, OAI, "request", repo.base_url)
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
        add(root, OAI, "error", str(error), code=error.code)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
