"""Each index segment's postings decoded once into numpy arrays, kept beside the segment.

Whoosh keeps postings pickled and compressed, block by block, and decodes them anew for every
query. A segment never changes once written (deletions are kept apart from it), so its
postings are kept as arrays, made as Whoosh writes the segment (`WrittenPostings`, from the
postings on their way to its files; an index written before the arrays has them decoded
when first read), and saved next to its files as `.npy` arrays that every process serving
the archive memory-maps: they share one copy in the page cache and start in milliseconds.
The files are named like the segment's own (`MAIN_<segment>.oh3_...npy`), so Whoosh deletes
them with the segment when it merges or drops it, and a new segment gets new files.

For each field a search reads: its words, sorted; where each word's postings start; the
postings' document numbers and weights (frequencies); and for the fields that are scored,
each document's length: as the byte Whoosh scores by, and in words (the sum of its words'
frequencies, for the average length). Deleted documents are left in: they are taken off
when a segment is read (`SearchArrays`).

A testimony's document (what the archive says of its narrator, `ABOUT_FIELDS`) is followed in
its segment by its passages' (`store`). Its postings are kept here as postings of each of
those passages, with its lengths: every search of the arrays sees passages alone, as if each
held what is said of its narrator, and `parents` tells each passage's testimony document.
It also holds the "did you mean" words of its passages, with their counts, in columns, not
as Whoosh's postings: they are kept here as postings of the testimony's document
(`VOCABULARY_FIELDS`).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
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

from . import integrity

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
_PARTS = ("terms", "starts", "docs", "weights")
_POSTED_FIELDS = SCORED_FIELDS + KEY_FIELDS + VOCABULARY_FIELDS

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
    held: tuple[integrity.Held, ...] = ()  # the files mapped (none: decoded in memory)

    def cut(self) -> bool:
        """Whether a file mapped here was changed in place since (`integrity.Held.cut`)."""
        return any(file.cut() for file in self.held)

    @cached_property
    def family(self) -> Family:
        return Family(self.parents)

    @cached_property
    def vocabulary(self) -> dict[str, list[str]]:
        """Each "did you mean" field's words, sorted, as text."""
        return {
            f: [bytes(t).decode("utf-8") for t in self.fields[f].terms] for f in VOCABULARY_FIELDS
        }


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
    names = [f"{field}_{part}" for field in _POSTED_FIELDS for part in _PARTS]
    names += [f"{field}_{part}" for field in LENGTH_FIELDS for part in ("lengths", "sizes")]
    names.append("parents")
    return {name: directory / f"{segment_id}.{FORMAT}_{name}.npy" for name in names}


def _parents(heads: np.ndarray, count: int) -> np.ndarray:
    """Each document's testimony document (see `SegmentArrays`), from the testimony
    documents' numbers, ascending."""
    if not len(heads):
        return np.full(count, NO_PARENT, dtype=np.int32)
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


def _read_postings(reader, fieldname: str) -> Iterator[tuple[bytes, np.ndarray, np.ndarray]]:
    """Each word of a field in a segment, in order, with its documents and weights, read
    from the segment."""
    if fieldname in reader.schema:
        for term, matcher in _field_postings(reader, fieldname):
            yield term, *_decoded(matcher)


def _field_arrays(postings: Iterable, fieldname: str, family: Family) -> dict[str, np.ndarray]:
    terms, starts, docs, weights = [], [0], [], []
    for term, ids, term_weights in postings:
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


def _decode_lengths(schema, perdoc, count: int, fieldname: str) -> np.ndarray:
    """Each document's length byte in a field (0: none), from a segment's per-document reader:
    read from its column of them at once, not asked of Whoosh document by document.

    Reading the column uses attributes of Whoosh's reader that are not part of its public API
    (whoosh-reloaded is pinned); another reader is asked document by document.
    """
    found = np.zeros(count, dtype=np.uint8)
    if fieldname not in schema or not schema[fieldname].scorable:
        return found
    if not isinstance(perdoc, W3PerDocReader):
        for docnum in range(count):
            found[docnum] = length_to_byte(perdoc.doc_field_length(docnum, fieldname, 0) or 0)
        return found
    # `store.LengthBytes`: the column read into memory (None: no document has the field)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is not None:
        held = min(len(column.bytes), count)
        found[:held] = np.frombuffer(column.bytes, dtype=np.uint8, count=held)
    return found


def counted_words(counts: dict[str, int]) -> bytes:
    """A testimony document's "did you mean" words with their counts, as its column holds
    them: the number of words, each word's count (four bytes each), then the words, sorted,
    a line each."""
    words = sorted(counts)
    numbers = np.array([counts[word] for word in words], dtype="<u4")
    return len(words).to_bytes(4, "little") + numbers.tobytes() + "\n".join(words).encode()


def _read_counted_words(value: bytes) -> tuple[list[bytes], np.ndarray]:
    count = int.from_bytes(value[:4], "little")
    if not count:
        return [], np.zeros(0, dtype="<u4")
    numbers = np.frombuffer(value, dtype="<u4", count=count, offset=4)
    return value[4 + 4 * count :].split(b"\n"), numbers


def _decode_vocabulary(schema, perdoc, fieldname: str, family: Family) -> dict[str, np.ndarray]:
    """A vocabulary's words, each with its testimony documents and counts."""
    numbers: dict[bytes, int] = {}  # word -> its number, in the order first met
    met, docs, weights = [_EMPTY_DOCS], [_EMPTY_DOCS], [_EMPTY_WEIGHTS]
    if fieldname in schema and perdoc.has_column(fieldname):
        column = perdoc.column_reader(fieldname, schema[fieldname].column_type)
        for head in family.heads:
            words, counts = _read_counted_words(column[int(head)])
            met.append(np.array([numbers.setdefault(w, len(numbers)) for w in words], np.int64))
            docs.append(np.full(len(words), head, dtype=np.int64))
            weights.append(counts.astype(np.float64))
    terms = sorted(numbers)
    rank = np.empty(len(terms), dtype=np.int64)
    rank[[numbers[term] for term in terms]] = np.arange(len(terms))
    ranked, all_docs = rank[np.concatenate(met)], np.concatenate(docs)
    order = np.lexsort((all_docs, ranked))
    return {
        "terms": np.array(terms, dtype=bytes) if terms else np.zeros(0, dtype="S1"),
        "starts": np.searchsorted(ranked[order], np.arange(len(terms) + 1)).astype(np.int64),
        "docs": all_docs[order].astype(np.int32),
        "weights": np.concatenate(weights)[order].astype(np.float32),
    }


def _decode(reader) -> dict[str, np.ndarray]:
    """A segment's arrays, by file name (`_files`), read from the segment."""
    # `_perdoc`: a segment reader's per-document reader (not part of Whoosh's public API)
    postings = partial(_read_postings, reader)
    return _segment_arrays(reader.schema, reader._perdoc, reader.doc_count_all(), postings)


def _segment_arrays(schema, perdoc, count: int, postings) -> dict[str, np.ndarray]:
    """A segment's arrays, by file name (`_files`), from its per-document reader and its
    postings (`postings(fieldname)`: each word of the field, in order, with its documents and
    weights)."""
    heads = next((ids for term, ids, _ in postings("kind") if term == b"testimony"), _EMPTY_DOCS)
    parents = _parents(heads, count)
    family = Family(parents)
    arrays: dict[str, np.ndarray] = {"parents": parents}
    for fieldname in VOCABULARY_FIELDS:
        for part, array in _decode_vocabulary(schema, perdoc, fieldname, family).items():
            arrays[f"{fieldname}_{part}"] = array
    for fieldname in SCORED_FIELDS + KEY_FIELDS:
        for part, array in _field_arrays(postings(fieldname), fieldname, family).items():
            arrays[f"{fieldname}_{part}"] = array
    for fieldname in LENGTH_FIELDS:
        lengths = _decode_lengths(schema, perdoc, count, fieldname)
        if fieldname in ABOUT_FIELDS:  # each passage's are its testimony document's
            lengths = np.where(parents >= 0, lengths[np.maximum(parents, 0)], 0).astype(np.uint8)
        arrays[f"{fieldname}_lengths"] = lengths
        docs, weights = arrays[f"{fieldname}_docs"], arrays[f"{fieldname}_weights"]
        sizes = np.bincount(docs, weights=weights, minlength=len(parents))
        arrays[f"{fieldname}_sizes"] = np.rint(sizes).astype(np.uint32)
    return arrays


class WrittenPostings:
    """The postings of the fields the arrays hold, gathered as a new segment's postings are
    written (`pool.WordPool.write`, called by `store`): the segment's arrays are then made
    from them (`arrays`), without reading the segment back."""

    FIELDS = frozenset((*SCORED_FIELDS, *KEY_FIELDS, "kind"))

    def __init__(self, gathered: dict[str, tuple]):
        # field -> (its words, where each word's postings start, documents, weights)
        self._fields = gathered

    def _postings(self, fieldname: str) -> Iterator[tuple[bytes, np.ndarray, np.ndarray]]:
        found = self._fields.get(fieldname)
        if found is None:
            return
        terms, starts, docs, weights = found
        all_docs = np.frombuffer(docs, np.uint32).astype(np.int64)
        all_weights = np.frombuffer(weights, np.float64)
        bounds = [*starts, len(all_docs)]
        for i, term in enumerate(terms):
            yield term, all_docs[bounds[i] : bounds[i + 1]], all_weights[bounds[i] : bounds[i + 1]]

    def arrays(self, schema, perdoc, count: int) -> dict[str, np.ndarray]:
        """The arrays of the segment written (`count` documents, read by `perdoc`), to be
        saved (`save_arrays`) once Whoosh has put the segment's files together."""
        return _segment_arrays(schema, perdoc, count, self._postings)


def write_segment_arrays(reader, directory: Path, segment_id: str) -> dict[str, Path]:
    """Decode a segment reader's postings and save them beside the segment; return the files.

    Each file is written under a temporary name and renamed into place, so a process that
    finds a file finds it whole; two processes writing the same segment write the same bytes.
    """
    return save_arrays(_decode(reader), directory, segment_id)


def save_arrays(arrays: dict[str, np.ndarray], directory: Path, segment_id: str) -> dict[str, Path]:
    """Save a segment's arrays beside it (see `write_segment_arrays`); return the files."""
    files = _files(directory, segment_id)
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
    loaded, held = {}, []
    for name, path in files.items():
        loaded[name], file = _mapped(path)
        held.append(file)
    return _arrays(loaded, doc_count, tuple(held))


def mapped(path: Path) -> np.ndarray:
    """`np.load(path, mmap_mode="r")` for an array `np.save` wrote, never mapped past the
    file's end (reading there would kill the process): raises `integrity.ArrayDamaged` for
    a file shorter than its header says (`integrity.npy_layout`)."""
    return _mapped(path)[0]


def _mapped(path: Path) -> tuple[np.ndarray, integrity.Held]:
    dtype, shape, offset, fortran, held = integrity.npy_layout(path)
    order = "F" if fortran else "C"
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order=order), held


def _arrays(
    loaded: dict[str, np.ndarray], doc_count: int, held: tuple[integrity.Held, ...] = ()
) -> SegmentArrays:
    return SegmentArrays(
        doc_count=doc_count,
        fields={
            field: FieldPostings(*(loaded[f"{field}_{part}"] for part in _PARTS))
            for field in _POSTED_FIELDS
        },
        lengths={field: loaded[f"{field}_lengths"] for field in LENGTH_FIELDS},
        sizes={field: loaded[f"{field}_sizes"] for field in LENGTH_FIELDS},
        parents=loaded["parents"],
        held=held,
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
    if found is not None and found.cut():  # mapped by an earlier searcher, cut since
        found = None
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
