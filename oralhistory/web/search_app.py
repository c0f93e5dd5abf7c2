"""The search index of a Flask application: opened at start-up (`init_app`), found by the
views, the CLI and the index follower (`archive_index`). The search package itself
knows nothing of Flask."""

from __future__ import annotations

from flask import Flask, current_app

from .. import search

EXTENSION = "oralhistory.index"


def init_app(app: Flask) -> None:
    """Install the search package's patches to Whoosh (checking its version) and open the
    application's index (`INDEX_DIR`)."""
    search.install_whoosh_patches()
    app.extensions[EXTENSION] = search.ArchiveIndex(app.config["INDEX_DIR"])


def archive_index(app: Flask | None = None) -> search.ArchiveIndex:
    """The index of `app` (by default, the current application)."""
    return (app or current_app).extensions[EXTENSION]
