"""The languages a testimony is held in, named in the reader's language: "Arabic (original)",
"English (translation by …)"; and the reader's choice of text on a testimony's page
(`?text=ar|en|both`, remembered in a cookie).
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask, request
from flask_babel import gettext

from ..i18n import current_language

TEXT_COOKIE = "text"
COOKIE_AGE = 365 * 24 * 3600


def language_name(code: str, in_language: str | None = None) -> str:
    """The name of the language `code` (BCP 47) in the reader's language (or `in_language`:
    a language named in itself); the code itself when Babel does not know it."""
    try:
        name = Locale.parse(code, sep="-").get_display_name(in_language or current_language())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code


def language_label(language: dict[str, Any]) -> str:
    """A text's language and kind, with its translator: "Arabic (original)"."""
    name = language_name(language["code"])
    if language["kind"] == "original":
        return gettext("%(language)s (original)", language=name)
    if language.get("translator"):
        return gettext(
            "%(language)s (translation by %(translator)s)",
            language=name,
            translator=language["translator"],
        )
    return gettext("%(language)s (translation)", language=name)


def chosen_text(codes: list[str]) -> str:
    """Which text a testimony's page shows: `both`, or one of `codes` (the languages the
    testimony is held in, the main text's first): the reader's choice (`?text=`, else the
    cookie), else the interface language when the testimony has it, else the main text.
    A search result's `?found_in=` (the language its match was in) is shown when the
    reader's remembered choice would hide it; it is not remembered."""
    choice = _reader_choice(codes)
    found_in = request.args.get("found_in")
    if found_in in codes and choice not in ("both", found_in) and not request.args.get("text"):
        return found_in
    return choice


def shown_texts(codes: list[str], choice: str | None) -> list[str] | None:
    """The languages a page shows for the reader's `choice` (`chosen_text`), in the order a
    reader meets them: side by side, the interface language's first. None: the one text."""
    if choice != "both":
        return [choice] if choice else None
    return sorted(codes, key=lambda code: code.split("-")[0] != current_language())


def _reader_choice(codes: list[str]) -> str:
    for asked in (request.args.get("text"), request.cookies.get(TEXT_COOKIE)):
        if asked == "both" and len(codes) > 1:
            return "both"
        if asked in codes:
            return asked
    interface = current_language()
    return next((code for code in codes if code.split("-")[0] == interface), codes[0])


def remember_choice(response):
    """Keep the reader's choice of text (`?text=`) for the next testimony they open."""
    asked = request.args.get("text")
    if asked and (asked == "both" or len(asked) <= 10) and asked.replace("-", "").isalnum():
        response.set_cookie(TEXT_COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    """Give templates `language_name` and `language_label`."""
    app.add_template_global(language_name)
    app.add_template_global(language_label)
