"""The record of the collection as a whole: its title, description and sources in the
archive's own words, as `transcripts/collection.yaml` gives them (`collection_file` reads,
stores and writes it back). One row, or none when no such file was ever loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models_base import Base, utcnow

# the one row's id
THE_COLLECTION = 1


class CollectionDescription(Base):
    """The collection's title (`{language: text}`), description (`{language: [paragraph]}`)
    and sources (`[{title, language, publisher, date, note}]`), and the file's text as it was
    loaded, which `flask export` writes back byte for byte."""

    __tablename__ = "collection_description"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    file_text: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
