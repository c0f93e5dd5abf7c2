"""Downloads for readers: a testimony as plain text, search results as CSV.

Both are built from what `searching` returns for the viewer, so that they never hold more than
the viewer's pages show. Builds no URLs: the caller passes the `refs.Addresses` that make the
pages they name full addresses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..record import refs
from ..record.citing import Citer, current_work
from ..record.kinds import DatePrecision
from ..record.models import Testimony
from ..record.refs import Addresses

# The most rows a CSV of search results holds: ten pages of the API's largest page.
CSV_PAGE_SIZE = 100
CSV_MAX_PAGES = 10
CSV_COLUMNS = (
    "rank",
    "narrator",
    "narrator_slug",
    "testimony_id",
    "testimony_title",
    "passage",
    "passage_url",
    "text",
    "editor_note",
    "score",
    "permalink",
    "citation",
)
# A spreadsheet reads a cell that begins with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def testimony_text(
    testimony: dict[str, Any], passages: Iterable[Any], addresses: Addresses
) -> Iterator[str]:
    """The testimony as plain text, in pieces to send as they come: its citation first, then
    every passage (`models.Passage`) word for word, each under its anchor and permanent
    address (full, as `addresses` makes it), with the editor's note as the file gives it (`[Ed.: ...]`), and
    the citation again at the end, where a reader who has read it all looks for it."""
    citation = testimony["citation"]
    url = addresses.of(refs.testimony(testimony["id"]))
    head = [
        testimony["title"],
        "",
        f"Cite as: {testimony['citation_text']}",
        f"Archive URL: {url}",
        f"Interview: {testimony['interview_date']}"
        + (
            f" (within the {testimony['interview_date_precision']})"
            if testimony["interview_date_precision"] != DatePrecision.DAY
            else ""
        ),
        f"Interviewers: {', '.join(testimony['interviewers'])}",
    ]
    if citation.get("editing_note"):
        head.append(f"Editing: {citation['editing_note']}")
    if testimony.get("rights"):
        head.append(f"Rights: {testimony['rights']}")
    head.append("Square brackets are the publisher's insertions; [Ed.: ...] is an editor's note.")
    yield "\n".join(head)
    for passage in passages:
        note = f" [Ed.: {passage.editor_note}]" if passage.editor_note else ""
        anchor = passage.anchor
        # then its words in the testimony's other languages, each marked with its language
        others = [
            f"[{held.language}] {held.text}"
            + (f" [Ed.: {held.editor_note}]" if held.editor_note else "")
            for held in getattr(passage, "texts", ())
        ]
        yield "\n".join(
            [
                "",
                "",
                f"{anchor} ({addresses.of(refs.passage(testimony['id'], anchor))})",
                passage.text + note,
                *others,
            ]
        )
    yield f"\n\nCite as: {testimony['citation_text']}\n"


def safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def search_rows(
    session: Session,
    results: Callable[[int, int], dict[str, Any]],
    addresses: Addresses,
    cite: Citer,
) -> tuple[int, list[dict[str, Any]]]:
    """The total and the rows (at most `CSV_PAGE_SIZE * CSV_MAX_PAGES`) of a search, each
    with the passage's whole text, its permanent address and its citation (made by `cite`);
    `results(page, per_page)` gives a page of the search as `searching.search_page` does;
    `addresses` makes the pages the hits name full addresses."""
    hits, total, page = [], 0, 1
    while page <= CSV_MAX_PAGES:
        result = results(page, CSV_PAGE_SIZE)
        total = result["total"]
        hits += result["hits"]
        if page >= result["pages"]:
            break
        page += 1
    ids = {hit["testimony"]["id"] for hit in hits}
    testimonies = session.scalars(
        select(Testimony).where(Testimony.id.in_(ids)).options(selectinload(Testimony.passages))
    ).all()
    passages = {(t.id, p.anchor): p for t in testimonies for p in t.passages}
    works = {t.id: current_work(session, t) for t in testimonies}
    rows = []
    for rank, hit in enumerate(hits, start=1):
        testimony_id, anchor = hit["testimony"]["id"], hit["passage"]["anchor"]
        passage = passages.get((testimony_id, anchor))
        cited = cite(works[testimony_id], anchor) if testimony_id in works else None
        rows.append(
            {
                "rank": rank,
                "narrator": hit["narrator"]["name"],
                "narrator_slug": hit["narrator"]["slug"],
                "testimony_id": hit["testimony"]["id"],
                "testimony_title": hit["testimony"]["title"],
                "passage": hit["passage"]["anchor"],
                "passage_url": addresses.of(hit["passage"]["url"]),
                "text": passage.text if passage else "",
                "editor_note": (passage.editor_note if passage else None) or "",
                "score": hit["score"],
                "permalink": cited["url"] if cited else "",
                "citation": cited["citation_text"] if cited else "",
            }
        )
    return total, rows


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text (a header line first), every text cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return out.getvalue()
