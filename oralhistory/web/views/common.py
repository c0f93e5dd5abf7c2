"""Parsing what readers send in the query string, shared by the pages and the API."""

from __future__ import annotations

import re

from flask import abort, current_app, request

from ...errors import BadParameter
from ...messages import _
from ...search import SearchRequest
from ..auth import current_viewer

# Digits 0-9 only: `str.isdigit` also takes "²" and "٣", which `int()` then refuses or
# reads; and a bound on the length, so that a 5,000-digit number is refused, not converted.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(raw: str | None, what: str) -> int | None:
    """`raw` read as a whole number, None when empty; raise `BadParameter` naming `what`."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not WHOLE_NUMBER.fullmatch(raw):
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise BadParameter(
            _(
                "%(what)s must be a whole number of at most 9 digits, not '%(shown)s'",
                what=what,
                shown=shown,
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
    """The search the reader asked for, as a `SearchRequest` (raises `BadParameter` for a
    page or a page size that is not a number)."""
    return SearchRequest(
        q=request.args.get("q", ""),
        narrator=request.args.get("narrator") or None,
        place=request.args.get("place") or None,
        event=request.args.get("event") or None,
        page=_whole_number("page", 1),
        per_page=_whole_number("per_page", current_app.config["PER_PAGE"]),
        include_restricted=current_viewer().is_archivist,
    )
