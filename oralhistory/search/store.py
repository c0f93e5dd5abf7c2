"""The index on disk.

The index is derived from the database and can be rebuilt from it at any time. It lives in
`INDEX_DIR` as numbered generations (`ix-<n>/`) with a `CURRENT` file naming the one in use:
a rebuild writes a new generation and switches `CURRENT` atomically, so readers in other
processes never see a half-built index. Every write, in any process, holds one file lock.
Each generation keeps in `LAST_CHANGE` the id of the last change-log row it reflects (the
archive's `indexing` brings it up to date). Whoosh's files are read, never memory-mapped: a
segment cut under a mapped reader kills the process (SIGBUS); read, it raises an error, and a
damaged index is reported as `IndexDamaged`. (The arrays beside the segments are mapped, behind the
guard of `integrity`.) A searcher whose table of contents changed in place or vanished is
opened afresh, which finds the damage.
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from whoosh import index, scoring
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.multiproc import MpWriter
from whoosh.searching import Searcher

from . import arrays, integrity
from .ranking import BM25_B, BM25_K1
from .whoosh_patches import install_whoosh_patches

WRITE_LOCK_TIMEOUT = 30.0  # seconds a writer waits for another to finish
# A build's processes allocate millions of small objects and free them soon: Python's
# collector of cycles runs then every 100,000 allocations, not every 700 (a tenth of a
# build's time went in it), and the thresholds are set back after.
BUILD_GC_THRESHOLDS = (100_000, 50, 100)


def _committed_since(ix: index.FileIndex, searcher: Searcher) -> bool:
    """Whether a writer has committed to `ix` since `searcher` was opened, without listing
    the directory (hundreds of files, with the arrays). Commits come one at a time (the
    write lock); each writes a table of contents numbered one more than the last, then
    deletes every other: after a commit, the next one is there, or the searcher's own is gone
    (`_own_toc`).
    """
    generation = searcher.reader().generation()
    if generation is None:  # an index of no passages (Whoosh's EmptyReader) tells none
        return True
    following = index.TOC._filename(ix.indexname, generation + 1)
    return ix.storage.file_exists(following)


def _own_toc(ix: index.FileIndex, searcher: Searcher) -> tuple[int, int, int] | None:
    """The searcher's table of contents as it is now (inode, size, time of change), or None
    when it is gone. Whoosh never writes one in place: a change is a commit, or damage."""
    name = index.TOC._filename(ix.indexname, searcher.reader().generation())
    try:
        stat = os.stat(Path(ix.storage.folder) / name)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class ArchiveIndex:
    """One archive's index directory, shared by every process that serves the archive."""

    def __init__(self, root: str | os.PathLike):
        install_whoosh_patches()
        self.root = Path(root)
        self._local = threading.local()
        self._lock_depth = threading.local()

    # reading ----------------------------------------------------------------------------

    def _current(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def exists(self) -> bool:
        return self._current() is not None

    def _open(self, name: str) -> index.Index:
        return FileStorage(str(self.root / name), supports_mmap=False).open_index()

    def last_change(self) -> int:
        """The id of the last change-log row the current generation reflects (0: none)."""
        name = self._current()
        try:
            return int((self.root / str(name) / "LAST_CHANGE").read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _mark(self, name: str, last_change: int | None) -> None:
        if last_change is None:
            return
        marker = self.root / name / "LAST_CHANGE.tmp"
        marker.write_text(str(last_change))
        os.replace(marker, marker.with_suffix(""))

    def searcher(self) -> Searcher:
        """A searcher on the latest committed index: cached per thread, refreshed on change.

        Raises `IndexMissing` when there is no index, `IndexDamaged` when it cannot be read.
        """
        name = self._current()
        if name is None:
            raise IndexMissing(
                f"there is no search index in {self.root}: run `flask --app oralhistory reindex`"
            )
        local = self._local
        try:
            if getattr(local, "name", None) != name:
                self.drop_searcher()
                local.index = self._open(name)
                self._open_searcher(local)
                local.name = name
            elif _committed_since(local.index, local.searcher) or local.toc != _own_toc(
                local.index, local.searcher
            ):
                # A new searcher, not Searcher.refresh(): refresh reuses the old segment
                # readers, which keep passages deleted since (a re-imported testimony's old text).
                self.drop_searcher()
                self._open_searcher(local)
                local.name = name
        except Exception as error:
            # never keep a searcher half opened or closed: the next call opens one afresh
            self.drop_searcher()
            if self._current() != name:  # a rebuild switched generations meanwhile
                return self.searcher()
            problem = self.damage()
            if problem is None:
                raise
            raise IndexDamaged(problem) from error
        return local.searcher

    def _open_searcher(self, local) -> None:
        local.searcher = local.index.searcher(weighting=_weighting())
        local.toc = _own_toc(local.index, local.searcher)

    def drop_searcher(self) -> None:
        """Close this thread's searcher: the next `searcher()` opens one afresh."""
        local = self._local
        searcher, local.searcher, local.name = getattr(local, "searcher", None), None, None
        if searcher is not None:
            with suppress(Exception):  # closed already, or its files gone
                searcher.close()

    def damage(self, *, thorough: bool = False) -> str | None:
        """What is wrong with the current generation's files, or None when they read whole
        (`integrity.damage`: with `thorough`, every file is read through)."""
        name = self._current()
        if name is None:
            return None
        return integrity.damage(self.root / name, thorough=thorough)

    # writing ----------------------------------------------------------------------------

    @contextmanager
    def writing(self, timeout: float = WRITE_LOCK_TIMEOUT) -> Iterator[None]:
        """Hold the index's one write lock (across processes; again within one thread).

        Raises `IndexBusy` when another writer holds it for longer than `timeout` seconds
        (0: do not wait).
        """
        depth = getattr(self._lock_depth, "value", 0)
        if depth:
            self._lock_depth.value = depth + 1
            try:
                yield
            finally:
                self._lock_depth.value = depth
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "write.lock", "a") as lock_file:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexBusy("the search index is busy; try again") from None
                    time.sleep(0.05)
            self._lock_depth.value = 1
            try:
                yield
            finally:
                self._lock_depth.value = 0
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def rebuild(
        self,
        schema: Schema,
        groups: Iterable[list[dict[str, Any]]],
        procs: int = 1,
        last_change: int | None = None,
    ) -> int:
        """Write a new generation with `groups` (per testimony: its document, then its
        passages'), switch to it, drop the old ones; return the number of passages.

        With `procs` > 1, that many processes analyse and write the documents side by side,
        each into a segment of its own (searches read the segments together); a group is
        always written whole into one segment, in order. The new generation reflects the
        change log up to `last_change`.
        """
        with self.writing():
            name = f"ix-{time.time_ns()}"
            path = self.root / name
            path.mkdir(parents=True)
            ix = FileStorage(str(path), supports_mmap=False).create_index(schema)
            count = 0
            options = {"procs": procs, "multisegment": True} if procs > 1 else {}
            # the writing processes are forked from this one: they keep its thresholds
            with _collecting_less(), ix.writer(**options) as writer:
                for group in groups:
                    _add_group(writer, group)
                    count += len(group) - 1
            self._mark(name, last_change)
            arrays.prepare_segments(ix, procs)
            pointer = self.root / "CURRENT.tmp"
            pointer.write_text(name)
            os.replace(pointer, self.root / "CURRENT")
            for old in self.root.glob("ix-*"):
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            return count

    def replace(
        self,
        testimony_ids: Iterable[int],
        groups: Iterable[list[dict[str, Any]]],
        last_change: int | None = None,
    ) -> None:
        """Remove every document of `testimony_ids`, then add `groups` (as `rebuild`), in one
        commit; the generation then reflects the change log up to `last_change`."""
        with self.writing():
            name = self._current()
            if name is None:
                raise IndexMissing("there is no search index yet: run `init` or `reindex`")
            try:
                ix = self._open(name)
                with ix.writer(timeout=WRITE_LOCK_TIMEOUT) as writer:
                    for testimony_id in testimony_ids:
                        writer.delete_by_term("testimony_id", str(testimony_id))
                    for group in groups:
                        _add_group(writer, group)
            except Exception as error:
                # a damaged index cannot take the change: it is rebuilt from the record
                problem = self.damage()
                if problem is None:
                    raise
                raise IndexDamaged(problem) from error
            # After Whoosh's commit: a crash between the two leaves the mark behind, and the
            # same changes are applied again, which gives the same index.
            self._mark(name, last_change)
            arrays.prepare_segments(ix)

    def indexed_versions(self) -> dict[int, tuple[int, str]]:
        """Every passage the index holds: passage id -> (testimony id, version indexed)."""
        reader = self.searcher().reader()
        return {
            int(fields["passage_id"]): (int(fields["testimony_id"]), fields.get("version", ""))
            for fields in reader.all_stored_fields()
            if "passage_id" in fields  # not a testimony's document
        }


@contextmanager
def _collecting_less() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _add_group(writer, group: list[dict[str, Any]]) -> None:
    # Whoosh keeps a group's documents together, in order, in one segment: a testimony's
    # passages follow its document (`arrays` reads them so).
    with writer.group():
        for document in group:
            writer.add_document(**document)
    # A parallel writer hands its documents to its processes a batch at a time, but never in
    # a group, and here every document is in one: a full batch is handed over after its
    # group. (`docbuffer`, `batchsize` and `_enqueue` are not part of Whoosh's public API;
    # whoosh-reloaded is pinned.)
    if isinstance(writer, MpWriter) and len(writer.docbuffer) >= writer.batchsize:
        writer._enqueue()


def _weighting() -> scoring.WeightingModel:
    return scoring.BM25F(B=BM25_B, K1=BM25_K1)


class IndexMissing(RuntimeError):
    pass


class IndexDamaged(RuntimeError):
    """The index's files cannot be read (cut, deleted, garbled): it must be rebuilt."""


class IndexBusy(TimeoutError):
    """Another process holds the index's write lock."""
