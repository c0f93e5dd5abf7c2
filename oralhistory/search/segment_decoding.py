"""A segment's postings, lengths and "did you mean" columns read into arrays: from the
segment's files (`decode_segment`), or from the postings as Whoosh writes them
(`decoded_arrays`, through `arrays.WrittenPostings`). The arrays are laid out as
`segment_layout` says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3PerDocReader,
    W3TermsReader,
    _lenfield,
)
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import length_to_byte

from .segment_layout import (
    ABOUT_FIELDS,
    EMPTY_DOCS,
    EMPTY_WEIGHTS,
    KEY_FIELDS,
    LENGTH_FIELDS,
    NO_PARENT,
    SCORED_FIELDS,
    TESTIMONY,
    VOCABULARY_FIELDS,
    Family,
)


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
        return EMPTY_DOCS, EMPTY_WEIGHTS
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
    # `whoosh_patches.LengthBytes`: the column read into memory (None: no document has the field)
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
    met, docs, weights = [EMPTY_DOCS], [EMPTY_DOCS], [EMPTY_WEIGHTS]
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


def decode_segment(reader) -> dict[str, np.ndarray]:
    """A segment's arrays, by file name (`array_files`), read from the segment."""
    # `_perdoc`: a segment reader's per-document reader (not part of Whoosh's public API)
    postings = partial(_read_postings, reader)
    return decoded_arrays(reader.schema, reader._perdoc, reader.doc_count_all(), postings)


def decoded_arrays(schema, perdoc, count: int, postings) -> dict[str, np.ndarray]:
    """A segment's arrays, by file name (`array_files`), from its per-document reader and its
    postings (`postings(fieldname)`: each word of the field, in order, with its documents and
    weights)."""
    heads = next((ids for term, ids, _ in postings("kind") if term == b"testimony"), EMPTY_DOCS)
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
