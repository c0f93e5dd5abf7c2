"""Parsing what readers send in the query string, shared by the pages and the API."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for

from ..auth import current_viewer
from ..messages import _
from ..records import PageAddress
from ..search import QueryError, SearchRequest

# Digits 0-9 only: `str.isdigit` also takes "²" and "٣", which `int()` then refuses or
# reads; and a bound on the length, so that a 5,000-digit number is refused, not converted.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def page_url(address: PageAddress) -> str:
    """The URL of a page a service names (`records.PageAddress`)."""
    return url_for(address.endpoint, _anchor=address.fragment, **dict(address.values))


def with_url(value: Any) -> Any:
    """`value`, or its URL if it names a page (`records.PageAddress`)."""
    return page_url(value) if isinstance(value, PageAddress) else value


def absolute_url(path: str | PageAddress) -> str:
    """`path` (as `url_for` gives it, or a page a service names) as a full address: under the
    archive's public address (`ORALHISTORY_PUBLIC_URL`) when set, so that what is cited and
    harvested names the archive whatever `Host` a request came with (a proxy's, a forged
    one); else the request's own."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + with_url(path)


def public_host() -> str:
    """The host name of the archive's public address (for OAI-PMH identifiers)."""
    return urlsplit(absolute_url("/")).hostname or "localhost"


def whole_number(raw: str | None, what: str) -> int | None:
    """`raw` read as a whole number, None when empty; raise `QueryError` naming `what`."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not WHOLE_NUMBER.fullmatch(raw):
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise QueryError(
            _(
                "%(what)s must be a whole number of at most 9 digits, not '%(value)s'",
                what=what,
                value=shown,
            )
        )
    return int(raw)


def _whole_number(name: str, default: int) -> int:
    value = whole_number(request.args.get(name), f"'{name}'")
    return default if value is None else value


def page_number() -> int | None:
    """The `page` the reader asked for (from 1), None when not asked; a `page` that is not a
    whole number from 1 is refused with a 400 that says so."""
    raw = request.args.get("page", "").strip()
    if not raw:
        return None
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        abort(
            400, description=_("'page' must be a whole number from 1, not '%(page)s'.", page=shown)
        )
    return int(raw)


def listening_from() -> float | None:
    """The moment of the recording the reader's link starts at (`?t=95`, seconds), or None;
    a `t` that is not such a number is left aside, as a player leaves a fragment it cannot
    read."""
    raw = request.args.get("t", "").strip()
    if not re.fullmatch(r"[0-9]{1,7}(?:\.[0-9]{1,3})?", raw):
        return None
    return float(raw)


def search_request() -> SearchRequest:
    """The search the reader asked for, as a `SearchRequest` (raises `QueryError`)."""
    return SearchRequest(
        q=request.args.get("q", ""),
        narrator=request.args.get("narrator") or None,
        place=request.args.get("place") or None,
        event=request.args.get("event") or None,
        page=_whole_number("page", 1),
        per_page=_whole_number("per_page", current_app.config["PER_PAGE"]),
        include_restricted=current_viewer().is_archivist,
    )
