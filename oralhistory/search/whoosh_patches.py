"""Whoosh's methods the archive's index replaces, faster or doing more: readers keep a
segment's column of lengths in memory, writers make the search arrays as they write a segment
and keep postings in `pool`. Installed explicitly (`install_whoosh_patches`, when the archive
opens its index), never on import, and only under the Whoosh they were written for."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from pathlib import Path

import whoosh
from whoosh import fields, writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.writing import SegmentWriter

from . import arrays, pool


def _cached_reader(self, fieldname, column):
    """`W3PerDocReader._cached_reader`, which keeps a column found and looks for a missing
    one's file again each time. Writing a segment asks for the length of each posting's
    field: every posting of a field without lengths (an id, a vocabulary) cost a look at the
    disk, and every other a read of one byte from the file. A written segment's columns
    never change, so a missing one is kept as missing, and a column of lengths is read into
    memory at once. (Installed by `install_whoosh_patches`, for every reader.)"""
    if fieldname not in self._readers:
        found = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        if found is not None and column is LENGTHS_COLUMN:
            found = LengthBytes(found)
        self._readers[fieldname] = found
    return self._readers[fieldname]


class LengthBytes:
    """A segment's column of lengths (a byte per document, up to the last that has the
    field), read into memory, and read as Whoosh's reader of it is."""

    def __init__(self, column):
        # `_dbfile`, `_basepos`, `_count`, `_doccount`: not part of Whoosh's public API
        self.bytes = column._dbfile.get(column._basepos, column._count)
        self._doccount = column._doccount

    def __getitem__(self, docnum: int) -> int:
        return self.bytes[docnum] if docnum < len(self.bytes) else 0

    def __iter__(self) -> Iterator[int]:
        yield from self.bytes
        yield from repeat(0, self._doccount - len(self.bytes))


def _flush_segment(self):
    """`SegmentWriter._flush_segment`, which writes a new segment's postings, and here also
    makes its arrays (`arrays.WrittenPostings`) from the postings as they are written:
    nothing is read back. (Installed by `install_whoosh_patches`, with `_finalize_segment`,
    for every writer; the steps of Whoosh's own are the same.)"""
    self.perdocwriter.close()
    perdoc = self.per_document_reader() if self.codec.length_stats else None
    gathered = self.pool.write(self.fieldwriter, self.schema, perdoc, arrays.WrittenPostings.FIELDS)
    self.fieldwriter.close()
    if perdoc is not None:
        self.written_arrays = arrays.WrittenPostings(gathered).arrays(
            self.schema, perdoc, self.get_segment().doc_count_all()
        )
        perdoc.close()


_finalize_whoosh_segment = SegmentWriter._finalize_segment


def _finalize_segment(self):
    """`SegmentWriter._finalize_segment`, then the segment's arrays saved beside it: after
    Whoosh has put its files together into one (and deleted any other of its name)."""
    segment = _finalize_whoosh_segment(self)
    found = getattr(self, "written_arrays", None)
    folder = getattr(self.storage, "folder", None)  # none: an index in memory
    if found is not None and folder:
        arrays.save_arrays(found, Path(folder), segment.segment_id())
    return segment


# The Whoosh these patches were written against and tested with (pyproject pins it): they
# replace private methods, whose steps another version may not share.
WHOOSH_VERSION = "2.7.5"


def install_whoosh_patches() -> None:
    """Replace Whoosh's methods that the index needs faster or doing more: readers keep the
    columns of lengths in memory (`_cached_reader`), writers make the arrays as they write
    (`_flush_segment`, `_finalize_segment`) and keep postings in `pool`. Process-wide, for
    every Whoosh index: installed when the archive opens its index (`ArchiveIndex`), never on
    import. Raises RuntimeError under another Whoosh than `WHOOSH_VERSION`."""
    if SegmentWriter._flush_segment is _flush_segment:
        return
    if whoosh.versionstring() != WHOOSH_VERSION:
        raise RuntimeError(
            f"the search index is written for Whoosh {WHOOSH_VERSION}, not "
            f"{whoosh.versionstring()}: install whoosh-reloaded=={WHOOSH_VERSION}"
        )
    W3PerDocReader._cached_reader = _cached_reader
    SegmentWriter._finalize_segment = _finalize_segment
    writing.PostingPool = pool.WordPool  # what each writer keeps a new segment's postings in
    fields.FieldType.index = pool.field_index
    SegmentWriter._flush_segment = _flush_segment  # last: it says the rest are in
