"""Each index segment's postings decoded once into numpy arrays, kept beside the segment.

Whoosh keeps postings pickled and compressed, block by block, and decodes them anew for every
query. A segment never changes once written (deletions are kept apart from it), so its
postings are decoded once, when the segment is written or first read, and saved next to its
files as `.npy` arrays that every process serving the archive memory-maps: they share one copy
in the page cache and start in milliseconds. The files are named like the segment's own
(`MAIN_<segment>.oh1_...npy`), so Whoosh deletes them with the segment when it merges or drops
it, and a new segment gets new files.

For each field a search reads: its words, sorted; where each word's postings start; the
postings' document numbers and weights (frequencies); and for the fields that are scored,
each document's length: as the byte Whoosh scores by, and in words (the sum of its words'
frequencies, for the average length). Deleted documents are left in: they are taken off
when a segment is read (`SearchArrays`).

A testimony's document (what the archive says of its narrator, `ABOUT_FIELDS`) is followed in
its segment by its passages' (`store`). Its postings are kept here as postings of each of
those passages, with its lengths: every search of the arrays sees passages alone, as if each
held what is said of its narrator, and `parents` tells each passage's testimony document.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3PerDocReader,
    W3TermsReader,
    _lenfield,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

FORMAT = "oh2"  # in every file name: a new layout gets new files
# The fields searches read postings of: the scored ones, then the filters and facets.
# (`search.FIELD_WEIGHTS`: the name keys are scored too, below the words as written)
SCORED_FIELDS = ("text", "note", "narrator_name", "title", "context", "name_keys", "narrator_keys")
KEY_FIELDS = ("narrator", "place", "event", "year", "access")
# the fields a length is kept for: those scored (a passage about a place is scored higher)
LENGTH_FIELDS = (*SCORED_FIELDS, "place")
# the fields a testimony's document holds for its passages
ABOUT_FIELDS = ("narrator_name", "title", "context", "narrator_keys")
# In `parents`: a testimony's document itself, and a document that follows none.
TESTIMONY, NO_PARENT = -2, -1
_PARTS = ("terms", "starts", "docs", "weights")

# A field's length as Whoosh stores it: one byte; read back through these tables.
LENGTH_OF_BYTE = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)
# ... and as Whoosh's BM25F takes it (a document without the field counts as length 1)
SCORED_LENGTH_OF_BYTE = np.maximum(LENGTH_OF_BYTE, 1.0)

_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


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
        at = self.find(term)
        if at is None:
            return self.docs[:0], self.weights[:0]
        start, stop = self.starts[at], self.starts[at + 1]
        return self.docs[start:stop], self.weights[start:stop]

    def term_numbers(self) -> np.ndarray:
        """For each posting, the number of its word (for counting values with `bincount`)."""
        return np.repeat(np.arange(len(self.terms)), np.diff(self.starts))


@dataclass(frozen=True)
class SegmentArrays:
    doc_count: int  # deleted documents included
    fields: dict[str, FieldPostings]
    lengths: dict[str, np.ndarray]  # a length byte per document, for the scored fields
    sizes: dict[str, np.ndarray]  # and its length in words
    # each document's testimony document (`TESTIMONY` for one itself, `NO_PARENT`: none)
    parents: np.ndarray

    @cached_property
    def family(self) -> Family:
        return Family(self.parents)


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


def _files(directory: Path, segment_id: str) -> dict[str, Path]:
    names = [f"{field}_{part}" for field in SCORED_FIELDS + KEY_FIELDS for part in _PARTS]
    names += [f"{field}_{part}" for field in LENGTH_FIELDS for part in ("lengths", "sizes")]
    names.append("parents")
    return {name: directory / f"{segment_id}.{FORMAT}_{name}.npy" for name in names}


def _decode_parents(reader) -> np.ndarray:
    """Each document's testimony document, by document number (see `SegmentArrays`)."""
    count = reader.doc_count_all()
    heads = np.zeros(0, dtype=np.int64)
    if "kind" in reader.schema:
        heads = _decode_postings(reader, "kind", b"testimony")[0]
    before = np.searchsorted(heads, np.arange(count), side="right") - 1
    parents = np.where(before >= 0, heads[np.maximum(before, 0)], NO_PARENT).astype(np.int32)
    parents[heads] = TESTIMONY
    return parents


def _field_postings(reader, fieldname: str):
    """Each word of a field in a segment, in order, with the matcher of its postings (deleted
    documents included).

    Whoosh's segment reader looks each word up again to read its postings; its words' list
    gives each one's postings as it goes, and is read here when it is Whoosh's own
    (`W3TermsReader`: attributes not part of its public API; whoosh-reloaded is pinned).
    """
    terms = getattr(reader, "_terms", None)
    if not isinstance(terms, W3TermsReader):
        for term in reader.lexicon(fieldname):
            yield term, reader.postings(fieldname, term)
        return
    form = reader.schema[fieldname].format
    for (name, term), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield term, terms._codec.postings_reader(terms._postfile, info, form, term=(name, term))


def _decode_field(reader, fieldname: str, family: Family) -> dict[str, np.ndarray]:
    terms, starts, docs, weights = [], [0], [], []
    if fieldname in reader.schema:
        for term, matcher in _field_postings(reader, fieldname):
            ids, term_weights = _decoded(matcher)
            if fieldname in ABOUT_FIELDS:
                ids, source = family.spread(ids)
                term_weights = term_weights[source]
            terms.append(term)
            docs.append(ids)
            weights.append(term_weights)
            starts.append(starts[-1] + len(ids))
    return {
        "terms": np.array(terms, dtype=bytes) if terms else np.zeros(0, dtype="S1"),
        "starts": np.array(starts, dtype=np.int64),
        "docs": np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, np.int32),
        "weights": np.concatenate(weights).astype(np.float32) if weights else np.zeros(0, "f4"),
    }


def _decode_postings(reader, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A word's postings in a segment, deleted documents included."""
    return _decoded(reader.postings(fieldname, term))


def _decoded(postings) -> tuple[np.ndarray, np.ndarray]:
    """The documents and weights of a matcher's postings, deleted documents included, a
    block at a time.

    Reading a block at a time uses attributes of Whoosh's `W3LeafMatcher` that are not part
    of its public API (whoosh-reloaded is pinned); a matcher of another kind is read through
    the public one.
    """
    if isinstance(postings, FilterMatcher):  # the deleted documents, taken off when read
        postings = postings.child
    ids, weights = [], []
    if isinstance(postings, W3LeafMatcher):
        while postings.is_active():
            if postings._ids is None:
                postings._read_ids()
            if postings._weights is None:
                postings._read_weights()
            ids.append(np.asarray(postings._ids[postings._i :], dtype=np.int64))
            weights.append(np.asarray(postings._weights[postings._i :], dtype=np.float64))
            postings._next_block()
    else:
        one_by_one: list[tuple[int, float]] = []
        while postings.is_active():
            one_by_one.append((postings.id(), postings.weight()))
            postings.next()
        if one_by_one:
            ids.append(np.array([d for d, _ in one_by_one], dtype=np.int64))
            weights.append(np.array([w for _, w in one_by_one], dtype=np.float64))
    if not ids:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    return np.concatenate(ids), np.concatenate(weights)


def _decode_lengths(reader, fieldname: str) -> np.ndarray:
    """Each document's length byte in a field (0: none), read from the segment's column of
    them at once, not asked of Whoosh document by document (`doc_field_length`).

    Reading the column uses attributes of Whoosh's segment reader that are not part of its
    public API (whoosh-reloaded is pinned); another reader is asked document by document.
    """
    count = reader.doc_count_all()
    found = np.zeros(count, dtype=np.uint8)
    if fieldname not in reader.schema or not reader.schema[fieldname].scorable:
        return found
    perdoc = getattr(reader, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader):
        for docnum in range(count):
            found[docnum] = length_to_byte(reader.doc_field_length(docnum, fieldname, 0) or 0)
        return found
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:  # none: no document has the field
        # one byte per document, up to the last that has the field (the rest have none)
        held = min(column._count, count)
        found[:held] = np.frombuffer(column._dbfile.get(column._basepos, held), dtype=np.uint8)
    return found


def _decode(reader) -> dict[str, np.ndarray]:
    """A segment's arrays, by file name (`_files`)."""
    parents = _decode_parents(reader)
    family = Family(parents)
    arrays: dict[str, np.ndarray] = {"parents": parents}
    for fieldname in SCORED_FIELDS + KEY_FIELDS:
        for part, array in _decode_field(reader, fieldname, family).items():
            arrays[f"{fieldname}_{part}"] = array
    for fieldname in LENGTH_FIELDS:
        lengths = _decode_lengths(reader, fieldname)
        if fieldname in ABOUT_FIELDS:  # each passage's are its testimony document's
            lengths = np.where(parents >= 0, lengths[np.maximum(parents, 0)], 0).astype(np.uint8)
        arrays[f"{fieldname}_lengths"] = lengths
        docs, weights = arrays[f"{fieldname}_docs"], arrays[f"{fieldname}_weights"]
        sizes = np.bincount(docs, weights=weights, minlength=len(parents))
        arrays[f"{fieldname}_sizes"] = np.rint(sizes).astype(np.uint32)
    return arrays


def write_segment_arrays(reader, directory: Path, segment_id: str) -> dict[str, Path]:
    """Decode a segment reader's postings and save them beside the segment; return the files.

    Each file is written under a temporary name and renamed into place, so a process that
    finds a file finds it whole; two processes writing the same segment write the same bytes.
    """
    files = _files(directory, segment_id)
    arrays = _decode(reader)
    for name, path in files.items():
        # a name starting with "." is one Whoosh's clean-up passes over
        temporary = directory / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "wb") as out:
            np.save(out, arrays[name], allow_pickle=False)
        os.replace(temporary, path)
    return files


def prepare_segments(ix, procs: int = 1) -> None:
    """Write the arrays of each segment of the index `ix` that has none yet: called after a
    commit, so that searches find them ready. With `procs` > 1, that many processes write
    the segments' arrays side by side."""
    directory = Path(ix.storage.folder)
    with ix.reader() as reader:
        missing = [
            leaf.segment().segment_id()
            for leaf, _ in reader.leaf_readers()
            if leaf.segment() is not None
            and not all(
                path.exists() for path in _files(directory, leaf.segment().segment_id()).values()
            )
        ]
    folders = [str(directory)] * len(missing)
    if procs > 1 and len(missing) > 1:
        context = multiprocessing.get_context("fork")  # as Whoosh's own parallel writer
        with ProcessPoolExecutor(min(procs, len(missing)), mp_context=context) as pool:
            list(pool.map(_prepare_segment, folders, missing))
    else:
        list(map(_prepare_segment, folders, missing))


def _prepare_segment(folder: str, segment_id: str) -> None:
    ix = FileStorage(folder, supports_mmap=False).open_index()
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            segment = leaf.segment()
            if segment is not None and segment.segment_id() == segment_id:
                write_segment_arrays(leaf, Path(folder), segment_id)


def _load(files: dict[str, Path], doc_count: int) -> SegmentArrays:
    loaded = {
        name: np.load(path, mmap_mode="r", allow_pickle=False) for name, path in files.items()
    }
    return _arrays(loaded, doc_count)


def _arrays(loaded: dict[str, np.ndarray], doc_count: int) -> SegmentArrays:
    return SegmentArrays(
        doc_count=doc_count,
        fields={
            field: FieldPostings(*(loaded[f"{field}_{part}"] for part in _PARTS))
            for field in SCORED_FIELDS + KEY_FIELDS
        },
        lengths={field: loaded[f"{field}_lengths"] for field in LENGTH_FIELDS},
        sizes={field: loaded[f"{field}_sizes"] for field in LENGTH_FIELDS},
        parents=loaded["parents"],
    )


# Per process: (directory, segment id) -> the segment's arrays, dropped with the segment.
_OPENED: dict[tuple[str, str], SegmentArrays] = {}
_OPENED_LOCK = threading.Lock()


def segment_arrays(reader, directory: Path | None) -> SegmentArrays:
    """A segment's arrays: memory-mapped from beside the segment, written there first if
    missing (an index written before them); decoded in memory when the index has no folder."""
    segment = reader.segment()
    if directory is None or segment is None:
        return _in_memory(reader)
    key = (str(directory), segment.segment_id())
    with _OPENED_LOCK:
        found = _OPENED.get(key)
    if found is None:
        files = _files(directory, segment.segment_id())
        if not all(path.exists() for path in files.values()):
            files = write_segment_arrays(reader, directory, segment.segment_id())
        found = _load(files, reader.doc_count_all())
        with _OPENED_LOCK:
            _OPENED[key] = found
    return found


def _in_memory(reader) -> SegmentArrays:
    return _arrays(_decode(reader), reader.doc_count_all())


def forget_segments_except(kept: set[tuple[str, str]]) -> None:
    """Drop this process's arrays of every segment but `kept` ((folder, segment id) pairs):
    those of merged segments and of older generations, whose files may be deleted (their
    disk space is freed once no process maps them)."""
    with _OPENED_LOCK:
        for key in [k for k in _OPENED if k not in kept]:
            del _OPENED[key]


def index_directory(searcher: Searcher) -> Path | None:
    """The folder of the index a searcher reads, or None (an index in memory)."""
    # `_ix`: the index a searcher was opened from (Whoosh keeps it for `refresh`)
    storage = getattr(getattr(searcher, "_ix", None), "storage", None)
    folder = getattr(storage, "folder", None)
    return Path(folder) if folder else None


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
            or [_EMPTY_DOCS]
        )
        # Passages only: a testimony's document is searched as part of each of its passages.
        live = self.parents != TESTIMONY
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if reader.has_deletions():
                deleted = np.array(sorted(reader.deleted_docs_set), dtype=np.int64)
                live[deleted + offset] = False
        self.live = live

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
            return _EMPTY_DOCS, _EMPTY_WEIGHTS
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
                numbers.append(renumber[field.term_numbers()] if len(renumber) else _EMPTY_DOCS)
            all_docs = np.concatenate(docs) if docs else _EMPTY_DOCS
            all_numbers = np.concatenate(numbers) if numbers else _EMPTY_DOCS
            keep = self.live[all_docs]
            values = [term.decode("utf-8") for term in names]
            found[fieldname] = (values, all_docs[keep], all_numbers[keep])
        return found
