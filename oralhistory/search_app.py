"""The search index of a Flask application: opened at start-up (`init_app`), found by the
views, the CLI and the index follower (`archive_index`, `target`). The search package itself
knows nothing of Flask."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from . import search
from .indexing import Target

EXTENSION = "oralhistory.index"


def init_app(app: Flask) -> None:
    """Install the search package's patches to Whoosh (checking its version) and open the
    application's index (`INDEX_DIR`)."""
    search.install_whoosh_patches()
    app.extensions[EXTENSION] = search.ArchiveIndex(app.config["INDEX_DIR"])


def archive_index(app: Flask | None = None) -> search.ArchiveIndex:
    """The index of `app` (by default, the current application)."""
    return (app or current_app).extensions[EXTENSION]


def target(app: Flask | None = None) -> Target:
    """What keeping the index of `app` in step needs: the index, and `names.yaml`."""
    app = app or current_app
    return Target(archive_index(app), Path(app.config["TRANSCRIPTS_DIR"]) / "names.yaml")
