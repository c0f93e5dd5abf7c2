"""What the arrays kept beside each index segment hold, and the files they are saved in.

For each field a search reads: its words, sorted; where each word's postings start; the
postings' document numbers and weights (frequencies); and for the fields that are scored,
each document's length: as the byte Whoosh scores by, and in words (the sum of its words'
frequencies, for the average length). Deleted documents are left in: they are taken off
when a segment is read (`searcher_arrays.SearchArrays`).

A testimony's document (what the archive says of its narrator, `ABOUT_FIELDS`) is followed in
its segment by its passages' (`store`). Its postings are kept here as postings of each of
those passages, with its lengths: every search of the arrays sees passages alone, as if each
held what is said of its narrator, and `parents` tells each passage's testimony document.
It also holds the "did you mean" words of its passages, with their counts, in columns, not
as Whoosh's postings: they are kept here as postings of the testimony's document
(`VOCABULARY_FIELDS`).

The files are named like the segment's own (`MAIN_<segment>.oh3_...npy`), so Whoosh deletes
them with the segment when it merges or drops it, and a new segment gets new files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.util.numeric import byte_to_length

FORMAT = "oh3"  # in every file name: a new layout gets new files
# The fields searches read postings of: the scored ones, then the filters and facets.
# (`search.FIELD_WEIGHTS`: the name keys are scored too, below the words as written)
SCORED_FIELDS = (
    *("text", "note", "narrator_name", "title", "context", "name_keys", "narrator_keys"),
    "translation",
)
KEY_FIELDS = ("narrator", "place", "event", "year", "access")
# the fields a length is kept for: those scored (a passage about a place is scored higher)
LENGTH_FIELDS = (*SCORED_FIELDS, "place")
# the fields a testimony's document holds for its passages
ABOUT_FIELDS = ("narrator_name", "title", "context", "narrator_keys")
# The "did you mean" words, of public passages and of restricted ones, each held by a
# testimony's document in a column, with its count of passages (`counted_words`); kept here
# as postings of the testimony's document, weighted by that count.
VOCABULARY_FIELDS = ("public_words", "public_about", "restricted_words", "restricted_about")
# In `parents`: a testimony's document itself, and a document that follows none.
TESTIMONY, NO_PARENT = -2, -1
PARTS = ("terms", "starts", "docs", "weights")
POSTED_FIELDS = SCORED_FIELDS + KEY_FIELDS + VOCABULARY_FIELDS

# A field's length as Whoosh stores it: one byte; read back through these tables.
LENGTH_OF_BYTE = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)
# ... and as Whoosh's BM25F takes it (a document without the field counts as length 1)
SCORED_LENGTH_OF_BYTE = np.maximum(LENGTH_OF_BYTE, 1.0)

EMPTY_DOCS = np.zeros(0, dtype=np.int64)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class FieldPostings:
    """One field's postings in one segment."""

    terms: np.ndarray  # the words, sorted, as bytes
    starts: np.ndarray  # the postings of word i are docs[starts[i]:starts[i + 1]]
    docs: np.ndarray  # document numbers within the segment, ascending for each word
    weights: np.ndarray  # the word's weight (frequency) in each document

    def find(self, term: bytes) -> int | None:
        """The number of `term` among the field's words, or None."""
        at = int(np.searchsorted(self.terms, term))
        if at < len(self.terms) and self.terms[at] == term:
            return at
        return None

    def postings(self, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        """The documents and weights of `term` (none when the field lacks it)."""
        at = self.find(term)
        if at is None:
            return self.docs[:0], self.weights[:0]
        start, stop = self.starts[at], self.starts[at + 1]
        return self.docs[start:stop], self.weights[start:stop]

    def term_numbers(self) -> np.ndarray:
        """For each posting, the number of its word (for counting values with `bincount`)."""
        return np.repeat(np.arange(len(self.terms)), np.diff(self.starts))


class Family:
    """Where each testimony document's passages lie in a segment: right after it, up to
    the next testimony document."""

    def __init__(self, parents: np.ndarray):
        self.heads = np.flatnonzero(parents == TESTIMONY)
        self.ends = np.append(self.heads[1:], len(parents)).astype(np.int64)

    def spread(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`docs` (ascending) with each testimony document's passages in its place: the
        documents, ascending, and for each the place in `docs` it comes from."""
        if not len(self.heads):
            return docs, np.arange(len(docs))
        at = np.searchsorted(self.heads, docs)
        held = np.minimum(at, len(self.heads) - 1)
        head = self.heads[held] == docs
        counts = np.where(head, self.ends[held] - docs - 1, 1)
        firsts = np.where(head, docs + 1, docs)
        return ranges(firsts, counts), np.repeat(np.arange(len(docs)), counts)


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """`starts[i]`, `starts[i] + 1` ... (`counts[i]` numbers) for each i, one after the other."""
    step = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + step


def array_files(directory: Path, segment_id: str) -> dict[str, Path]:
    """The files of a segment's arrays in `directory`, by array name."""
    names = [f"{field}_{part}" for field in POSTED_FIELDS for part in PARTS]
    names += [f"{field}_{part}" for field in LENGTH_FIELDS for part in ("lengths", "sizes")]
    names.append("parents")
    return {name: directory / f"{segment_id}.{FORMAT}_{name}.npy" for name in names}
