"""Parsing what readers send in the query string, shared by the pages and the API."""

from __future__ import annotations

from flask import current_app, request

from ..auth import current_viewer
from ..search import QueryError, SearchRequest


def _whole_number(name: str, default: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise QueryError(f"'{name}' must be a whole number, not '{raw[:20]}'")
    return int(raw)


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
