"""Names and titles a reader can see, and languages a machine can read: a name made only of
invisible or direction-changing characters, or beginning with one, is refused naming the field
(in the form and in `flask import` alike); a language must be a BCP 47 tag."""

from __future__ import annotations

import html

import pytest

from tests.archive_helpers import archivist_client, form_for_testimony, record_counts, submit
from tests.conftest import TESTIMONY, run_cli

RLM, RLO, ZWSP, BOM = "\u200f", "\u202e", "\u200b", "\ufeff"


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("narrator_name", RLM + RLO, "New narrator’s name must hold visible letters"),
        ("narrator_name", ZWSP + " " + BOM, "New narrator’s name must hold visible letters"),
        ("narrator_name", RLO + "Layla Haddad", "New narrator’s name must not begin with"),
        ("title", RLO + "The last convoy", "Title must not begin with an invisible"),
        ("title", "\u2066\u2069", "Title must hold visible letters"),
        ("source_title", "\u061cPublished", "Published as must not begin with"),
        ("language", "<b>", "Language must be a language tag"),
        ("language", "english", "Language must be a language tag"),
    ],
)
def test_the_form_refuses_invisible_names_and_languages_that_are_not_tags(app, field, value, says):
    client = archivist_client(app)
    before = record_counts(app)
    response = submit(client, "/archive/testimonies/new", form_for_testimony(**{field: value}))
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert says in html.unescape(response.get_data(as_text=True))
    assert record_counts(app) == before


def _import(app, tmp_path, old: str, new: str):
    body = TESTIMONY.format(slug="shown", text="Words.")
    assert old in body
    path = tmp_path / "shown.md"
    path.write_text(body.replace(old, new), encoding="utf-8")
    return run_cli(app, "import", str(path)), str(path)


@pytest.mark.parametrize(
    "old, new, says",
    [
        ("name: Test Narrator", f"name: {RLM}{RLO}", ":6: 'narrator.name' must hold visible"),
        ("title: A test testimony", f"title: {RLO}Evil", ":3: 'title' must not begin with"),
        ("  title: Test\n", f"  title: '{ZWSP}'\n", ":11: 'citation.title' must hold visible"),
        ("access: public", "access: public\nlanguage: <b>", ":14: 'language' must be a language"),
        (
            "access: public",
            "access: public\noriginal_language: x",
            ":14: 'original_language' must be",
        ),
    ],
)
def test_an_imported_file_with_an_invisible_name_or_a_bad_language_is_refused_by_line(
    app, tmp_path, old, new, says
):
    before = record_counts(app)
    result, path = _import(app, tmp_path, old, new)
    assert result.exit_code != 0
    assert f"{path}{says}" in result.output, result.output
    assert record_counts(app) == before


@pytest.mark.parametrize(
    "tag", ["ar", "en-GB", "ar-SY", "apc", "apc-Arab", "zh-Hant-TW", "x-archive"]
)
def test_a_well_formed_language_tag_is_accepted(app, tmp_path, tag):
    result, _ = _import(
        app, tmp_path, "access: public", f"access: public\noriginal_language: {tag}"
    )
    assert result.exit_code == 0, result.output


def test_a_name_with_a_direction_mark_inside_is_accepted(app, tmp_path):
    # a mark between an Arabic and a Latin part of a name is how such names are written
    result, _ = _import(app, tmp_path, "name: Test Narrator", f"name: Test {RLM}Narrator")
    assert result.exit_code == 0, result.output
