"""Keeping the record's context links in line with the rules, keeping every archivist's
decision."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..record.kinds import LinkOrigin, LinkStatus
from ..record.models import ContextLink, Testimony
from .link_reasons import digest
from .link_rules import Rules, propose

# --- keeping the record's links in line with the rules ---------------------------------------


def _key(link: ContextLink) -> tuple[int, str, str]:
    return (link.position, link.kind, link.target)


def _weight(link: ContextLink) -> int:
    return {LinkStatus.REJECTED: 2, LinkStatus.CONFIRMED: 1}.get(link.status, 0)


def link_testimony(session: Session, testimony: Testimony, rules: Rules | None = None) -> bool:
    """Propose links for every passage of `testimony`, keeping every archivist's decision.

    A link the rules no longer find is dropped, unless an archivist confirmed, rejected or
    added it. A rejected link stays rejected, so the rules never bring it back. Links follow
    their passage's text when passages move. Returns whether any link changed; the caller
    commits.
    """
    rules = rules or Rules.load(session)
    with session.no_autoflush:
        changed = _follow_passages(session, testimony)
        digests = {p.number: digest(p.text) for p in testimony.passages}
        existing = {_key(link): link for link in testimony.context_links}
        for key, reasons in propose(testimony, rules).items():
            link = existing.pop(key, None)
            if link is None:
                position, kind, target = key
                testimony.context_links.append(
                    ContextLink(
                        position=position,
                        kind=kind,
                        target=target,
                        status=LinkStatus.PROPOSED,
                        origin=LinkOrigin.AUTOMATIC,
                        reason=reasons,
                        passage_digest=digests[position],
                    )
                )
                changed = True
            elif link.origin == LinkOrigin.AUTOMATIC and (
                link.reason != reasons or link.passage_digest != digests[key[0]]
            ):
                link.reason, link.passage_digest = reasons, digests[key[0]]
                changed = True
        for link in existing.values():
            if link.status == LinkStatus.PROPOSED and link.origin == LinkOrigin.AUTOMATIC:
                testimony.context_links.remove(link)
                changed = True
    return changed


def _follow_passages(session: Session, testimony: Testimony) -> bool:
    """Move each link whose passage text now stands in another passage (as when a paragraph
    moved and so took a new number) to that passage."""
    digests = {p.number: digest(p.text) for p in testimony.passages}
    once = Counter(digests.values())
    home = {text: position for position, text in digests.items() if once[text] == 1}
    moves = [
        (link, home[link.passage_digest])
        for link in testimony.context_links
        if link.passage_digest in home
        and digests.get(link.position) != link.passage_digest
        and home[link.passage_digest] != link.position
    ]
    if not moves:
        return False
    moving = {id(link) for link, _ in moves}
    staying = {_key(link): link for link in testimony.context_links if id(link) not in moving}
    for index, (link, _new) in enumerate(moves):  # out of the way, so that two may trade places
        link.position = -1 - index
    session.flush()
    placed = []
    for link, position in moves:
        key = (position, link.kind, link.target)
        other = staying.get(key)
        if other is not None and _weight(other) > _weight(link):
            testimony.context_links.remove(link)
            continue
        if other is not None:
            testimony.context_links.remove(other)
        staying[key] = link
        placed.append((link, position))
    session.flush()
    for link, position in placed:
        link.position = position
    session.flush()
    return True


def link_testimonies(session: Session) -> list[int]:
    """Bring every testimony's proposed links up to the rules; return the ids that changed."""
    rules = Rules.load(session)
    testimonies = session.scalars(select(Testimony).order_by(Testimony.id)).all()
    return [t.id for t in testimonies if link_testimony(session, t, rules)]
