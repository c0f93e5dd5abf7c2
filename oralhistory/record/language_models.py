"""The record of a testimony held in more than one language.

A testimony's main text stays where it always was (`Passage.text`, in `Testimony.language`);
each other language it is held in has a `TestimonyLanguage` row (its code, whether it is the
`original` or a `translation`, and the translator's credit) and, for each passage, a
`LanguageText` row: the passage's words in that language. The texts hang off the passages, so
they share the passages' anchors and their times in the recording.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models_base import Base

TEXT_KINDS = ("original", "translation")


class TestimonyLanguage(Base):
    """A language a testimony is held in besides its main text's."""

    __tablename__ = "testimony_language"
    __test__ = False
    __table_args__ = (UniqueConstraint("testimony_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    testimony_id: Mapped[int] = mapped_column(ForeignKey("testimony.id"))
    code: Mapped[str] = mapped_column(String(10))  # a BCP 47 tag
    kind: Mapped[str] = mapped_column(String(12))  # one of TEXT_KINDS
    translator: Mapped[str | None] = mapped_column(Text)

    # named, not imported: `models` imports this module's classes for its own relationships
    testimony = relationship("Testimony", back_populates="other_languages")


class LanguageText(Base):
    """A passage's words (and its editor's note) in one of its testimony's other languages."""

    __tablename__ = "passage_text"
    __table_args__ = (UniqueConstraint("passage_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("passage.id"))
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    editor_note: Mapped[str | None] = mapped_column(Text)

    passage = relationship("Passage", back_populates="texts")
