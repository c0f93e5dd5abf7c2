"""Static files under names that change with their content: a page asks for
`style.css?v=<digest>`, which may be kept for a year, and a changed file gets a new address."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 60 * 60


def init_app(app: Flask) -> None:
    """Add each static file's digest to its address, and let a browser keep what it names."""
    digests: dict[str, tuple[float, str]] = {}

    def digest(filename: str) -> str | None:
        path = Path(app.static_folder or "", filename)
        try:
            changed = path.stat().st_mtime
        except OSError:
            return None
        known = digests.get(filename)
        if known is None or known[0] != changed:
            known = (changed, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
            digests[filename] = known
        return known[1]

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = digest(values["filename"])
            if version:
                values["v"] = version

    default_max_age = app.get_send_file_max_age

    def max_age(filename: str | None) -> int | None:
        # only the address of the file as it is now is immutable: any other is checked again
        if filename and request.args.get("v") == digest(filename):
            return YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]
