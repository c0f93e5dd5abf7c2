"""The interface's language: Arabic or English, chosen by the reader, with Flask-Babel.

Only the archive's own words are translated. Testimony, names, titles and everything else that
comes from the record are shown as recorded, in their own language.

The catalogues live in `oralhistory/translations/<lang>/LC_MESSAGES/messages.po`; the compiled
`.mo` files are derived from them (like the search index from the database) and are made at
start-up whenever a `.po` is newer, so a clean clone needs nothing done by hand and a merged
`.po` never leaves a stale `.mo` behind. `make translations` extracts and updates them.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, format_date, format_decimal, format_time, get_locale, gettext
from markupsafe import Markup, escape

from ..messages import Message
from ..problems import Sentence

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

# The interface languages: code -> (its own name, direction of its script).
LANGUAGES: dict[str, tuple[str, str]] = {"en": ("English", "ltr"), "ar": ("العربية", "rtl")}
# The regional usage each is written in: Syrian Arabic names the months "كانون الأول", not
# "ديسمبر"; the archive's English is British ("22 December 2016").
LOCALES = {"en": "en_GB", "ar": "ar_SY"}
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def chosen_language() -> str:
    """The reader's language: the one they chose (kept in a cookie), else the best of their
    browser's `Accept-Language`, else English."""
    code = request.cookies.get(COOKIE)
    if code not in LANGUAGES:
        code = request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    return LOCALES[code]


def current_language() -> str:
    """The code of the language this response is written in (`en` or `ar`)."""
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def text_direction(language: str | None = None) -> str:
    """`rtl` or `ltr`: the direction of the interface language (or of `language`)."""
    code = language or current_language()
    if code in LANGUAGES:
        return LANGUAGES[code][1]
    from ..language_names import direction  # any language a testimony is held in

    return direction(code)


def _is_arabic_letter(char: str) -> bool:
    return (
        "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f" or "\ufb50" <= char <= "\ufefc"
    )


def record_language(text: str | None, default: str = "en") -> str:
    """The language of a piece of the record whose language is not stored (a name, a place,
    a role): Arabic when most of its letters are Arabic, else `default` (the record's
    metadata is written in English)."""
    letters = [char for char in text or "" if char.isalpha()]
    arabic = sum(1 for char in letters if _is_arabic_letter(char))
    return "ar" if letters and arabic * 2 > len(letters) else default


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if isinstance(value, dt.date) or value is None:
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def long_date(value: str | dt.date | None, precision: str = "day") -> str:
    """A date as a reader writes it ("22 December 2016", "22 كانون الأول 2016"), to the
    precision it is known ("December 2016", "2016"); text that is not a date is left as it is."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    if precision == "year":
        return format_date(day, "y")
    if precision == "month":
        return format_date(day, "LLLL y")
    return format_date(day, "long")


def timestamp(value: str | dt.datetime | None) -> str:
    """A moment in UTC for a reader: "1 December 2026, 08:29 UTC", not "2026-12-01T08:29"."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    except ValueError:
        return str(value)
    return gettext(
        "%(date)s, %(time)s UTC",
        date=format_date(moment.date(), "long"),
        time=format_time(moment, "HH:mm"),
    )


def number(value: float | None) -> str:
    """A number with the reader's digit grouping."""
    return "" if value is None else format_decimal(value)


def translated(message: str | None) -> str:
    """A message in the reader's language when the catalogue has it (a `messages.Message`, or
    an exact sentence of the catalogue); else as it was written."""
    if not message:
        return message or ""
    if isinstance(message, Message):
        params = {
            key: translated(value) if isinstance(value, Message) else value
            for key, value in message.params.items()
        }
        text = gettext(message.msgid, **params) if params else gettext(message.msgid)
        return text[:1].upper() + text[1:] if isinstance(message, Sentence) else text
    return gettext(message)


def listed(items) -> Markup:
    """Items joined as a list reads in the interface language: "a, b" in English, "a، b" in
    Arabic. Each item is escaped unless it is markup already (a macro's output)."""
    return Markup(gettext(", ")).join(escape(item) for item in items)


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

    app.add_template_filter(long_date)
    app.add_template_filter(timestamp)
    app.add_template_filter(number)
    app.add_template_global(text_direction)
    app.add_template_global(current_language, "interface_language")
    app.add_template_filter(listed)
    app.add_template_filter(record_language)
    app.add_template_filter(translated)

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
