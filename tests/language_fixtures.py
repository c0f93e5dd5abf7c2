"""A testimony in two languages, invented for the tests: an English main text translated
from an Arabic original, and that original. (Invented sentences; no narrator said them.)"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TESTIMONY, run_cli

SLUG = "two-languages"
ENGLISH = [
    "The lemon tree in our courtyard gave fruit every winter.",
    "We carried the blue kettle when we left the neighbourhood.",
    "My grandmother counted the pigeons on the roof.",
]
ARABIC = [
    "شجرة الليمون في ساحة بيتنا كانت تثمر كل شتاء.",
    "حملنا الإبريق الأزرق عندما غادرنا الحي.",
    "كانت جدتي تعدّ الحمام على السطح.",
]
TRANSLATOR = "Invented Translator"


def arabic_file(paragraphs: list[str] = ARABIC, slug: str = SLUG, kind: str = "original") -> str:
    """A translation file holding `paragraphs`, in the form `flask export` writes."""
    body = "\n\n".join(paragraphs)
    return (
        f"---\ntranslation_of: {slug}\nlanguage: ar\nkind: {kind}\n---\n{body}\n"
        if kind == "original"
        else f"---\ntranslation_of: {slug}\nlanguage: ar\nkind: {kind}\n"
        f"translator: {TRANSLATOR}\n---\n{body}\n"
    )


def main_text_file(slug: str = SLUG, access: str = "public") -> str:
    """The English main text, translated from Arabic."""
    text = TESTIMONY.format(slug=slug, text="\n\n".join(ENGLISH))
    text = text.replace("access: public", f"access: {access}")
    return text.replace("rights:", "language: en\noriginal_language: ar\nrights:").replace(
        "test-narrator", f"{slug}-narrator"
    )


def write_pair(folder: Path, slug: str = SLUG, access: str = "public", arabic: str | None = None):
    """Write the testimony and its Arabic beside it in `folder`; return the testimony's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    path.write_text(main_text_file(slug, access), encoding="utf-8")
    (folder / f"{slug}.ar.md").write_text(arabic or arabic_file(slug=slug), encoding="utf-8")
    return path


def import_pair(
    app, folder: Path, slug: str = SLUG, access: str = "public", arabic: str | None = None
) -> int:
    """Import the testimony in two languages (its Arabic file `arabic`, if given); return its
    id."""
    from sqlalchemy import select

    from oralhistory.record.models import Testimony
    from oralhistory.web import db

    path = write_pair(folder, slug, access, arabic)
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session().scalar(select(Testimony.id).where(Testimony.slug == slug))
