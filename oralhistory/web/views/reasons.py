"""Why a context link was proposed, worded in the reader's language.

`linking` stores each reason as its rule, the words it matched, the English sentence (`says`,
kept for the JSON API) and the rule's parameters: the place, the dates counted. A page words
the reason from the parameters through the catalogue, with dates as the reader writes them.
A reason stored before the parameters were kept has only `says`: it is shown as written, in
English, and marked so (`reason_sentence` gives None).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape

from ..i18n import current_language, long_date, record_language


def N_(msgid: str) -> str:  # noqa: N802 (the name gettext's extractor looks for)
    """Mark `msgid` for the catalogue; it is translated where it is used."""
    return msgid


RULE_LABELS = {
    "place-name": lazy_gettext("place-name"),
    "place-event": lazy_gettext("place-event"),
    "relative-date": lazy_gettext("relative-date"),
    "named-event": lazy_gettext("named-event"),
    "organisation": lazy_gettext("organisation"),
    "archivist": lazy_gettext("archivist"),
}


def rule_label(rule: str | None) -> str:
    """The name of a rule as the reader's language gives it ("place-name", "ذكر مكان")."""
    return str(RULE_LABELS.get(rule or "", rule or ""))


def _words(msgid: str, **params: Any) -> Markup:
    # the catalogue's sentence, its values escaped (names are the record's own text)
    return Markup(escape(gettext(msgid))) % params


def _name(text: str | None) -> Markup:
    language = record_language(text)
    if language == current_language():
        return escape(text or "")
    direction = "rtl" if language == "ar" else "ltr"
    return Markup('<bdi lang="{}" dir="{}">{}</bdi>').format(language, direction, text or "")


def _place(reason: dict[str, Any]) -> Markup:
    arabic = reason.get("place_arabic")
    return _name(arabic if arabic and current_language() == "ar" else reason.get("place"))


def _span(start: str | None, end: str | None) -> str:
    return f"{long_date(start)} – {long_date(end)}" if end else long_date(start)


def _place_name(reason: dict[str, Any]) -> Markup | None:
    if "place" not in reason:
        return None
    if reason.get("variant"):
        return _words(
            "names the place %(place)s, in a spelling the gazetteer lists", place=_place(reason)
        )
    return _words("names the place %(place)s", place=_place(reason))


def _place_event(reason: dict[str, Any]) -> Markup | None:
    if "place" not in reason:
        return None
    if reason.get("begins"):
        return _words(
            "this event took place in %(place)s, in the time the testimony tells of (from the "
            "earliest event it speaks of, %(begins)s, to the interview)",
            place=_place(reason),
            begins=long_date(reason["begins"]),
        )
    return _words("this event took place in %(place)s", place=_place(reason))


COUNTED = {
    "day": N_("counted back from the interview (%(interview)s): %(how)s (%(span)s)"),
    "week": N_(
        "counted back from the interview (%(interview)s, within the week): %(how)s (%(span)s)"
    ),
    "month": N_(
        "counted back from the interview (%(interview)s, within the month): %(how)s (%(span)s)"
    ),
    "year": N_(
        "counted back from the interview (%(interview)s, within the year): %(how)s (%(span)s)"
    ),
}


def _relative_date(reason: dict[str, Any]) -> Markup | None:
    match = reason.get("match")
    if not isinstance(match, dict) or "interview" not in reason:
        return None
    if match.get("how") == "during":
        how = _words("about %(day)s, during this event", day=long_date(match.get("about")))
    elif match.get("how") == "overlaps":
        how = _words(
            "the time meant (%(span)s) overlaps this period",
            span=_span(match.get("from"), match.get("to")),
        )
    elif match.get("how") == "includes":
        how = _words(
            "the time meant (%(span)s) includes this event",
            span=_span(match.get("from"), match.get("to")),
        )
    else:
        return None
    counted = COUNTED.get(reason.get("precision") or "day")
    if counted is None:
        return None
    return _words(
        counted,
        interview=long_date(reason["interview"]),
        how=how,
        span=_span(reason.get("event_start"), reason.get("event_end")),
    )


# The rules whose sentence has no parameters: an old reason is worded as well as a new one.
FIXED = {
    "named-event": N_("words the timeline gives for this event"),
    "organisation": N_("an organisation this event's summary names"),
}


def reason_sentence(reason: dict[str, Any]) -> Markup | None:
    """The reason's sentence in the reader's language, or None when the stored reason lacks
    the parameters to word it (then its English `says` is shown, marked as English)."""
    rule = reason.get("rule")
    if rule in FIXED and reason.get("says") == FIXED[rule]:
        return _words(FIXED[rule])
    if rule == "archivist":
        note = reason.get("note", reason.get("says"))
        if not note or note == "added by an archivist":
            return _words("added by an archivist")
        return _name(note)
    wording = {
        "place-name": _place_name,
        "place-event": _place_event,
        "relative-date": _relative_date,
    }.get(rule or "")
    return wording(reason) if wording else None


def init_app(app: Flask) -> None:
    """Give templates `reason_sentence` and `rule_label` as filters."""
    app.add_template_filter(reason_sentence)
    app.add_template_filter(rule_label)
