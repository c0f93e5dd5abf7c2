"""The arrays of every segment a searcher reads, joined in the searcher's document numbers:
what the searches read postings, lengths, facet values and "did you mean" counts from.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from whoosh.searching import Searcher

from .arrays import SegmentArrays, forget_segments_except, index_directory, segment_arrays
from .segment_layout import EMPTY_DOCS, EMPTY_WEIGHTS, KEY_FIELDS, LENGTH_FIELDS, TESTIMONY


class SearchArrays:
    """The arrays of every segment a searcher reads, in the searcher's document numbers.

    Document sets are boolean masks over every document (deleted ones are never set in them);
    postings are arrays of document numbers with their weights.
    """

    def __init__(self, searcher: Searcher):
        # No reference to the searcher is kept: these arrays are cached under it, weakly
        # (`postings.searcher_cache`), and a reference back would keep both, and every
        # segment's mapped files, alive forever.
        directory = index_directory(searcher)
        self.parts: list[tuple[SegmentArrays, int]] = []
        kept = set()
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            self.parts.append((segment_arrays(reader, directory), offset))
            if reader.segment() is not None:
                kept.add((str(directory), reader.segment().segment_id()))
        forget_segments_except(kept)
        self.doc_count = searcher.reader().doc_count_all()
        self.parents = np.concatenate(
            [
                np.where(
                    arrays.parents >= 0, arrays.parents.astype(np.int64) + offset, arrays.parents
                )
                for arrays, offset in self.parts
            ]
            or [EMPTY_DOCS]
        )
        # the documents not deleted
        present = np.ones(len(self.parents), dtype=bool)
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if reader.has_deletions():
                deleted = np.array(sorted(reader.deleted_docs_set), dtype=np.int64)
                present[deleted + offset] = False
        self.present = present
        # Passages only: a testimony's document is searched as part of each of its passages.
        self.live = present & (self.parents != TESTIMONY)

    def cut(self) -> bool:
        """Whether a file these arrays map was changed in place since they were mapped:
        the searcher must be opened afresh, and the damage found, before anything is read."""
        return any(arrays.cut() for arrays, _ in self.parts)

    def passages_with(self, fieldnames: tuple[str, ...], term: bytes) -> int:
        """How many passages hold a "did you mean" word (`VOCABULARY_FIELDS`), counted by
        the testimony documents not deleted."""
        found = 0.0
        for fieldname in fieldnames:
            docs, weights = self.raw_postings(fieldname, term)
            found += weights[self.present[docs]].sum()
        return int(found)

    def raw_postings(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        """A word's postings in every segment, deleted documents included."""
        docs, weights = [], []
        for arrays, offset in self.parts:
            field = arrays.fields.get(fieldname)
            if field is None:
                continue
            local_docs, local_weights = field.postings(term)
            if len(local_docs):
                docs.append(local_docs.astype(np.int64) + offset)
                weights.append(local_weights.astype(np.float64))
        if not docs:
            return EMPTY_DOCS, EMPTY_WEIGHTS
        if len(docs) == 1:
            return docs[0], weights[0]
        return np.concatenate(docs), np.concatenate(weights)

    def postings(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
        """A word's postings among the live documents."""
        docs, weights = self.raw_postings(fieldname, term)
        keep = self.live[docs]
        if keep.all():
            return docs, weights
        return docs[keep], weights[keep]

    def mask(self, docs: np.ndarray) -> np.ndarray:
        """`docs` as a mask over every document."""
        found = np.zeros(self.doc_count, dtype=bool)
        found[docs] = True
        return found

    def spread(self, found: np.ndarray) -> np.ndarray:
        """The live passages among `found` (a mask), and those of each testimony document in
        it: what Whoosh's own matchers find, as passages."""
        parents = self.parents
        inherited = np.zeros(self.doc_count, dtype=bool)
        held = parents >= 0
        inherited[held] = found[parents[held]]
        return (found | inherited) & self.live

    @cached_property
    def _lengths(self) -> dict[str, np.ndarray]:
        return self._joined("lengths", np.uint8)

    @cached_property
    def _sizes(self) -> dict[str, np.ndarray]:
        return self._joined("sizes", np.uint32)

    def _joined(self, kind: str, dtype) -> dict[str, np.ndarray]:
        return {
            field: np.concatenate([getattr(arrays, kind)[field] for arrays, _ in self.parts])
            if self.parts
            else np.zeros(0, dtype=dtype)
            for field in LENGTH_FIELDS
        }

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length byte in a scored field, by document number."""
        return self._lengths[fieldname]

    def sizes(self, fieldname: str) -> np.ndarray:
        """Each document's length in words in a scored field, by document number."""
        return self._sizes[fieldname]

    def values(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """A facet field's values, and for each (document, value) pair the document number and
        the value's number in that list."""
        return self._values[fieldname]

    def value_order(self, fieldname: str) -> tuple[np.ndarray, dict[str, int]]:
        """For a facet field's values (`values`): each one's place in name order (-1 for the
        empty value), and each value's number."""
        return self._value_order[fieldname]

    @cached_property
    def _value_order(self) -> dict[str, tuple[np.ndarray, dict[str, int]]]:
        found = {}
        for fieldname in KEY_FIELDS:
            values = self._values[fieldname][0]
            ranks = np.empty(len(values), dtype=np.int64)
            ranks[np.argsort(np.array(values, dtype=str), kind="stable")] = np.arange(len(values))
            numbers = {value: n for n, value in enumerate(values)}
            if "" in numbers:
                ranks[numbers[""]] = -1
            found[fieldname] = (ranks, numbers)
        return found

    @cached_property
    def _values(self) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
        found = {}
        for fieldname in KEY_FIELDS:
            names: dict[bytes, int] = {}
            docs, numbers = [], []
            for arrays, offset in self.parts:
                field = arrays.fields[fieldname]
                renumber = np.array(
                    [names.setdefault(bytes(term), len(names)) for term in field.terms],
                    dtype=np.int64,
                )
                docs.append(field.docs.astype(np.int64) + offset)
                numbers.append(renumber[field.term_numbers()] if len(renumber) else EMPTY_DOCS)
            all_docs = np.concatenate(docs) if docs else EMPTY_DOCS
            all_numbers = np.concatenate(numbers) if numbers else EMPTY_DOCS
            keep = self.live[all_docs]
            values = [term.decode("utf-8") for term in names]
            found[fieldname] = (values, all_docs[keep], all_numbers[keep])
        return found
