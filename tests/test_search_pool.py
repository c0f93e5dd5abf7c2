"""A new segment's postings, kept word by word (`pool.WordPool`) and written a block at a time:
the same postings, in the same bytes, as Whoosh's own pool and writer give."""

from __future__ import annotations

from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from oralhistory.record.models import Passage
from oralhistory.search import pool
from oralhistory.search.store import _add_group
from oralhistory.web import db, search_app
from tests.helpers import archive_schema_and_groups

SCHEMA = Schema(text=TEXT(phrase=True), narrator=ID, place=KEYWORD(scorable=True))
# Whoosh's values for each field's format: positions pickled, none, a frequency
VALUES = {
    "text": st.binary(min_size=1, max_size=12),
    "narrator": st.just(b""),
    "place": st.just(b"\x00\x00\x00\x02"),
}


def written(storage, schema, perdoc, write) -> tuple[bytes, bytes]:
    """The term table and the postings file a field writer writes (`write(fieldwriter)`)."""
    codec = default_codec()
    segment = codec.new_segment(storage, "T")
    fieldwriter = codec.field_writer(storage, segment)
    write(fieldwriter)
    fieldwriter.close()
    return tuple(
        storage.open_file(segment.make_filename(ext)).read()
        for ext in (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT)
    )


def whooshs_and_ours(schema, perdoc, word_pool, items) -> tuple[tuple, tuple]:
    storage = RamStorage()
    return (
        written(storage, schema, perdoc, lambda fw: fw.add_postings(schema, perdoc, items)),
        written(
            storage, schema, perdoc, lambda fw: word_pool.write(fw, schema, perdoc, frozenset())
        ),
    )


posting = st.sampled_from(sorted(VALUES)).flatmap(
    lambda field: st.tuples(
        st.just(field),
        st.sampled_from([b"aleppo", b"haleb", b"bus", "\u062d\u0644\u0628".encode()]),
        st.integers(0, 400),
        st.integers(1, 4).map(float),
        VALUES[field],
    )
)


@settings(max_examples=200, deadline=None)
@given(st.lists(posting, max_size=400))
@example([("text", b"bus", doc, 1.0, b"x") for doc in range(300)])  # blocks of 128 postings
@example([("place", b"aleppo", doc, 2.0, b"\x00\x00\x00\x02") for doc in range(256)])  # two
def test_the_word_pool_gives_and_writes_the_postings_whooshs_pool_and_writer_do(items):
    """In any order: a writer adds a segment's postings in its documents' order, but merging
    a segment into another adds each word's postings after those of the documents added."""
    word_pool = pool.WordPool()
    for item in items:
        word_pool.add(item)
    assert list(word_pool.iter_postings()) == sorted(items)
    whooshs, ours = whooshs_and_ours(SCHEMA, None, word_pool, sorted(items))
    assert ours == whooshs


def test_the_collections_segment_is_written_as_whooshs_writer_writes_it_with_its_lengths(app):
    """The archive's own fields and documents, with the block statistics of their lengths."""
    with app.app_context():
        session = db.session()
        schema, groups = archive_schema_and_groups(session)
        groups = list(groups)
    writer = RamStorage().create_index(schema).writer()
    for group in groups * 10:  # words with more postings than a block holds (128)
        _add_group(writer, group)
    writer.perdocwriter.close()
    perdoc = writer.per_document_reader()
    items = list(writer.pool.iter_postings())
    per_word = Counter(item[:2] for item in items)
    assert len({field for field, _ in per_word}) >= 10 and max(per_word.values()) > 128
    whooshs, ours = whooshs_and_ours(schema, perdoc, writer.pool, items)
    assert ours == whooshs
    gathered = writer.pool.write(
        default_codec().field_writer(RamStorage(), default_codec().new_segment(RamStorage(), "G")),
        schema,
        perdoc,
        frozenset({"text"}),
    )
    terms, starts, docs, _ = gathered["text"]
    text_postings = [item for item in items if item[0] == "text"]
    assert terms == sorted({item[1] for item in text_postings})
    assert list(docs) == [item[2] for item in text_postings]
    assert len(starts) == len(terms)
    writer.cancel()


def test_a_field_of_words_is_indexed_with_the_words_positions_and_values_of_whooshs_own(app):
    with app.app_context():
        schema = search_app.archive_index().searcher().schema
        texts = list(db.session().scalars(select(Passage.text)))
    assert texts
    for name in ("text", "note", "name_keys", "context"):
        field = schema[name]
        for text in texts:
            assert pool.field_index(field, text) == list(pool._whoosh_index(field, text)), name
    # a value Whoosh's own indexing is left to: a list of words
    assert list(pool.field_index(schema["text"], ["Aleppo", "Haleb"])) == list(
        pool._whoosh_index(schema["text"], ["Aleppo", "Haleb"])
    )
