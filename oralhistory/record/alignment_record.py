"""The record of automatic alignments: one row per job that aligns a testimony's transcript
to its recording (`align_jobs` runs them; `alignment` is the aligner itself).

A job is a proposal: its `result` holds the start and end it found for each passage, and
nothing reaches the passages until an archivist accepts it (`align_jobs.accept`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models_base import Base, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class AlignmentJob(Base):
    """An alignment of a testimony's passages to its recording, run in the background.

    `state` is `queued`, `running`, `done` or `failed`; `progress` runs from 0 to 1 while it
    runs, and `heartbeat_at` moves on while a worker holds it (a running job whose heartbeat
    stopped was cut off by a restart, and is queued again). `anchors` are the passages whose
    times it proposes (the stale and untimed ones, or all); `result` is a list of
    `{"anchor", "start", "end"}` once done; `recording_sha256` the recording it heard.
    `accepted_at`/`accepted_by` say when an archivist made its times the passages' own.
    """

    __tablename__ = "alignment_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(
        ForeignKey("testimony.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(120))
    recording_sha256: Mapped[str | None] = mapped_column(String(64))
    anchors: Mapped[list[str] | None] = mapped_column(JSON)
    result: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    accepted_by: Mapped[str | None] = mapped_column(String(120))
