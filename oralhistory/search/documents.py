"""The index's documents: the fields (`build_schema`, `schema_for`), and what the index holds
of each testimony and passage (`group_documents`), made from plain values (`DocumentGroup`)
that the archive reads from its record (`oralhistory.services.index_documents`).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

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


# --- from plain values to documents ---------------------------------------------------------


@dataclass(frozen=True)
class NarratorText:
    """What the index holds of a narrator: their names and what the archive says of them."""

    slug: str
    name: str
    spellings: tuple[str, ...] = ()
    name_arabic: str | None = None
    biography: str | None = None
    origin: str | None = None
    residence: str | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestimonyText:
    """What the index holds of a testimony (not withdrawn)."""

    id: int
    title: str
    narrator: NarratorText
    access: str
    public: bool
    year: str = ""  # of the interview, "" when not known


@dataclass(frozen=True)
class PassageText:
    """What the index holds of a passage: its words, its texts in other languages
    (`(language, text)`), and the places and events of its links an archivist did not reject."""

    id: int
    number: int  # that of its anchor `p-N`
    position: int  # its place in the reading order
    text: str
    note: str = ""
    texts: tuple[tuple[str, str], ...] = ()
    places: tuple[str, ...] = ()
    events: tuple[str, ...] = ()


@dataclass
class DocumentGroup:
    """A testimony and its passages, in order: indexed together, as one group."""

    testimony: TestimonyText
    passages: list[PassageText] = field(default_factory=list)


def passage_document(
    testimony: TestimonyText, passage: PassageText, about: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the index holds of a passage. What its testimony's document holds of the narrator
    (`about`, made when not given) counts in its `version` too."""
    others = passage.texts
    document = {
        "passage_id": str(passage.id),
        "testimony_id": str(testimony.id),
        # the passage's number, that of its anchor `p-N` (`sort_key` keeps the reading order)
        "position": passage.number,
        "narrator": testimony.narrator.slug,
        "text": passage.text,
        "translation": "\n\n".join(text for _, text in others),
        "translations": [[language, text] for language, text in others],
        "note": passage.note,
        "name_keys": " ".join(filter(None, [passage.text, passage.note, *(t for _, t in others)])),
        # sorted: the same links give the same document (and `version`), however loaded
        "place": ",".join(sorted(passage.places)),
        "event": ",".join(sorted(passage.events)),
        "year": testimony.year,
        "access": testimony.access,
        "sort_key": (testimony.id, passage.position),
        # hashed when indexed (`Fingerprint`), by the writing processes of a parallel build
        "fingerprint": passage.text,
    }
    document["version"] = document_version({**document, **(about or _about(testimony))})
    return document


def _about(testimony: TestimonyText) -> dict[str, str]:
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
    testimony: TestimonyText, passages: list[PassageText], about: dict[str, str] | None = None
) -> dict[str, Any]:
    """The document a testimony's passages follow in the index: what the archive says of the
    narrator (searched as part of each passage: `about`, made when not given), and the "did
    you mean" words of them all."""
    narrator = testimony.narrator
    words = [
        ((narrator.name, passage.text, passage.note, *(t for _, t in passage.texts)), 1)
        for passage in passages
    ]
    said = " ".join(
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
    public = testimony.public
    return {
        "kind": "testimony",
        "testimony_id": str(testimony.id),
        **(about or _about(testimony)),
        "public_words" if public else "restricted_words": words,
        "public_about" if public else "restricted_about": [((said,), len(passages))],
    }


def group_documents(group: DocumentGroup) -> list[dict[str, Any]]:
    """A testimony's document and then each of its passages', to be indexed together
    (`writer.group`)."""
    about = _about(group.testimony)
    return [
        testimony_document(group.testimony, group.passages, about),
        *(passage_document(group.testimony, passage, about) for passage in group.passages),
    ]


def passage_versions(group: DocumentGroup) -> Iterator[tuple[int, str]]:
    """Each passage's id and `version`: what the index should hold of it, hashed."""
    about = _about(group.testimony)
    for passage in group.passages:
        yield passage.id, passage_document(group.testimony, passage, about)["version"]


def schema_for(spellings: Iterable[tuple[str, list[str]]]) -> Schema:
    """The index's fields for a spelling table given as (name, [its other spellings]): the
    places of the record and the names of `names.yaml`."""
    groups = list(spellings)
    words = {word for name, others in groups for n in (name, *others) for word in name_tokens(n)}
    return build_schema(spelling_table(groups), words)


def document_version(document: dict[str, Any]) -> str:
    """A digest of what a passage's document holds: equal when the passage is indexed alike."""
    held = {key: value for key, value in document.items() if key != "version"}
    encoded = json.dumps(held, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=12).hexdigest()


def fingerprint(text: str) -> str:
    """The same for passages with the same words, whatever their case, accents or punctuation."""
    words = " ".join(text_words(text))
    return hashlib.blake2b(words.encode("utf-8"), digest_size=8).hexdigest()
