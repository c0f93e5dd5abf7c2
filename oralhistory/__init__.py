"""An oral-history testimony archive: Flask application factory."""

from __future__ import annotations

import gc
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

# The whole schema, whatever part of the package is imported first: a script that imports only
# `models` still gets every table mapped, and every relationship between them resolved.
from .record import schema  # noqa: F401

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    Configuration comes, in increasing priority, from the defaults (SQLite and an index under
    `instance/`), the environment (`ORALHISTORY_*`), and the `config` dict given here (tests).
    """
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(
        DATABASE_URL=None,
        INDEX_DIR=None,
        TRANSCRIPTS_DIR=str(PROJECT_ROOT / "transcripts"),
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,
        MAX_TRANSCRIPT_BYTES=5 * 1024 * 1024,
        # recordings: kept under MEDIA_DIR (default instance/media/), each at most this large
        MEDIA_DIR=None,
        MAX_RECORDING_BYTES=4 * 1024**3,
        # e.g. "/_media/": nginx sends the recordings' bytes (X-Accel-Redirect), deploy/nginx.conf
        MEDIA_ACCEL=None,
        # a pasted transcript is one form field: let it reach the form's own size check
        MAX_FORM_MEMORY_SIZE=6 * 1024 * 1024,
        PERMANENT_SESSION_LIFETIME=12 * 60 * 60,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_AS_ASCII=False,
        PER_PAGE=10,
        # the archive's name, as citations and page metadata give it
        ARCHIVE_NAME="Testimony Archive",
        # readers see links no archivist has reviewed apart and quietly, or (False) not at all
        SHOW_PROPOSED_LINKS=True,
        # a thread keeps this process's index in step with the change log (`index_follower`):
        # None: as the entry point says (on in a server, `wsgi.py` or `flask run`; off in the
        # other `flask` commands and scripts, which bring the index up to date themselves);
        # True or False: so
        INDEX_FOLLOWER=None,
    )
    app.config.from_prefixed_env("ORALHISTORY")
    if config:
        app.config.from_mapping(config)

    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"] or not app.config["INDEX_DIR"]:
        instance.mkdir(parents=True, exist_ok=True)
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or (
        f"sqlite:///{instance / 'oralhistory.db'}"
    )
    app.config["INDEX_DIR"] = app.config["INDEX_DIR"] or str(instance / "index")
    app.config["MEDIA_DIR"] = app.config["MEDIA_DIR"] or str(instance / "media")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    app.json.ensure_ascii = False
    _check_public_url(app.config.get("PUBLIC_URL"))

    from . import align_cli, cli
    from .web import auth, db, i18n, index_follower, request_deadline, search_app, security
    from .web.views import register_views, static_files

    i18n.init_app(app)
    db.init_app(app)
    search_app.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    align_cli.init_app(app)
    register_views(app)
    static_files.init_app(app)
    request_deadline.init_app(app)
    index_follower.init_app(app)
    return app


def warm_up(app: Flask) -> None:
    """Do at a server's start what its first reader's search would otherwise wait for: the
    English word list name keys rest on loaded, the index's arrays mapped, the public
    statistics counted, the SQL compiled. An archive without an index yet starts all the same.
    """
    from . import search
    from .services import collection_summary, searching
    from .web import db, search_app

    with app.test_request_context("/api/search"):
        try:
            # a search a reader would make: the collection's own most spoken-of place
            place = collection_summary.example_place(db.session())
            words = place.name if place else "archive"
            index = search_app.archive_index(app)
            searching.search_page(db.session(), index, search.SearchRequest(q=words))
        except Exception:  # a server starts whatever its warm-up meets
            app.logger.warning("no warm-up search: the first search will be slower", exc_info=True)
    # What is alive now lives as long as the worker: the garbage collector's full passes leave
    # it out (a pass over it took 130 ms, in the middle of a search, at 100,000 passages).
    gc.collect()
    gc.freeze()


def _check_public_url(url: str | None) -> None:
    """Refuse, at start-up, a public address that would make every citation wrong."""
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(
            "ORALHISTORY_PUBLIC_URL must be the archive's address as readers reach it, scheme "
            f"and host only, such as https://archive.example.org; not '{url}'"
        )


def _instance_secret_key(instance: Path) -> str:
    """The secret key kept in `instance/`, made on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
