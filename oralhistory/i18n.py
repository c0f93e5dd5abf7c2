"""The interface's language: Arabic or English, chosen by the reader, with Flask-Babel.

Only the archive's own words are translated. Testimony, names, titles and everything else that
comes from the record are shown as recorded, in their own language.

The catalogues live in `oralhistory/translations/<lang>/LC_MESSAGES/messages.po`; the compiled
`.mo` files are derived from them (like the search index from the database) and are made at
start-up whenever a `.po` is newer, so a clean clone needs nothing done by hand and a merged
`.po` never leaves a stale `.mo` behind. `make translations` extracts and updates them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, get_locale

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

# The interface languages: code -> (its own name, direction of its script).
LANGUAGES: dict[str, tuple[str, str]] = {"en": ("English", "ltr"), "ar": ("العربية", "rtl")}
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def chosen_language() -> str:
    """The reader's language: the one they chose (kept in a cookie), else the best of their
    browser's `Accept-Language`, else English."""
    if (code := request.cookies.get(COOKIE)) in LANGUAGES:
        return code
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The code of the language this response is written in (`en` or `ar`)."""
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def text_direction(language: str | None = None) -> str:
    """`rtl` or `ltr`: the direction of the interface language (or of `language`)."""
    return LANGUAGES.get(language or current_language(), ("", "ltr"))[1]


def compile_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every `.po` under `directory` whose `.mo` is missing or older; return those made.

    Each `.mo` is written to a temporary file and renamed into place, so several workers
    starting at once never read half a file.
    """
    made = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        handle, tmp_name = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                write_mo(mo_file, catalog)
            os.replace(tmp_name, mo_path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        made.append(mo_path)
    return made


def init_app(app: Flask) -> None:
    """Set up Flask-Babel: `_()`/`gettext` in Python and templates, the reader's locale, and
    `<html lang dir>` values for `base.html`."""
    compile_catalogues()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=chosen_language)

    @app.context_processor
    def language_context() -> dict:
        return {
            "current_language": current_language(),
            "text_direction": text_direction(),
            "languages": LANGUAGES,
        }

    @app.after_request
    def vary_by_language(response):
        # The same address answers in either language: caches must keep them apart.
        response.vary.update(("Cookie", "Accept-Language"))
        return response
