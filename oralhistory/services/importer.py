"""Reading the collection's files: validate first, then store; a bad file stores nothing.

The old face of the import, kept for its many callers; the work is done by the modules it
names: the YAML (`file_yaml`), the fields' rules (`field_rules`), a testimony file
(`testimony_file`), its rows (`testimony_rows`, `passage_replacement`), the timeline
(`timeline_file`) and the batch import with its links and alignment (`collection_import`).
"""

from __future__ import annotations

from ..collection.field_rules import (
    CITATION_FIELDS,
    NARRATOR_FIELDS,
    TESTIMONY_FIELDS,
    TIMELINE_FIELDS,
    check_testimony_meta,
)
from ..collection.passage_replacement import replace_passages
from ..collection.testimony_file import (
    EDITOR_NOTE_RE,
    PassageText,
    TestimonyFile,
    parse_testimony,
    read_testimony_file,
    split_passages,
    testimony_paths,
)
from ..collection.testimony_rows import (
    fill_narrator,
    fill_testimony,
    store_testimony,
    upsert_narrator,
)
from ..collection.timeline_file import store_timeline
from ..errors import InvalidFile
from .collection_import import (
    ImportReport,
    import_testimonies,
    parse_timeline,
    read_timeline_file,
)

__all__ = [
    "CITATION_FIELDS",
    "EDITOR_NOTE_RE",
    "NARRATOR_FIELDS",
    "TESTIMONY_FIELDS",
    "TIMELINE_FIELDS",
    "ImportReport",
    "InvalidFile",
    "PassageText",
    "TestimonyFile",
    "check_testimony_meta",
    "fill_narrator",
    "fill_testimony",
    "import_testimonies",
    "parse_testimony",
    "parse_timeline",
    "read_testimony_file",
    "read_timeline_file",
    "replace_passages",
    "split_passages",
    "store_testimony",
    "store_timeline",
    "testimony_paths",
    "upsert_narrator",
]
