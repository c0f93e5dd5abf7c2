"""Fixity: every recording's file checked against the size and SHA-256 its record keeps
(`flask check`). A file found altered is marked (`media.mark_damaged`) so that readers are told
the recording cannot be played rather than given other bytes; a file found whole again is
unmarked. No Flask here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import media
from .models import Recording

CHUNK = 1024 * 1024


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_recordings(session: Session, media_dir: Path) -> tuple[int, list[str]]:
    """Read every recording's file through; return how many were checked and one line per
    file that is missing or not as recorded, naming the testimony and the file."""
    problems = []
    recordings = session.scalars(select(Recording).order_by(Recording.testimony_id))
    count = 0
    for recording in recordings:
        count += 1
        path = media.path_of(media_dir, recording.sha256)
        slug = recording.testimony.slug
        name = recording.original_filename or "a file without a name"
        where = f"The recording of testimony {recording.testimony_id} ({slug}), {name}, at {path}"
        if not path.is_file():
            problems.append(f"{where}, is missing.")
            continue
        size = path.stat().st_size
        if size != recording.size:
            problems.append(f"{where}, has {size} bytes instead of {recording.size}: altered.")
            media.mark_damaged(media_dir, recording.sha256, True)
        elif _sha256(path) != recording.sha256:
            problems.append(f"{where}, does not match its SHA-256: altered or damaged.")
            media.mark_damaged(media_dir, recording.sha256, True)
        else:
            media.mark_damaged(media_dir, recording.sha256, False)
    return count, problems
