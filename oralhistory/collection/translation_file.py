"""A testimony's text in another language, as a file beside its testimony's.

`<slug>.<lang>.md` beside `<slug>.md`: front matter (`translation_of: <slug>`, `language`,
`kind: original | translation`, `translator`, optional), then one paragraph for each passage
of the testimony, in its order (a closing `[Ed.: ...]` is that paragraph's editor's note, as
in a testimony file). A file whose paragraphs do not pair one for one with the passages is
refused, naming the first that does not pair, and nothing of its testimony is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidFile
from ..record import languages
from ..record.language_models import TEXT_KINDS
from ..record.models import Testimony
from . import validation as valid
from .field_rules import _one_of
from .file_yaml import dump_yaml as _yaml
from .testimony_file import PassageText, read_front_matter, split_passages

TRANSLATION_FIELDS = {
    "translation_of": (valid.slug(160), True),
    "language": (valid.language_tag(10), True),
    "kind": (_one_of(TEXT_KINDS), True),
    "translator": (valid.line(300), False),
}


@dataclass
class TranslationFile:
    """A translation file that passed validation (its pairing is checked when stored)."""

    name: str
    meta: dict[str, Any]
    paragraphs: list[PassageText]
    # the line each paragraph begins on, and the lines of the front matter's fields
    paragraph_lines: list[int] = field(default_factory=list)
    lines: dict[tuple, int] = field(default_factory=dict)


def is_translation_path(path: Path) -> bool:
    """Whether a `.md` file's name is that of a translation (`<slug>.<lang>.md`): a slug
    holds no dot."""
    return "." in path.stem


def translation_paths(testimony_path: Path) -> list[Path]:
    """The translation files beside a testimony file, in a stable order."""
    return sorted(testimony_path.parent.glob(f"{testimony_path.stem}.*.md"))


def testimony_path_of(path: Path) -> Path:
    """The testimony file a translation file stands beside."""
    return path.with_name(path.stem.split(".", 1)[0] + ".md")


def parse_translation(text: str, name: str) -> TranslationFile:
    """Validate a translation file's text; raise `InvalidFile` naming every problem and line."""
    doc, body, first = read_front_matter(text, name, TRANSLATION_FIELDS)
    paragraphs = split_passages(body)
    if not paragraphs:
        doc.problems.append((first, "the file has no text after the front matter"))
    starts, searched = [], 0
    for paragraph in paragraphs:
        found = body.find(paragraph.text[:200], searched)
        searched = max(found, searched)
        starts.append(first + body.count("\n", 0, searched))
    too_long = valid.long_passage([paragraph.text for paragraph in paragraphs])
    if too_long:
        doc.problems.append((starts[too_long[0]], too_long[1]))
    if doc.problems:
        raise InvalidFile(name, doc.problems)
    return TranslationFile(name, doc.data, paragraphs, starts, doc.lines)


def read_translation_file(path: Path) -> TranslationFile:
    """Read and validate one translation file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InvalidFile(str(path), [(None, f"is not UTF-8 text ({error.reason})")]) from None
    except OSError as error:
        raise InvalidFile(str(path), [(None, f"cannot be read: {error.strerror}")]) from None
    return parse_translation(text, str(path))


def store_translation(testimony: Testimony, parsed: TranslationFile) -> bool:
    """Hold the file's text beside the testimony's (its passages stored already); raise
    `InvalidFile` when it names another testimony, cannot stand beside the testimony's other
    texts, or does not pair. Return whether anything changed."""
    meta = parsed.meta
    if meta["translation_of"] != testimony.slug:
        line = parsed.lines.get(("translation_of",))
        message = f"'translation_of' names '{meta['translation_of']}', not '{testimony.slug}'"
        raise InvalidFile(parsed.name, [(line, message)])
    problem = languages.language_problem(testimony, meta["language"], meta["kind"])
    if problem:
        raise InvalidFile(parsed.name, [(parsed.lines.get(("language",)), problem)])
    paired = languages.pairing_problem(
        [passage.text for passage in testimony.passages], [p.text for p in parsed.paragraphs]
    )
    if paired:
        index, message = paired
        line = parsed.paragraph_lines[min(index, len(parsed.paragraph_lines) - 1)]
        raise InvalidFile(parsed.name, [(line, message)])
    return languages.set_text(
        testimony,
        meta["language"],
        meta["kind"],
        meta.get("translator"),
        [(p.text, p.editor_note) for p in parsed.paragraphs],
    )


def store_translations_beside(testimony: Testimony, testimony_path: Path) -> list[str]:
    """Make the testimony hold the texts of the translation files beside its file, and no
    other: raise `InvalidFile` for the first that cannot be stored. Return their file names."""
    parsed = [read_translation_file(path) for path in translation_paths(testimony_path)]
    wanted = {p.meta["language"] for p in parsed}
    for other in list(testimony.other_languages):
        if other.code not in wanted:
            languages.drop_text(testimony, other.code)
    for translation in parsed:
        store_translation(testimony, translation)
    return [Path(p.name).name for p in parsed]


def translation_files(testimony: Testimony) -> dict[str, str]:
    """The testimony's texts in its other languages as files: file name -> content."""
    written = {}
    for other in testimony.other_languages:
        meta = {
            "translation_of": testimony.slug,
            "language": other.code,
            "kind": other.kind,
            "translator": other.translator,
        }
        body = "\n\n".join(
            t.text + (f" [Ed.: {t.editor_note}]" if t.editor_note else "")
            for passage in testimony.passages
            for t in passage.texts
            if t.language == other.code
        )
        written[f"{testimony.slug}.{other.code}.md"] = f"---\n{_yaml(meta)}---\n{body}\n"
    return written


def testimony_paths_for(paths: Iterable[Path]) -> list[Path]:
    """The testimony files to import for `paths`: a translation file given stands for the
    testimony file beside it (imported with all its translations), each file once."""
    chosen: list[Path] = []
    for path in paths:
        path = Path(path)
        wanted = testimony_path_of(path) if is_translation_path(path) else path
        if wanted not in chosen:
            chosen.append(wanted)
    return chosen
