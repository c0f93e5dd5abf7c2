"""From the record to the index's documents: the fields (`build_schema`), what the index
holds of each passage (`passage_document`), and the passages read from the database a batch
of testimonies at a time.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import Any, ClassVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

# the module, not its names: the gazetteer imports `search.places`, so it may be the one
# importing this package
from .. import gazetteer
from ..models import ContextLink, Passage, Testimony
from .analysis import (
    name_tokens,
    text_analyzer,
)
from .arrays import VOCABULARY_FIELDS
from .quick import QuickAnalyzer
from .segment_decoding import counted_words
from .spellings import spelling_table
from .text_words import text_words, vocabulary_words
from .transliteration import name_key_analyzer

# --- the index on disk ----------------------------------------------------------------------


def build_schema(table: dict[str, str], names: Iterable[str] = ()) -> Schema:
    """The index's fields; `table` is the gazetteer's spelling table, `names` the words of
    every name it lists (read as names wherever they stand, for their keys)."""
    analyzer = QuickAnalyzer(*text_analyzer(table).items)
    known = frozenset(names).union(*(name.split() for name in table))
    keys = QuickAnalyzer(*name_key_analyzer(known).items)
    return Schema(
        # "testimony" on each testimony's document (`testimony_document`); none on passages
        kind=ID,
        # stored, not searched: a passage is never looked up by its id in the index
        passage_id=STORED,
        testimony_id=ID(stored=True),
        position=STORED,
        narrator=ID(stored=True),
        # How much a match in each field counts is set at query time (FIELD_WEIGHTS).
        # The narrator's names, the title and what the archive says of the narrator are held
        # once, by the testimony's document; a search counts them in each of its passages.
        narrator_name=RepeatedText(slot="narrator_name", stored=True, analyzer=analyzer),
        title=RepeatedText(slot="title", analyzer=analyzer),
        # who the narrator is (biography, roles): finds a narrator's passages by what the
        # archive says of them, weighted below the narrator's own words
        context=RepeatedText(slot="context", analyzer=analyzer),
        text=TEXT(stored=True, analyzer=analyzer, phrase=True),
        # the passage's words in its testimony's other languages, analysed alike (spellings,
        # Arabic normalisation, name keys, suggestions); `translations` keeps each by language
        translation=TEXT(analyzer=analyzer, phrase=True),
        translations=STORED,
        # the editor's note printed with the passage ("[Ed.: ...]"), apart from its words
        note=TEXT(stored=True, analyzer=analyzer, phrase=True),
        # the keys of the names in the passage's words and note, and in the narrator's names,
        # the title and what the archive says of the narrator
        name_keys=TEXT(analyzer=keys, phrase=True),
        narrator_keys=RepeatedText(slot="narrator_keys", analyzer=keys),
        place=KEYWORD(stored=True, commas=True, scorable=True),
        event=KEYWORD(stored=True, commas=True),
        year=ID(stored=True),
        access=ID(stored=True),
        # Words for "did you mean", kept apart so that no suggestion to a reader who may not
        # see restricted passages comes from them; archivists get both. Held by the
        # testimony's document, each word with the number of its passages that hold it.
        public_words=CountedWords(),
        restricted_words=CountedWords(),
        # and the words of what the archive says of the narrator (names, title, biography,
        # roles), counted once for each passage of the testimony
        public_about=CountedWords(),
        restricted_about=CountedWords(),
        sort_key=STORED,
        # what the passage was indexed with, hashed: `flask check` compares it with the record
        version=STORED,
        # the passage's words, normalised and hashed: passages with the same words share it
        fingerprint=Fingerprint(),
    )


# the "did you mean" vocabularies: of public passages, and of restricted ones
VOCABULARY = VOCABULARY_FIELDS
PUBLIC_VOCABULARY = VOCABULARY[:2]


class CountedWords(COLUMN):
    """A "did you mean" vocabulary: words looked up, never scored nor searched.

    Its value is a testimony's texts, in groups, each with the number of passages it stands
    for (`[((name, text, note), 1), ...]`); the testimony's document keeps each word with the
    number of its passages that hold it, in a column (`arrays.counted_words`), not as postings:
    the index's arrays hold them as such. (The words are read when the document is indexed,
    by the writing processes of a parallel build.)
    """

    def __init__(self):
        super().__init__(VarBytesColumn())

    def to_column_value(self, value):
        counts: Counter[str] = Counter()
        for texts, passages in value:
            for word in vocabulary_words(texts):
                counts[word] += passages
        return counted_words(counts)


class Fingerprint(ID):
    """A text's `fingerprint`, made when the text is indexed, and kept in a column (one per
    document, read by number); not searched."""

    def __init__(self):
        super().__init__(sortable=True)
        self.indexed = False

    def to_column_value(self, value):
        return super().to_column_value(fingerprint(value))


class RepeatedText(TEXT):
    """A text field whose value is often the one it had in the document before: a narrator's
    biography and names are the same in each of their testimonies. The last value's analysis
    is kept and reused (per `slot`: one per field).
    """

    # per process, never stored with the index: slot -> (analyzer, value, analysis)
    _last: ClassVar[dict[str, tuple[Any, str, list]]] = {}

    def __init__(self, *, slot: str, **options):
        super().__init__(**options)
        self.slot = slot

    def index(self, value, **options):
        if options:
            return super().index(value, **options)
        last = self._last.get(self.slot)
        if last is None or last[0] is not self.analyzer or last[1] != value:
            last = self._last[self.slot] = (self.analyzer, value, list(super().index(value)))
        return iter(last[2])


# --- from the record to documents ------------------------------------------------------------


def gazetteer_table(session: Session) -> dict[str, str]:
    """The spelling table of the places in the record and the names in `names.yaml`."""
    return spelling_table(_gazetteer_groups(session))


def gazetteer_names(session: Session) -> set[str]:
    """Every word of every name and spelling of the places and of `names.yaml`, normalised."""
    groups = _gazetteer_groups(session)
    return {
        word for name, spellings in groups for n in (name, *spellings) for word in name_tokens(n)
    }


def _gazetteer_groups(session: Session) -> list[tuple[str, list[str]]]:
    groups = [(names[0], names[1:]) for _slug, names in gazetteer.place_names(session)]
    return groups + gazetteer.name_groups(Path(current_app.config["TRANSCRIPTS_DIR"]))


def passage_document(
    passage: Passage, linked: list | None = None, narrator_fields: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the index holds of a passage; `linked`: its links an archivist did not reject
    (read from its testimony when not given: anything with a `kind` and a `target`). What
    its testimony's document holds of the narrator (`narrator_fields`, made when not given)
    counts in its `version` too."""
    testimony = passage.testimony
    # The passage's places and events are its context links, less those an archivist rejected.
    if linked is None:
        linked = _links_by_number(testimony.context_links).get(passage.number, [])
    document = {
        "passage_id": str(passage.id),
        "testimony_id": str(testimony.id),
        # the passage's number, that of its anchor `p-N` (`sort_key` keeps the reading order)
        "position": passage.number,
        "narrator": testimony.narrator.slug,
        "text": passage.text,
        "translation": "\n\n".join(other.text for other in passage.texts),
        "translations": [[other.language, other.text] for other in passage.texts],
        "note": passage.editor_note or "",
        "name_keys": " ".join(
            filter(None, [passage.text, passage.editor_note, *(o.text for o in passage.texts)])
        ),
        # sorted: the same links give the same document (and `version`), however loaded
        "place": ",".join(sorted(link.target for link in linked if link.kind == "place")),
        "event": ",".join(sorted(link.target for link in linked if link.kind == "event")),
        "year": str(testimony.interview_date.year) if testimony.interview_date else "",
        "access": testimony.access,
        "sort_key": (testimony.id, passage.position),
        # hashed when indexed (`Fingerprint`), by the writing processes of a parallel build
        "fingerprint": passage.text,
    }
    document["version"] = document_version({**document, **(narrator_fields or _about(testimony))})
    return document


def _about(testimony: Testimony) -> dict[str, str]:
    """What the archive says of a testimony's narrator, as its document holds it."""
    narrator = testimony.narrator
    names = [narrator.name, *narrator.spellings, narrator.name_arabic or ""]
    who = [narrator.biography, narrator.origin, narrator.residence]
    return {
        "narrator_name": " ".join(names),
        "title": testimony.title,
        "context": " ".join(filter(None, [*who, *narrator.roles])),
        # The names first, as if inside a sentence: there a capitalised word reads as a name.
        "narrator_keys": ", "
        + ", ".join(names)
        + ". "
        + " ".join(filter(None, [testimony.title, *who]))
        + " "
        + " ".join(f"({role})" for role in narrator.roles),
    }


def testimony_document(
    testimony: Testimony, passages: list[Passage], narrator_fields: dict[str, str] | None = None
) -> dict[str, Any]:
    """The document a testimony's passages follow in the index: what the archive says of the
    narrator (searched as part of each passage: `narrator_fields`, made when not given), and
    the "did you mean" words of them all."""
    narrator = testimony.narrator
    words = [
        (
            (
                narrator.name,
                passage.text,
                passage.editor_note or "",
                *(o.text for o in passage.texts),
            ),
            1,
        )
        for passage in passages
    ]
    about = " ".join(
        filter(
            None,
            [
                testimony.title,
                *narrator.spellings,
                narrator.biography,
                narrator.origin,
                narrator.residence,
                *narrator.roles,
            ],
        )
    )
    public = testimony.is_public
    return {
        "kind": "testimony",
        "testimony_id": str(testimony.id),
        **(narrator_fields or _about(testimony)),
        "public_words" if public else "restricted_words": words,
        "public_about" if public else "restricted_about": [((about,), len(passages))],
    }


def _links_by_number(links: Iterable) -> dict[int, list]:
    """A testimony's links (`ContextLink`s, or rows of their columns) an archivist did not
    reject, by passage number."""
    groups: dict[int, list] = {}
    for link in links:
        if link.status != "rejected":
            groups.setdefault(link.position, []).append(link)
    return groups


def testimony_documents(
    passages: Iterable[tuple[Passage, list]],
) -> Iterator[list[dict[str, Any]]]:
    """For each testimony, its document and then each of its passages' (the passages come
    in order, a testimony's one after the other, each with its links: `read_passages`), to
    be indexed together (`writer.group`)."""
    for testimony, group in groupby(passages, key=lambda pair: pair[0].testimony):
        held = list(group)
        fields = _about(testimony)
        yield [
            testimony_document(testimony, [passage for passage, _ in held], fields),
            *(passage_document(passage, linked, fields) for passage, linked in held),
        ]


def document_version(document: dict[str, Any]) -> str:
    """A digest of what a passage's document holds: equal when the passage is indexed alike."""
    held = {key: value for key, value in document.items() if key != "version"}
    encoded = json.dumps(held, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=12).hexdigest()


def fingerprint(text: str) -> str:
    """The same for passages with the same words, whatever their case, accents or punctuation."""
    words = " ".join(text_words(text))
    return hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()


# Passages are read this many testimonies at a time: a rebuild never holds the whole record.
PASSAGE_BATCH_TESTIMONIES = 200


def read_passages(
    session: Session, testimony_ids: list[int] | None
) -> Iterator[tuple[Passage, list]]:
    """The passages of the testimonies not withdrawn (of `testimony_ids`, or of all), in
    order, each with its links an archivist did not reject, read a batch of testimonies at a
    time (the session keeps no object nobody holds). The links are rows of the columns a
    document reads, not `ContextLink`s: there are several for each passage."""
    chosen = select(Testimony.id).where(Testimony.withdrawn_at.is_(None)).order_by(Testimony.id)
    if testimony_ids is not None:
        chosen = chosen.where(Testimony.id.in_(testimony_ids))
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
        for passage in session.scalars(query).unique():
            found = by_number.get(passage.testimony_id, {})
            yield passage, found.get(passage.number, [])


def indexable_passages(session: Session) -> Iterator[tuple[Passage, list]]:
    """Every passage the index should hold (those of testimonies not withdrawn), each with
    its links, with what `passage_document` reads of them loaded."""
    return read_passages(session, None)
