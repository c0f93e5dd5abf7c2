"""OAI-PMH's records: which testimonies a harvester sees (public ones; withdrawn ones as
deleted records), their datestamps from the change log, their sets (one per narrator), and
each as an `oai_dc` record. The protocol's verbs are `oai`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from xml.etree import ElementTree as ET

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..errors import OAIError
from ..record import refs
from ..record.citing import Citer, current_work
from ..record.kinds import AccessLevel
from ..record.models import ChangeLog, Narrator, Testimony
from ..record.refs import Addresses
from .recording_exports import recording_dc

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

SECOND = "%Y-%m-%dT%H:%M:%SZ"
SET_ROOT = "narrator"


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


def qualified(namespace: str, name: str) -> str:
    """`name` in `namespace`, as ElementTree spells it."""
    return f"{{{namespace}}}{name}"


def add(parent: ET.Element, namespace: str, name: str, text: str | None = None, **attrs):
    """A new child element of `parent`, with `text` and the attributes given a value."""
    element = ET.SubElement(
        parent, qualified(namespace, name), {k: v for k, v in attrs.items() if v}
    )
    if text is not None:
        element.text = text
    return element


def moment_text(moment: dt.datetime) -> str:
    """A moment (UTC) as the protocol writes it, to the second."""
    return moment.strftime(SECOND)


def datestamp() -> ColumnElement:
    """A testimony's datestamp: its latest change in the log, else its creation."""
    latest = (
        select(func.max(ChangeLog.changed_at))
        .where(ChangeLog.testimony_id == Testimony.id)
        .scalar_subquery()
    )
    return func.coalesce(latest, Testimony.created_at)


def harvested(set_spec: str | None) -> list[ColumnElement[bool]]:
    """The conditions a testimony meets to be in the set `set_spec` (None: in the repository)."""
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


def oai_identifier(repo: Repository, testimony: Testimony) -> str:
    """The testimony's OAI identifier."""
    return f"oai:{repo.identifier}:testimonies/{testimony.id}"


def id_of(repo: Repository, identifier: str) -> int | None:
    """The testimony number an OAI identifier names, None when it names none."""
    number = identifier.removeprefix(f"oai:{repo.identifier}:testimonies/")
    # 0-9 only (`isdigit` takes "²"), and no more than any database's integer holds
    found = number != identifier and re.fullmatch(r"[0-9]{1,9}", number)
    return int(number) if found else None


def find(session: Session, repo: Repository, identifier: str) -> tuple[Testimony, dt.datetime]:
    """The harvested testimony an identifier names, with its datestamp; else `idDoesNotExist`."""
    number = id_of(repo, identifier)
    row = session.execute(
        select(Testimony, datestamp()).where(Testimony.id == number, *harvested(None))
    ).first()
    if row is None:
        raise OAIError("idDoesNotExist", f"there is no record '{identifier}' in this repository")
    return row[0], row[1]


def add_header(parent: ET.Element, repo: Repository, testimony: Testimony, stamp: dt.datetime):
    """Add the testimony's record header (deleted when withdrawn) to `parent`."""
    deleted = testimony.withdrawn_at is not None
    header = add(parent, OAI, "header", status="deleted" if deleted else None)
    add(header, OAI, "identifier", oai_identifier(repo, testimony))
    add(header, OAI, "datestamp", moment_text(stamp))
    if not deleted:
        add(header, OAI, "setSpec", f"{SET_ROOT}:{testimony.narrator.slug}")
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


def add_record(
    session: Session,
    parent: ET.Element,
    repo: Repository,
    testimony: Testimony,
    stamp: dt.datetime,
):
    """Add the testimony as a record (its header, and its `oai_dc` unless withdrawn)."""
    record = add(parent, OAI, "record")
    add_header(record, repo, testimony, stamp)
    if testimony.withdrawn_at is not None:
        return
    metadata = add(record, OAI, "metadata")
    dc = add(metadata, OAI_DC, "dc")
    dc.set(qualified(XSI, "schemaLocation"), f"{OAI_DC} {OAI_DC_SCHEMA}")
    cited = repo.cite(current_work(session, testimony), None) if repo.cite else None
    url = repo.addresses.of(refs.testimony(testimony.id))
    for name, values in dublin_core(testimony, url, cited and cited["citation_text"]).items():
        for value in values:
            add(dc, DC, name, value)
