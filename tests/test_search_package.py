"""The search package stands alone: importing it loads no Flask, no SQLAlchemy and nothing
else of the archive, and changes no Whoosh class until the archive opens its index."""

from __future__ import annotations

import json
import subprocess
import sys

from oralhistory import PROJECT_ROOT

WHOOSH_METHODS = """
import json, sys
from whoosh import fields, writing
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.writing import SegmentWriter

def methods():
    return [repr(m) for m in (
        W3PerDocReader._cached_reader, SegmentWriter._flush_segment,
        SegmentWriter._finalize_segment, writing.PostingPool, fields.FieldType.index)]

import oralhistory  # the archive's package: its application factory is Flask's
before, present = methods(), set(sys.modules)
import oralhistory.search
after_import = methods()
loaded = sorted(name for name in set(sys.modules) - present
                if name.split(".")[0] in ("flask", "sqlalchemy", "werkzeug", "jinja2")
                or (name.startswith("oralhistory.") and not name.startswith("oralhistory.search")))
oralhistory.search.ArchiveIndex(sys.argv[1])
print(json.dumps([before == after_import, before == methods(), loaded]))
"""


def run_in_a_fresh_process(tmp_path) -> tuple[bool, bool, list[str]]:
    answer = subprocess.run(
        [sys.executable, "-c", WHOOSH_METHODS, str(tmp_path / "index")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return tuple(json.loads(answer.stdout))


def test_importing_the_search_package_leaves_whooshs_classes_as_they_were(tmp_path):
    unchanged_by_import, unchanged_once_opened, _ = run_in_a_fresh_process(tmp_path)
    assert unchanged_by_import
    # opening the archive's index installs them, after checking Whoosh's version
    assert not unchanged_once_opened


def test_importing_the_search_package_loads_no_flask_database_or_other_part_of_the_archive(
    tmp_path,
):
    _, _, loaded = run_in_a_fresh_process(tmp_path)
    assert loaded == [], loaded
