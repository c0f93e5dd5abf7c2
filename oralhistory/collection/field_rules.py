"""The rules of the collection's files, field by field: what a testimony's front matter and the
timeline may hold, checked with the line of every problem (the rules themselves are in
`validation`, shared with the archivist's form)."""

from __future__ import annotations

from typing import Any

from .. import problems
from ..messages import _
from ..record.models import ACCESS_LEVELS, DATE_PRECISIONS
from . import validation as valid
from .file_yaml import Document


def _slug_list(value: Any) -> str | None:
    if isinstance(value, list) and all(_slug(item) is None for item in value):
        return None
    return _("must be a list of slugs")


def _one_of(choices: tuple[str, ...]):
    def check(value: Any) -> str | None:
        return (
            None
            if value in choices
            else _("must be one of: %(choices)s", choices=", ".join(choices))
        )

    return check


# The rules (from `validation`, shared with the form); lengths are those of the columns.
_text = valid.text()
_slug = valid.slug(160)
_date = valid.date()
_text_list = valid.text_list()
_url = valid.url


NARRATOR_FIELDS = {
    "slug": (valid.slug(120), True),
    "name": (valid.name(200), True),
    "name_arabic": (valid.name(200), False),
    "name_arabic_note": (_text, False),
    "spellings": (_text_list, False),
    "age_at_interview": (valid.whole_number(150), False),
    "origin": (_text, False),
    "residence": (_text, False),
    "roles": (_text_list, False),
    "biography": (_text, False),
}
CITATION_FIELDS = {
    "publisher": (valid.line(300), True),
    # the title it was published under; when missing, the testimony's own title
    "title": (valid.name(300), False),
    "date": (valid.date(valid.EARLIEST_INTERVIEW, up_to_today=True), False),
    "url": (_url, False),
    "editing_note": (_text, False),
    "partnership_note": (_text, False),
}
TESTIMONY_FIELDS = {
    "slug": (_slug, True),
    "title": (valid.name(300), True),
    "narrator": (NARRATOR_FIELDS, True),
    "interview_date": (valid.interview_date, True),
    "interview_date_precision": (_one_of(DATE_PRECISIONS), False),
    "interview_date_note": (_text, False),
    "language": (valid.language_tag(10), False),
    "original_language": (valid.language_tag(10), False),
    "interviewers": (_text_list, True),
    "citation": (CITATION_FIELDS, True),
    "rights": (_text, True),
    "access": (_one_of(ACCESS_LEVELS), True),
    "events": (_slug_list, False),
    # the recording and its times, paths relative to the testimony file (`recording_files`)
    "recording": ({"file": (valid.line(300), True), "timecodes": (valid.line(300), False)}, False),
}
# a title of the timeline may run over lines, as its sources' titles do
_title = valid.name(valid.LONG_TEXT, lines_allowed=True)
SOURCE_FIELDS = {
    "slug": (_slug, True),
    "title": (_title, True),
    "publisher": (valid.line(300), False),
    "date": (valid.line(10), False),
    "url": (_url, False),
    "note": (_text, False),
}
PLACE_FIELDS = {
    "slug": (_slug, True),
    "name": (valid.name(200), True),
    "name_arabic": (valid.name(200), False),
    "variants": (_text_list, False),
    "parent": (_slug, False),
    "kind": (valid.line(40), False),
}
CITED_SOURCE_FIELDS = {"source": (_slug, True), "locator": (_text, False), "note": (_text, False)}
EVENT_FIELDS = {
    "slug": (_slug, True),
    "date": (_date, True),
    "end_date": (_date, False),
    "date_precision": (_one_of(DATE_PRECISIONS), False),
    "title": (_title, True),
    "summary": (_text, True),
    "places": (_slug_list, False),
    "sources": ([CITED_SOURCE_FIELDS], True),
    "cues": (_text_list, False),
    "organisations": (_text_list, False),
}
FIGURE_VALUE_FIELDS = {
    "value": (_text, True),
    "source": (_slug, True),
    "locator": (_text, False),
    "note": (_text, False),
}
FIGURE_FIELDS = {
    "slug": (_slug, True),
    "title": (_title, True),
    "event": (_slug, False),
    "values": ([FIGURE_VALUE_FIELDS], True),
}
TIMELINE_FIELDS = {
    "sources": ([SOURCE_FIELDS], True),
    "places": ([PLACE_FIELDS], True),
    "events": ([EVENT_FIELDS], True),
    "figures": ([FIGURE_FIELDS], False),
}


def _check(doc: Document, value: Any, rules: Any, path: tuple) -> None:
    """Check `value` against `rules` (a check function, a field dict or a one-item list)."""
    where = ".".join(str(part) for part in path) or "the file"
    if isinstance(rules, dict):
        if not isinstance(value, dict):
            doc.problem(path, problems.at(where, _("must be a mapping of fields")))
            return
        for key in value:
            if key not in rules:
                known = ", ".join(rules)
                doc.problem(path + (key,), f"unknown field '{key}' (known fields: {known})")
        for key, (rule, required) in rules.items():
            if key in value and value[key] is not None:
                _check(doc, value[key], rule, path + (key,))
            elif required:
                doc.problem(path + (key,), problems.missing(key, where))
    elif isinstance(rules, list):
        if not isinstance(value, list) or not value:
            doc.problem(path, problems.at(where, _("must be a non-empty list")))
            return
        for index, item in enumerate(value):
            _check(doc, item, rules[0], path + (index,))
    else:
        message = rules(value)
        if message:  # kept as data (a `Message`), for the form to word in its reader's language
            doc.problem(path, problems.at(where, message))


def _check_unique(doc: Document, items: list[dict], list_name: str) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        slug = item.get("slug") if isinstance(item, dict) else None
        if slug in seen:
            doc.problem((list_name, index, "slug"), f"slug '{slug}' is used twice in {list_name}")
        if isinstance(slug, str):
            seen.add(slug)
    return seen


def check_testimony_meta(meta: dict[str, Any]) -> list[tuple[tuple, str]]:
    """The problems of a testimony's front matter given as data, each with the path of the
    field it is about: the same rules as for a file, for the archivist's form."""
    doc = Document(meta, {})
    _check(doc, meta, TESTIMONY_FIELDS, ())
    return [(path, message) for path, (_line, message) in zip(doc.paths, doc.problems)]
