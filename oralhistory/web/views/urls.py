"""The one URL builder: every address of a record's page the archive gives, in the views, the
templates (as `urls`), the JSON answers, the sitemap, OAI-PMH and the downloads.

Each function takes the record's identity (a testimony's id, a slug, an anchor) and, with
`absolute=True`, gives the full address under the archive's public address
(`ORALHISTORY_PUBLIC_URL`, read in `full` and nowhere else) or, without it, the request's own.
The services name pages as `refs.Ref` values; `of` turns one into its URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from ...collection.timecodes import url_seconds
from ...record.refs import Ref


def full(path: str) -> str:
    """`path` (an address on this site, "/…") as a full address: under the archive's public
    address (`ORALHISTORY_PUBLIC_URL`) when set, so that what is cited and harvested names
    the archive whatever `Host` a request came with (a proxy's, a forged one); else the
    request's own."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def public_host() -> str:
    """The host name of the archive's public address (for OAI-PMH identifiers)."""
    return urlsplit(full("/")).hostname or "localhost"


def _made(endpoint: str, absolute: bool, fragment: str | None = None, /, **values: Any) -> str:
    # positional only: a route's own `anchor` (a passage's page) is one of the `values`
    path = url_for(endpoint, _anchor=fragment, **values)
    return full(path) if absolute else path


def testimony(
    testimony_id: int, anchor: str | None = None, *, absolute: bool = False, **query: Any
) -> str:
    """A testimony's page, at `anchor`, with `query` (`page`, `t`, `q`, `text`…) in order."""
    return _made("pages.testimony", absolute, anchor, testimony_id=testimony_id, **query)


def passage(testimony_id: int, anchor: str, *, absolute: bool = False) -> str:
    """A passage's own page: its permanent address, which answers even after a correction."""
    return _made("citations.passage", absolute, testimony_id=testimony_id, anchor=anchor)


def revision(
    testimony_id: int, number: int, anchor: str | None = None, *, absolute: bool = False
) -> str:
    """A testimony as it stood at revision `number`, at `anchor`."""
    return _made("citations.revision", absolute, anchor, testimony_id=testimony_id, number=number)


def cite(testimony_id: int, anchor: str | None = None, **query: Any) -> str:
    """The "cite this" page of a testimony or of one of its passages."""
    return _made("citations.cite", False, testimony_id=testimony_id, anchor=anchor, **query)


def citation(testimony_id: int, kind: str, anchor: str | None = None, **query: Any) -> str:
    """A citation to download (`kind`: json, ris, bib) of a testimony or a passage."""
    values = {"testimony_id": testimony_id, "anchor": anchor, "kind": kind, **query}
    return _made("citations.download", False, **values)


def narrator(slug: str, anchor: str | None = None, *, absolute: bool = False) -> str:
    """A narrator's page."""
    return _made("pages.narrator", absolute, anchor, slug=slug)


def event(slug: str, anchor: str | None = None, *, absolute: bool = False) -> str:
    """An event's page, at a voice (`anchor`) that speaks of it."""
    return _made("pages.event", absolute, anchor, slug=slug)


def place(slug: str, anchor: str | None = None, *, absolute: bool = False) -> str:
    """A place's page, at a voice (`anchor`) that speaks of it."""
    return _made("pages.place", absolute, anchor, slug=slug)


def recording(testimony_id: int, *, absolute: bool = False, **query: Any) -> str:
    """A testimony's recording (`download=1` to save it)."""
    return _made("media.recording", absolute, testimony_id=testimony_id, **query)


def transcript_vtt(testimony_id: int, *, absolute: bool = False) -> str:
    """A testimony's timed passages as WebVTT captions."""
    return _made("timecodes.transcript_vtt", absolute, testimony_id=testimony_id)


def manifest(testimony_id: int, *, absolute: bool = False) -> str:
    """A testimony's recording as a IIIF Presentation 3 manifest."""
    return _made("recording_interop.manifest", absolute, testimony_id=testimony_id)


def ohms(testimony_id: int, *, absolute: bool = False) -> str:
    """A testimony's recording as an OHMS XML record."""
    return _made("recording_interop.ohms", absolute, testimony_id=testimony_id)


def export(testimony_id: int, kind: str) -> str:
    """A testimony to download whole (`kind`: "txt" or "json")."""
    endpoint = {"txt": "interop.testimony_text", "json": "interop.testimony_json"}[kind]
    return _made(endpoint, False, testimony_id=testimony_id)


def oai(*, absolute: bool = False) -> str:
    """The OAI-PMH endpoint (its base URL)."""
    return _made("interop.oai_pmh", absolute)


def home(*, absolute: bool = False) -> str:
    """The archive's front page."""
    return _made("pages.home", absolute)


def narrators(*, absolute: bool = False) -> str:
    """The list of narrators."""
    return _made("pages.narrators", absolute)


def timeline(*, absolute: bool = False, **query: Any) -> str:
    """The timeline (`place=` for one place's)."""
    return _made("pages.timeline", absolute, **query)


def of(ref: Ref, *, absolute: bool = False) -> str:
    """The URL of the page a service names (`refs.Ref`)."""
    if ref.kind == "testimony":
        query: dict[str, Any] = {}
        if ref.page is not None:
            query["page"] = ref.page
        if ref.start is not None:  # the hit plays from its passage's start
            query["t"] = url_seconds(ref.start)
        return testimony(int(ref.key), ref.anchor, absolute=absolute, **query)
    if ref.kind == "passage":
        return passage(int(ref.key), str(ref.anchor), absolute=absolute)
    if ref.kind == "recording":
        return recording(int(ref.key), absolute=absolute)
    made = {"narrator": narrator, "event": event, "place": place}[ref.kind]
    return made(str(ref.key), ref.anchor, absolute=absolute)


def with_url(value: Any) -> Any:
    """`value`, or its URL if it names a page (`refs.Ref`): what templates print."""
    return of(value) if isinstance(value, Ref) else value


class _FullAddresses:
    """The `refs.Addresses` the formats are handed: every page in full."""

    def of(self, ref: Ref) -> str:
        return of(ref, absolute=True)


FULL = _FullAddresses()
