"""Each index segment's postings decoded once into numpy arrays, kept beside the segment:
made as the segment is written, saved, and memory-mapped by every process.

Whoosh keeps postings pickled and compressed, block by block, and decodes them anew for every
query. A segment never changes once written (deletions are kept apart from it), so its
postings are kept as arrays, made as Whoosh writes the segment (`WrittenPostings`, from the
postings on their way to its files; an index written before the arrays has them decoded
when first read), and saved next to its files as `.npy` arrays that every process serving
the archive memory-maps: they share one copy in the page cache and start in milliseconds.
What the arrays hold and how their files are named: `segment_layout`; how a segment is read
into them: `segment_decoding`; a searcher's view of all its segments' arrays:
`searcher_arrays`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from . import integrity, segment_decoding
from .segment_decoding import decoded_arrays
from .segment_layout import (
    KEY_FIELDS,
    LENGTH_FIELDS,
    PARTS,
    POSTED_FIELDS,
    SCORED_FIELDS,
    VOCABULARY_FIELDS,
    Family,
    FieldPostings,
    array_files,
)


@dataclass(frozen=True)
class SegmentArrays:
    """One segment's arrays (`segment_layout`): read from its mapped files, or decoded in
    memory for an index without a folder."""

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
        """Where each testimony document's passages lie in this segment."""
        return Family(self.parents)

    @cached_property
    def vocabulary(self) -> dict[str, list[str]]:
        """Each "did you mean" field's words, sorted, as text."""
        return {
            f: [bytes(t).decode("utf-8") for t in self.fields[f].terms] for f in VOCABULARY_FIELDS
        }


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
        return decoded_arrays(schema, perdoc, count, self._postings)


def write_segment_arrays(reader, directory: Path, segment_id: str) -> dict[str, Path]:
    """Decode a segment reader's postings and save them beside the segment; return the files.

    Each file is written under a temporary name and renamed into place, so a process that
    finds a file finds it whole; two processes writing the same segment write the same bytes.
    """
    return save_arrays(segment_decoding.decode_segment(reader), directory, segment_id)


def save_arrays(arrays: dict[str, np.ndarray], directory: Path, segment_id: str) -> dict[str, Path]:
    """Save a segment's arrays beside it (see `write_segment_arrays`); return the files."""
    files = array_files(directory, segment_id)
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
                path.exists()
                for path in array_files(directory, leaf.segment().segment_id()).values()
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
            field: FieldPostings(*(loaded[f"{field}_{part}"] for part in PARTS))
            for field in POSTED_FIELDS
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
        files = array_files(directory, segment.segment_id())
        if not all(path.exists() for path in files.values()):
            files = write_segment_arrays(reader, directory, segment.segment_id())
        found = _load(files, reader.doc_count_all())
        with _OPENED_LOCK:
            _OPENED[key] = found
    return found


def _in_memory(reader) -> SegmentArrays:
    return _arrays(segment_decoding.decode_segment(reader), reader.doc_count_all())


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
