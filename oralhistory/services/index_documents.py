"""The record read into what the search index holds: plain `search.DocumentGroup`s (a
testimony not withdrawn and its passages, in order) and the spelling table, for the search
package, which reads no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..record import name_spellings
from ..record.models import ContextLink, Passage, Testimony
from ..search import DocumentGroup, NarratorText, PassageText, TestimonyText
from . import gazetteer

# Passages are read this many testimonies at a time: a rebuild never holds the whole record.
PASSAGE_BATCH_TESTIMONIES = 200


def spellings(session: Session) -> list[tuple[str, list[str]]]:
    """The spelling table, (name, [its other spellings and Arabic script]): the places in the
    record, then the names of its `names.yaml` (`name_spellings`)."""
    groups = [(names[0], names[1:]) for _slug, names in gazetteer.place_names(session)]
    return groups + name_spellings.name_groups(session)


def passage_count(session: Session) -> int:
    """How many passages the record holds (withdrawn testimonies' included)."""
    return session.scalar(select(func.count(Passage.id))) or 0


def testimony_text(testimony: Testimony) -> TestimonyText:
    """What the index holds of `testimony` and its narrator."""
    narrator = testimony.narrator
    return TestimonyText(
        id=testimony.id,
        title=testimony.title,
        narrator=NarratorText(
            slug=narrator.slug,
            name=narrator.name,
            spellings=tuple(narrator.spellings),
            name_arabic=narrator.name_arabic,
            biography=narrator.biography,
            origin=narrator.origin,
            residence=narrator.residence,
            roles=tuple(narrator.roles),
        ),
        access=testimony.access,
        public=testimony.is_public,
        year=str(testimony.interview_date.year) if testimony.interview_date else "",
    )


def passage_text(passage: Passage, links: Iterable) -> PassageText:
    """What the index holds of `passage`, with `links` (its links not rejected: anything
    with a `kind` and a `target`)."""
    links = list(links)
    return PassageText(
        id=passage.id,
        number=passage.number,
        position=passage.position,
        text=passage.text,
        note=passage.editor_note or "",
        texts=tuple((other.language, other.text) for other in passage.texts),
        places=tuple(link.target for link in links if link.kind == "place"),
        events=tuple(link.target for link in links if link.kind == "event"),
    )


def _links_by_number(links: Iterable) -> dict[int, list]:
    """A testimony's links (rows of their columns) an archivist did not reject, by passage
    number."""
    groups: dict[int, list] = {}
    for link in links:
        if link.status != "rejected":
            groups.setdefault(link.position, []).append(link)
    return groups


def document_groups(
    session: Session, testimony_ids: Iterable[int] | None
) -> Iterator[DocumentGroup]:
    """The testimonies not withdrawn (of `testimony_ids`, or all), in order, each with its
    passages in order, read a batch of testimonies at a time (the session keeps no object
    nobody holds)."""
    chosen = select(Testimony.id).where(Testimony.withdrawn_at.is_(None)).order_by(Testimony.id)
    if testimony_ids is not None:
        chosen = chosen.where(Testimony.id.in_(sorted(set(testimony_ids))))
    ids = list(session.scalars(chosen))
    for start in range(0, len(ids), PASSAGE_BATCH_TESTIMONIES):
        batch = ids[start : start + PASSAGE_BATCH_TESTIMONIES]
        query = (
            select(Passage)
            .where(Passage.testimony_id.in_(batch))
            .options(
                selectinload(Passage.testimony).selectinload(Testimony.narrator),
                selectinload(Passage.texts),
            )
            .order_by(Passage.testimony_id, Passage.position)
        )
        link_rows = session.execute(
            select(
                ContextLink.testimony_id,
                ContextLink.position,
                ContextLink.kind,
                ContextLink.target,
                ContextLink.status,
            ).where(ContextLink.testimony_id.in_(batch))
        )
        links: dict[int, list] = {}
        for row in link_rows:
            links.setdefault(row.testimony_id, []).append(row)
        by_number = {testimony: _links_by_number(rows) for testimony, rows in links.items()}
        group: DocumentGroup | None = None
        for passage in session.scalars(query).unique():
            if group is None or group.testimony.id != passage.testimony_id:
                if group is not None:
                    yield group
                group = DocumentGroup(testimony_text(passage.testimony))
            found = by_number.get(passage.testimony_id, {})
            group.passages.append(passage_text(passage, found.get(passage.number, [])))
        if group is not None:
            yield group
