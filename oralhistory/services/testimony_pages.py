"""Reading one testimony, a page at a time: a long testimony is never read whole for a page.

A page holds `records.PASSAGES_PER_PAGE` passages in reading order; the JSON gives the whole
testimony unless a page is asked for, and the plain-text export reads it in batches. A
passage's anchor `p-N` is reached from any page: `passages_elsewhere` names the page of every
passage that page does not show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import search
from ..record import languages, refs
from ..record.access import Viewer
from ..record.citing import Citer, current_work
from ..record.kinds import LinkKind, LinkStatus
from ..record.language_models import LanguageText
from ..record.models import MAX_ROW_ID, ContextLink, Event, Passage, Place, Testimony
from .linkcounts import passage_counts
from .paging import Paging, paging
from .records import (
    PASSAGES_PER_PAGE,
    _date,
    link_summary,
    page_of,
    passage_address,
    passage_segments,
    readable,
    recording_ref,
    spoken_of,
    testimony_summary,
    voice_anchor,
)
from .searching import search_gazetteer
from .timeline_pages import events_by_slug, places_by_slug

# Passages read at a time for the plain-text export.
TEXT_BATCH = 500


def readable_testimony(session: Session, testimony_id: int, viewer: Viewer) -> Testimony:
    """The testimony, if `viewer` may read it; else `Withdrawn` or `NotFound` (`readable`)."""
    testimony = session.get(Testimony, testimony_id) if 0 < testimony_id <= MAX_ROW_ID else None
    return readable(viewer, testimony, testimony_id)


def get_testimony(
    session: Session, testimony_id: int, viewer: Viewer, cite: Citer, page: int = 1
) -> dict[str, Any]:
    """The testimony: citation (made by `cite`), narrator, its events, and page `page`
    (from 1) of its passages, `PASSAGES_PER_PAGE` to a page, with anchors and links (a testimony of no more
    passages is whole on its one page); `page`, `pages` and `per_page` say which."""
    testimony = readable_testimony(session, testimony_id, viewer)
    total = passage_counts(session, [testimony.id]).get(testimony.id, 0)
    chosen = paging(page, PASSAGES_PER_PAGE, total, f"testimony {testimony_id}")
    return {
        **_head(session, testimony, total, cite),
        **chosen.as_dict(),
        "passages": _passages(session, testimony, viewer, chosen.offset, chosen.per_page),
        "events": spoken_of(session, [testimony.id]),
    }


def heard_at(session: Session, testimony_id: int, seconds: float) -> tuple[int, str] | None:
    """The passage heard at `seconds` into the recording (the last to start by then), as its
    (position, anchor); None when no timed passage starts by then."""
    found = session.execute(
        select(Passage.position, Passage.number)
        .where(
            Passage.testimony_id == testimony_id,
            Passage.start.is_not(None),
            Passage.start <= seconds,
        )
        .order_by(Passage.start.desc(), Passage.position.desc())
        .limit(1)
    ).first()
    return (found.position, f"p-{found.number}") if found else None


def whole_testimony_json(
    session: Session,
    testimony_id: int,
    viewer: Viewer,
    cite: Citer,
    dumps: Callable[[Any], str],
) -> Iterator[str]:
    """The testimony as `get_testimony` gives it, but with every passage on its one page, as JSON (`dumps`
    writes one value) in pieces to send as they are made, a page of passages at a time."""
    testimony = readable_testimony(session, testimony_id, viewer)
    total = passage_counts(session, [testimony.id]).get(testimony.id, 0)
    # one page holding them all: for a testimony of one page, what the API answers
    whole = Paging(1, max(total, PASSAGES_PER_PAGE), total)
    head = {
        **_head(session, testimony, total, cite),
        **whole.as_dict(),
        "events": spoken_of(session, [testimony.id]),
    }
    yield dumps(head).rstrip()[:-1] + ', "passages": ['
    timeline = events_by_slug(session), places_by_slug(session)
    for offset in range(0, total, PASSAGES_PER_PAGE):
        batch = _passages(session, testimony, viewer, offset, PASSAGES_PER_PAGE, timeline)
        yield ("," if offset else "") + ",".join(dumps(passage) for passage in batch)
    yield "]}"


def _passages(
    session: Session,
    testimony: Testimony,
    viewer: Viewer,
    offset: int,
    limit: int,
    timeline: tuple[dict, dict] | None = None,
) -> list[dict[str, Any]]:
    """`limit` passages of the testimony from `offset`, in reading order, with their links."""
    passages = session.scalars(
        select(Passage)
        .where(Passage.testimony_id == testimony.id)
        .options(selectinload(Passage.texts))
        .order_by(Passage.position)
        .offset(offset)
        .limit(limit)
    ).all()
    links = _links_by_number(session, testimony.id, [p.number for p in passages], viewer)
    events, places = timeline or (events_by_slug(session), places_by_slug(session))
    return [
        {
            "anchor": passage.anchor,
            "position": passage.position,
            "number": passage.number,
            "text": passage.text,
            # its words in every language the testimony is held in, the main text's first
            "texts": languages.texts(passage, testimony.language),
            "segments": passage_segments(passage.text),
            "editor_note": passage.editor_note,
            "start": passage.start,
            "end": passage.end,
            "timing": passage.timing,
            "timing_stale": passage.timing_stale,
            "url": passage_address(testimony.id, passage.anchor, passage.position),
            # the passage's own address, which answers even if a correction removes it
            "permalink": refs.passage(testimony.id, passage.anchor),
            "links": _passage_links(links.get(passage.number, []), events, places, viewer),
        }
        for passage in passages
    ]


def testimony_head(
    session: Session, testimony_id: int, viewer: Viewer, cite: Citer
) -> dict[str, Any]:
    """What `get_testimony` says of the testimony, without its passages and events."""
    testimony = readable_testimony(session, testimony_id, viewer)
    total = passage_counts(session, [testimony.id]).get(testimony.id, 0)
    return _head(session, testimony, total, cite)


def _head(
    session: Session, testimony: Testimony, passage_count: int, cite: Citer
) -> dict[str, Any]:
    narrator = testimony.narrator
    cited = cite(current_work(session, testimony), None)
    return {
        **testimony_summary(testimony, passage_count),
        "narrator": {
            "slug": narrator.slug,
            "name": narrator.name,
            "name_arabic": narrator.name_arabic,
            "url": refs.narrator(narrator.slug),
        },
        "interview_date_note": testimony.interview_date_note,
        "interviewers": testimony.interviewers,
        "original_language": testimony.original_language,
        "languages": languages.languages(testimony),
        "citation": testimony.citation,
        # the cite page's first style, as text and as HTML (its titles in italics)
        "citation_text": cited["citation_text"],
        "citation_html": cited["citation"],
        "rights": testimony.rights,
        "corrected_at": testimony.corrected_at.isoformat(timespec="minutes")
        if testimony.corrected_at
        else None,
        "recording": recording_ref(testimony),
    }


def _links_by_number(
    session: Session, testimony_id: int, numbers: list[int], viewer: Viewer
) -> dict[int, list[ContextLink]]:
    """The links of these passages, by passage number; rejected ones for archivists only."""
    query = select(ContextLink).where(
        ContextLink.testimony_id == testimony_id, ContextLink.position.in_(numbers)
    )
    if not viewer.is_archivist:
        query = query.where(ContextLink.status != LinkStatus.REJECTED)
    found: dict[int, list[ContextLink]] = {}
    for link in session.scalars(
        query.order_by(ContextLink.position, ContextLink.kind, ContextLink.target)
    ):
        found.setdefault(link.position, []).append(link)
    return found


def passages_elsewhere(session: Session, testimony_id: int, page: int) -> list[tuple[int, int]]:
    """(number, page) of every passage not on page `page`, in reading order: so that `#p-N`
    finds passage N from any page of the testimony."""
    rows = session.execute(
        select(Passage.number, Passage.position)
        .where(Passage.testimony_id == testimony_id)
        .order_by(Passage.position)
    )
    return [(number, page_of(position)) for number, position in rows if page_of(position) != page]


def mark_testimony(
    session: Session,
    index: search.ArchiveIndex,
    testimony: dict[str, Any],
    q: str,
    shown: list[str] | None = None,
) -> int:
    """Mark (with `index`'s analysers) in the passages of `testimony` (as `get_testimony` gives it) what `q` matches in
    each language `shown` (by default its main text's), counting matches over the whole
    testimony in reading order (passage by passage, the languages in the order shown): each
    passage shown gets `marked_texts` (language -> escaped HTML, for those with a match),
    `marked` (its main text's, or None), the numbers of the matches before and after it
    (`previous_match`, `next_match`, or None) and the pages that show them. Returns the
    number of matches; the testimony gets `first_match_page`."""
    main = testimony["language"]
    shown = shown or [main]
    held: dict[int, dict[str, str]] = {}
    if main in shown:
        rows = select(Passage.position, Passage.text).where(Passage.testimony_id == testimony["id"])
        for position, text in session.execute(rows):
            held.setdefault(position, {})[main] = text
    others = [code for code in shown if code != main]
    if others:
        rows = (
            select(Passage.position, LanguageText.language, LanguageText.text)
            .join(LanguageText.passage)
            .where(Passage.testimony_id == testimony["id"], LanguageText.language.in_(others))
        )
        for position, code, text in session.execute(rows):
            held.setdefault(position, {})[code] = text
    order = [
        (position, code) for position in sorted(held) for code in shown if code in held[position]
    ]
    marked = search.mark_matches(
        index, q, [held[position][code] for position, code in order], search_gazetteer(session)
    )
    match_pages: list[int] = []  # the page of match n at n - 1
    found: dict[int, tuple[dict[str, str], int, int]] = {}  # position -> htmls, before, count
    for (position, code), html in zip(order, marked, strict=True):
        htmls, before, count = found.get(position, ({}, len(match_pages), 0))
        if html:
            htmls[code] = html
            count += html.count("<mark ")
            match_pages += [page_of(position)] * html.count("<mark ")
        found[position] = (htmls, before, count)
    total = len(match_pages)

    def page_of_match(number: int | None) -> int | None:
        return match_pages[number - 1] if number else None

    for passage in testimony["passages"]:
        htmls, before, count = found.get(passage["position"], ({}, 0, 0))
        passage["marked_texts"] = htmls
        passage["marked"] = htmls.get(main)
        passage["previous_match"] = before if count and before else None
        passage["first_match"] = before + 1 if count else None
        passage["next_match"] = before + count + 1 if count and before + count < total else None
        passage["previous_match_page"] = page_of_match(passage["previous_match"])
        passage["next_match_page"] = page_of_match(passage["next_match"])
    testimony["first_match_page"] = match_pages[0] if match_pages else None
    return total


def text_passages(session: Session, testimony_id: int) -> Iterator[Passage]:
    """The testimony's passages in reading order, read `TEXT_BATCH` at a time."""
    offset = 0
    while True:
        batch = session.scalars(
            select(Passage)
            .where(Passage.testimony_id == testimony_id)
            .options(selectinload(Passage.texts))
            .order_by(Passage.position)
            .offset(offset)
            .limit(TEXT_BATCH)
        ).all()
        yield from batch
        if len(batch) < TEXT_BATCH:
            return
        offset += TEXT_BATCH


__all__ = [
    "PASSAGES_PER_PAGE",
    "get_testimony",
    "mark_testimony",
    "passages_elsewhere",
    "whole_testimony_json",
]


def _passage_links(
    links: list[ContextLink], events: dict[str, Event], places: dict[str, Place], viewer: Viewer
) -> list[dict[str, Any]]:
    # Events first, in date order, then places by name; a target gone from the timeline is
    # left out.
    shown = []
    for link in links:
        anchor = voice_anchor(link.testimony_id, link.anchor)
        if link.kind == LinkKind.EVENT and link.target in events:
            event = events[link.target]
            label, date, end_date = event.title, _date(event.date), _date(event.end_date)
            url = refs.event(event.slug, anchor)
        elif link.kind == LinkKind.PLACE and link.target in places:
            label, date, end_date = places[link.target].name, None, None
            url = refs.place(link.target, anchor)
        else:
            continue
        shown.append(
            {
                **link_summary(link, viewer),
                "label": label,
                "date": date,
                "end_date": end_date,
                "url": url,
            }
        )
    return sorted(shown, key=lambda x: (x["kind"] != LinkKind.EVENT, x["date"] or "", x["label"]))
