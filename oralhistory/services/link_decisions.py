"""What archivists do with context links: confirm or reject the rules' proposals, one or
many at a time, or add a link of their own."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import problems
from ..collection import validation
from ..errors import LinkError
from ..messages import _
from ..record.kinds import LinkOrigin, LinkStatus
from ..record.models import LINK_KINDS, ContextLink, Event, Place, Testimony, utcnow
from ..record.unit_of_work import UnitOfWork
from .link_reasons import MAX_NOTE_LENGTH, _reason, digest
from .link_store import _key
from .records import NotFound

# --- what archivists do ---------------------------------------------------------------------


def target_label(session: Session, kind: str, slug: str) -> str | None:
    """The event's title or the place's name, or None when the record holds no such target."""
    model = Event if kind == "event" else Place
    column = Event.title if kind == "event" else Place.name
    return session.scalar(select(column).where(model.slug == slug))


def _describe(session: Session, link: ContextLink) -> str:
    label = target_label(session, link.kind, link.target) or link.target
    return f"the link from passage {link.position} to the {link.kind} “{label}”"


@dataclass
class Decided:
    """The links an archivist decided or added, as stored; `index_warning` is None, or what
    to tell them when the index could not follow (`unit_of_work.UnitOfWork`)."""

    links: list[ContextLink]
    index_warning: str | None = None

    @property
    def link(self) -> ContextLink:
        """The first link (the only one of `decide_link` and `add_link`)."""
        return self.links[0]


def _record_all(work: UnitOfWork, changed: dict[Testimony, list[str]], archivist: str) -> None:
    # one revision per testimony changed; the index follows after the commit (its place and
    # event fields come from the links)
    for testimony, summaries in changed.items():
        work.record(testimony, "links", archivist, " ".join(summaries))


DECISIONS = {"confirm": LinkStatus.CONFIRMED, "reject": LinkStatus.REJECTED}
MAX_DECISIONS = 500


def decide_link(session: Session, link_id: int, decision: str, archivist: str) -> Decided:
    """Confirm or reject a link as `archivist`, recording a revision; a repeat changes nothing."""
    return decide_links(session, [link_id], decision, archivist)


def decide_links(session: Session, link_ids: list[int], decision: str, archivist: str) -> Decided:
    """Confirm or reject several links at once as `archivist`: all of them or, on an error,
    none (`LinkError`, or `NotFound` naming the links that do not exist).

    Each testimony whose links change gets one revision saying which; a link already so
    decided is left as it is.
    """
    if decision not in DECISIONS:
        raise LinkError(_("the decision must be 'confirm' or 'reject'"))
    if not link_ids:
        raise LinkError(_("tick at least one link to confirm or reject"))
    if len(link_ids) > MAX_DECISIONS:
        raise LinkError(_("at most %(limit)s links can be decided at once", limit=MAX_DECISIONS))
    wanted = list(dict.fromkeys(link_ids))
    found = {
        link.id: link
        for link in session.scalars(select(ContextLink).where(ContextLink.id.in_(wanted)))
    }
    missing = [str(link_id) for link_id in wanted if link_id not in found]
    if missing:
        raise NotFound(_("there is no link %(numbers)s", numbers=", ".join(missing)))
    verb = "Confirmed" if decision == "confirm" else "Rejected"
    changed: dict[Testimony, list[str]] = {}
    with UnitOfWork(session) as work:
        for link in (found[link_id] for link_id in wanted):
            if link.status != DECISIONS[decision]:
                link.status = DECISIONS[decision]
                link.decided_by, link.decided_at = archivist, utcnow()
                said = f"{verb} {_describe(session, link)}."
                changed.setdefault(link.testimony, []).append(said)
        if changed:
            _record_all(work, changed, archivist)
        else:
            work.discard()
    return Decided([found[link_id] for link_id in wanted], work.index_warning)


def add_link(
    session: Session,
    testimony_id: int,
    passage: str,
    target: str,
    archivist: str,
    note: str = "",
) -> Decided:
    """Link a passage (`p-N` or `N`) to a target (`event:slug` or `place:slug`) as `archivist`.

    A link the rules had proposed or that was rejected becomes confirmed. Raises `LinkError`
    naming the field that is wrong, and changes nothing then.
    """
    testimony = session.get(Testimony, testimony_id)
    if testimony is None:
        raise NotFound(_("there is no testimony %(number)s", number=testimony_id))
    number = (passage or "").strip().removeprefix("p-")
    passages = {p.number: p for p in testimony.passages}
    # ASCII digits only, and few: `int()` refuses "²" and numbers of thousands of digits
    if not re.fullmatch(r"[0-9]{1,9}", number) or int(number) not in passages:
        raise LinkError(
            _(
                "'passage' must name a passage of this testimony by its anchor, such as %(anchor)s",
                anchor=testimony.passages[0].anchor,
            )
        )
    kind, _colon, slug = (target or "").strip().partition(":")
    if kind not in LINK_KINDS or not slug or target_label(session, kind, slug) is None:
        raise LinkError(_("'target' must name an event or a place of the timeline"))
    note = (note or "").strip()
    problem = note and validation.text(MAX_NOTE_LENGTH)(note)
    if problem:
        raise LinkError(problems.at("note", problem))
    position = int(number)
    link = next((x for x in testimony.context_links if _key(x) == (position, kind, slug)), None)
    if link is not None and link.status == LinkStatus.CONFIRMED and not note:
        return Decided([link])
    reason = _reason("archivist", "", note or "added by an archivist", note=note)
    with UnitOfWork(session) as work:
        if link is None:
            link = ContextLink(
                position=position,
                kind=kind,
                target=slug,
                origin=LinkOrigin.ARCHIVIST,
                reason=[reason],
                passage_digest=digest(passages[position].text),
            )
            testimony.context_links.append(link)
        elif note:
            link.reason = [*link.reason, reason]
        link.status, link.decided_by, link.decided_at = LinkStatus.CONFIRMED, archivist, utcnow()
        _record_all(work, {testimony: [f"Added {_describe(session, link)}."]}, archivist)
    return Decided([link], work.index_warning)
