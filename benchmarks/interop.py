"""How long exports, the rebuild from an export, and a full OAI-PMH harvest take.

    .venv/bin/python -m benchmarks.interop --sizes 1000,10000

For each size, a synthetic collection (`benchmarks.generate`) is stored, then timed:
`flask export` (public testimonies), `flask init` on that export in a new database (the
search index built too), a full OAI-PMH ListRecords harvest through the Flask test client
(every page, 50 records each), and `/search.csv` for a word found in many passages.
Prints the figures; asserts nothing about them.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree as ET

from oralhistory import create_app
from oralhistory.services import indexing
from oralhistory.web import db, search_app

from .generate import SEED, generate, load, load_timeline

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _app(directory: Path, **config):
    directory.mkdir(parents=True, exist_ok=True)
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{directory / 'archive.db'}",
            "INDEX_DIR": str(directory / "index"),
            "SECRET_KEY": "benchmark",
            **config,
        }
    )


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _harvest(app) -> int:
    client, records = app.test_client(), 0
    args = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    for _ in range(100_000):  # bounded: at most that many pages
        root = ET.fromstring(client.get("/oai", query_string=args).data)
        records += len(root.findall(f"{OAI}ListRecords/{OAI}record"))
        token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
        if token is None or not token.text:
            return records
        args = {"verb": "ListRecords", "resumptionToken": token.text}
    return records


def measure(size: int, work: Path) -> dict[str, float]:
    """The figures for a collection of `size` passages."""
    original = _app(work / "original")
    with original.app_context():
        db.upgrade_schema()
        load_timeline(db.session())
        load(db.session(), generate(size, SEED))
        indexing.rebuild(db.session(), search_app.archive_index())
    runner = original.test_cli_runner()
    export_s, result = _timed(lambda: runner.invoke(args=["export", str(work / "export")]))
    assert result.exit_code == 0, result.output
    rebuilt = _app(work / "rebuilt", TRANSCRIPTS_DIR=str(work / "export"))
    init_s, result = _timed(lambda: rebuilt.test_cli_runner().invoke(args=["init"]))
    assert result.exit_code == 0, result.output
    harvest_s, records = _timed(lambda: _harvest(original))
    csv_s, response = _timed(lambda: original.test_client().get("/search.csv?q=Aleppo"))
    assert response.status_code == 200
    return {
        "passages": size,
        "export_s": export_s,
        "init_from_export_s": init_s,
        "harvest_s": harvest_s,
        "records": records,
        "csv_s": csv_s,
        "csv_rows": response.get_data(as_text=True).count("\r\n") - 1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000", help="passages, comma-separated")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as work:
            f = measure(size, Path(work))
        print(
            f"{f['passages']} passages: export {f['export_s']:.1f} s; init from the export "
            f"{f['init_from_export_s']:.1f} s; OAI-PMH harvest of {f['records']} records "
            f"{f['harvest_s']:.1f} s; /search.csv ({f['csv_rows']} rows) {f['csv_s']:.2f} s"
        )


if __name__ == "__main__":
    main()
