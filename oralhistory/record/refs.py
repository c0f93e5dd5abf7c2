"""Which record a value links to, as the record names it: a testimony (at a passage's anchor,
on the page of a long testimony that shows it, from a time in its recording), a passage's own
page, a narrator, an event, a place, a recording.

The services put a `Ref` where a page shows a link ("url" in their dicts); they name no
endpoint and build no URL. The web layer (`views/urls.py`) makes every URL from a `Ref`, and
hands the formats that need full addresses (JSON-LD, the CSV, OAI-PMH) an `Addresses`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Kind = Literal["testimony", "passage", "narrator", "event", "place", "recording"]


@dataclass(frozen=True)
class Ref:
    """A record's page: its kind and key (a testimony's id, a slug), and where on it."""

    kind: Kind
    key: int | str
    anchor: str | None = None  # the part after "#": a passage, or a voice on an event's page
    page: int | None = None  # the page of a long testimony that shows `anchor` (from 2)
    start: float | None = None  # seconds into the recording to play from


class Addresses(Protocol):
    """What a format that names pages in full is handed by the web layer."""

    def of(self, ref: Ref) -> str:
        """The full address of the page `ref` names."""
        ...


def testimony(
    testimony_id: int,
    anchor: str | None = None,
    page: int | None = None,
    start: float | None = None,
) -> Ref:
    """A testimony's page, at `anchor` on its `page`, playing from `start`."""
    return Ref("testimony", testimony_id, anchor, page, start)


def passage(testimony_id: int, anchor: str) -> Ref:
    """A passage's own page, which answers even after a correction removed the passage."""
    return Ref("passage", testimony_id, anchor)


def narrator(slug: str) -> Ref:
    """A narrator's page."""
    return Ref("narrator", slug)


def event(slug: str, anchor: str | None = None) -> Ref:
    """An event's page, at a voice (`anchor`) among those that speak of it."""
    return Ref("event", slug, anchor)


def place(slug: str, anchor: str | None = None) -> Ref:
    """A place's page, at a voice (`anchor`) among those that speak of it."""
    return Ref("place", slug, anchor)


def recording(testimony_id: int) -> Ref:
    """A testimony's recording."""
    return Ref("recording", testimony_id)
