"""Whether the index's files are whole: what `store` asks before it reports a damaged index,
what `flask check` asks of every file, and the guard of the arrays a process maps.

A memory-mapped file cut short under the process that maps it kills the process (SIGBUS) at
the next read past its new end: no Python error can be caught there. So an array is mapped
only after its file's size has been checked against its header (`npy_layout`), and before
each search the files a searcher maps are looked at again (`Held.cut`): one changed in place
(shorter, or written over) makes the searcher be opened afresh, which finds the damage and
reports it. Legitimate writers never change a file in place: they write a new one and rename
it, so the mapped one stays whole. (A file cut during the very search that reads it is not
guarded against: the process dies, and the one that takes its place finds the damage.)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage

from . import segment_decoding
from .segment_layout import array_files

# The header of an array `np.save` writes, as it writes it: `{'descr': '<i8',
# 'fortran_order': False, 'shape': (12,), }`.
_NPY_HEADER = re.compile(
    r"\{'descr': '([^']+)', 'fortran_order': False, 'shape': \(((?:\d+, ?)*\d*)\), \}"
)


class ArrayDamaged(ValueError):
    """An array file is missing, garbled, or shorter than its header says."""


@dataclass(frozen=True)
class Held:
    """A file as it was when mapped: its inode, size and time of last change."""

    path: str  # as a string: it is looked at before each search
    inode: int
    size: int
    changed_ns: int

    @classmethod
    def of(cls, path: Path, stat: os.stat_result) -> Held:
        """The file at `path` as `stat` found it."""
        return cls(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def cut(self) -> bool:
        """Whether the mapped file was changed in place since (cut, emptied, written over).

        A file deleted or replaced by another is not: the mapping keeps the old one whole."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            return False
        return now.st_ino == self.inode and (
            now.st_size != self.size or now.st_mtime_ns != self.changed_ns
        )


def npy_layout(path: Path) -> tuple[np.dtype, tuple[int, ...], int, bool, Held]:
    """The type, shape, offset and order (Fortran's or not) of the data of an array `np.save`
    wrote, its header read by
    a regular expression (numpy's own reader evaluates it as Python, a millisecond a file,
    and a segment has dozens), and the file as it is now.

    Raises `ArrayDamaged` for a header of another kind, or a file shorter than it says."""
    with open(path, "rb") as file:
        stat = os.fstat(file.fileno())
        start = file.read(12)
        if not start.startswith(b"\x93NUMPY") or len(start) < 12:
            raise ArrayDamaged(f"the array {path.name} has no header numpy wrote")
        wide = start[6:7] != b"\x01"  # format 2 and 3 give the header's length in 4 bytes
        length = int.from_bytes(start[8:12] if wide else start[8:10], "little")
        offset = 12 if wide else 10
        file.seek(offset)
        found = _NPY_HEADER.match(file.read(length).decode("latin1"))
        try:
            if found is not None:
                dtype, fortran = np.dtype(found.group(1)), False
                shape = tuple(int(n) for n in found.group(2).split(",") if n.strip())
            else:  # a header written otherwise: read by numpy (no data is read)
                file.seek(0)
                npy = np.lib.format
                version = npy.read_magic(file)
                read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
                shape, fortran, dtype = read(file)
        except (TypeError, ValueError, SyntaxError):
            raise ArrayDamaged(f"the array {path.name} has a garbled header") from None
    needed = offset + length + dtype.itemsize * int(np.prod(shape, dtype=np.int64))
    if stat.st_size < needed:
        raise ArrayDamaged(f"the array {path.name} is cut short ({stat.st_size} of {needed} bytes)")
    return dtype, shape, offset + length, fortran, Held.of(path, stat)


def damage(folder: Path, *, thorough: bool = False) -> str | None:
    """What is wrong with the index generation in `folder`, or None when its files read whole.

    Opens the table of contents and every segment afresh, checks that each part a segment
    lists lies within its file, and that each array beside a segment is as long as its
    header says: a missing, cut or garbled file is found without reading the postings. With
    `thorough`, every segment's postings and stored fields are read too, and its arrays
    compared with them, a missing array included (else one is made again when read).
    """
    try:
        storage = FileStorage(str(folder), supports_mmap=False)
        ix = storage.open_index()
        for segment in ix._segments():
            if segment.is_compound():
                compound = segment.open_compound_file(storage)
                size = storage.file_length(segment.make_filename(segment.COMPOUND_EXT))
                try:
                    for part in compound.list():
                        offset, length = compound.range(part)
                        if offset + length > size:
                            return f"segment {segment.segment_id()} is cut short"
                finally:
                    compound.close()
            elif not segment.list_files(storage):
                return f"segment {segment.segment_id()} has no files"
            problem = _arrays_damage(folder, segment.segment_id(), thorough)
            if problem:
                return problem
        with ix.reader() as reader:
            reader.doc_count()
            if thorough:
                return _contents_damage(folder, reader)
    except Exception as error:  # noqa: BLE001 (whatever Whoosh raises on a bad file)
        return f"the index in {folder} cannot be read ({type(error).__name__})"
    return None


def _arrays_damage(folder: Path, segment_id: str, thorough: bool) -> str | None:
    for path in array_files(folder, segment_id).values():
        try:
            npy_layout(path)
        except FileNotFoundError:
            if thorough:
                return f"the array {path.name} is missing"
        except ArrayDamaged as error:
            return str(error)
    return None


def _contents_damage(folder: Path, reader) -> str | None:
    """Every segment's stored fields and postings read, and its arrays compared with them."""
    for _ in reader.all_stored_fields():
        pass
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment()
        if segment is None:
            continue
        decoded = segment_decoding.decode_segment(leaf)
        for name, path in array_files(folder, segment.segment_id()).items():
            dtype, shape, offset, fortran, _ = npy_layout(path)
            saved = np.fromfile(path, dtype=dtype, offset=offset).reshape(
                shape, order="F" if fortran else "C"
            )
            if not np.array_equal(saved, decoded[name]):
                return f"the array {path.name} differs from its segment"
    return None
