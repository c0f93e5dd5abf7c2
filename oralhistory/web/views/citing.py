"""The archive's citations as the web layer makes them: the permanent address, today as the
day of access and the archive's name, given to `citation.cite`, the one way it cites."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app

from ...formats import citation
from . import urls


def today() -> dt.date:
    """The day of access a citation names (UTC)."""
    return dt.datetime.now(dt.UTC).date()


def cited_url(work: dict[str, Any], anchor: str | None = None) -> str:
    """The permanent address a citation names: the passage's own address, or the
    testimony's; a revision's for an earlier text than the one that stands now."""
    testimony_id = work["testimony_id"]
    if work["is_current"]:
        return permanent_url(testimony_id, anchor)
    return urls.revision(testimony_id, work["number"], anchor, absolute=True)


def permanent_url(testimony_id: int, anchor: str | None = None) -> str:
    """The testimony's address, or its passage's own (which answers even after a correction
    removed the passage), in full."""
    if anchor is None:
        return urls.testimony(testimony_id, absolute=True)
    return urls.passage(testimony_id, anchor, absolute=True)


def cite_now(work: dict[str, Any], anchor: str | None = None) -> dict[str, str]:
    """The testimony's (or its passage's) citation in the default style as the cite page
    shows it today, with the address it names as "url" (a `citing.Citer`)."""
    return _cite(work, anchor, today())


def cite_undated(work: dict[str, Any], anchor: str | None = None) -> dict[str, str]:
    """The same citation without a day of access: for harvesters (OAI-PMH `dc:source`),
    whose copy of a record must not change from one day to the next while the record does
    not."""
    return _cite(work, anchor, None)


def _cite(work: dict[str, Any], anchor: str | None, accessed: dt.date | None) -> dict[str, str]:
    url = cited_url(work, anchor)
    cited = citation.cite(
        work,
        url=url,
        accessed=accessed,
        archive=current_app.config["ARCHIVE_NAME"],
        anchor=anchor,
    )
    return {**cited, "url": url}
