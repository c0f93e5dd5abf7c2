"""A form sent twice is stored once.

Each archivist's form that stores something carries a one-time key (a hidden field, made
when the form is shown). The key is recorded with what the form stored, in the same
transaction as the change itself: a second submission of the same key (a double click, a
retry after a dropped connection or a worker that died after the commit) finds it and is
answered with what the first stored, instead of storing a second copy.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import AlreadySent
from ..messages import _
from .models import FormSubmission, utcnow

FIELD = "submission"
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Long enough for any retry; a form sent again after this is taken as a new one.
KEPT_FOR = dt.timedelta(days=30)
BAD_KEY = _(
    "The form’s one-time key is not one this archive gives: reload the form and send it "
    "again. Nothing was stored."
)


def new_key() -> str:
    """A fresh one-time key for a form about to be shown."""
    return secrets.token_urlsafe(24)


def key_of(raw: str | None) -> str | None:
    """The form's key, None when the form carries none (a form shown before keys existed);
    raise `ValueError` (with `BAD_KEY`) for a key this archive never gives."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not KEY.fullmatch(raw):
        raise ValueError(BAD_KEY)
    return raw


def check(session: Session, key: str | None) -> None:
    """Raise `AlreadySent` when a form with `key` was stored before."""
    if key is None:
        return
    earlier = session.get(FormSubmission, key)
    if earlier is not None:
        raise AlreadySent(earlier.kind, earlier.testimony_id)


def claim(
    session: Session, key: str | None, kind: str, author: str, testimony_id: int | None = None
) -> FormSubmission | None:
    """Record `key` in the unit of work about to store the form; `commit` commits it with
    the change. Call it before storing anything: the row is written at once, so that a
    copy of the form sent at the same moment waits for this one to commit, then finds it
    (`AlreadySent`; the session is rolled back then). None when the form has no key."""
    if key is None:
        return None
    session.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEPT_FOR))
    row = FormSubmission(key=key, kind=kind, author=author, testimony_id=testimony_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        check(session, key)
        raise
    return row
