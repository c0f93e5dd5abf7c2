"""Reading a testimony held in two languages: the API gives every language of every passage,
the permanent passage page shows each in its own language and direction, and the languages
share the passages' times."""

from __future__ import annotations

from sqlalchemy import select

from oralhistory.record.models import Testimony
from oralhistory.web import db
from tests.language_fixtures import ARABIC, ENGLISH, import_pair


def test_the_api_gives_every_language_of_the_testimony_and_of_each_passage(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    found = app.test_client().get(f"/api/testimonies/{testimony_id}").get_json()
    assert found["languages"] == [
        {"code": "en", "kind": "translation", "translator": None},
        {"code": "ar", "kind": "original", "translator": None},
    ]
    assert [p["text"] for p in found["passages"]] == ENGLISH
    assert [p["texts"] for p in found["passages"]] == [
        {"en": english, "ar": arabic} for english, arabic in zip(ENGLISH, ARABIC, strict=True)
    ]


def test_a_testimony_in_one_language_says_so(client):
    found = client.get("/api/testimonies/1").get_json()
    # the first collection's files name no original language: their English is the main text
    assert found["languages"] == [{"code": "en", "kind": "original", "translator": None}]
    assert found["passages"][0]["texts"] == {"en": found["passages"][0]["text"]}


def test_the_texts_of_a_timed_passage_share_its_times(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    with app.app_context():
        session = db.session()
        testimony = session.get(Testimony, testimony_id)
        testimony.passages[1].start, testimony.passages[1].end = 12.5, 19.0
        testimony.passages[1].timing = "manual"
        session.commit()
    passage = app.test_client().get(f"/api/testimonies/{testimony_id}").get_json()["passages"][1]
    assert (passage["start"], passage["end"]) == (12.5, 19.0)
    assert passage["texts"] == {"en": ENGLISH[1], "ar": ARABIC[1]}


def test_the_permanent_passage_page_shows_every_language_in_its_own_direction(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    page = client.get(f"/testimonies/{testimony_id}/passages/p-2").get_data(as_text=True)
    assert ENGLISH[1] in page
    assert '<blockquote class="passage-text" lang="ar" dir="rtl"' in page
    assert ARABIC[1] in page
    assert "Arabic (original)" in page
    found = client.get(f"/api/testimonies/{testimony_id}/passages/p-2").get_json()
    assert found["passage"]["texts"] == {"en": ENGLISH[1], "ar": ARABIC[1]}
    with app.app_context():
        assert db.session().scalar(select(Testimony.slug).where(Testimony.id == testimony_id))


def test_the_reader_chooses_the_texts_language_or_both_and_the_choice_is_remembered(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    address = f"/testimonies/{testimony_id}"
    # by default, the interface language: English here
    page = client.get(address).get_data(as_text=True)
    assert ENGLISH[0] in page and ARABIC[0] not in page
    assert f'href="/testimonies/{testimony_id}?text=both"' in page  # a link: no script needed
    # in Arabic, the Arabic the testimony holds
    arabic_page = app.test_client().get(address, headers={"Accept-Language": "ar"})
    text = arabic_page.get_data(as_text=True)
    assert ARABIC[0] in text and ENGLISH[0] not in text
    # both side by side, each column in its own language and direction
    both = client.get(address, query_string={"text": "both"})
    text = both.get_data(as_text=True)
    assert '<div class="side-by-side">' in text
    assert (
        f'<div class="in-language" lang="ar" dir="rtl">\n    \n    <p class="words">{ARABIC[1]}'
        in text
    )
    assert '<p class="words" lang="en" dir="ltr">' + ENGLISH[0] in text
    # remembered for the next visit
    text = client.get(address).get_data(as_text=True)
    assert ARABIC[0] in text and ENGLISH[0] in text
    text = client.get(address, query_string={"text": "ar"}).get_data(as_text=True)
    assert ARABIC[0] in text and ENGLISH[0] not in text


def test_a_citation_names_the_language_of_the_text_and_its_translator(app, tmp_path):
    from tests.conftest import run_cli
    from tests.language_fixtures import SLUG, arabic_file, main_text_file, write_pair

    testimony_id = import_pair(app, tmp_path / "first")
    found = app.test_client().get(f"/api/testimonies/{testimony_id}").get_json()
    assert "English translation from Arabic" in found["citation_text"]
    # an English original translated into Arabic by a credited translator
    source = write_pair(
        tmp_path / "second",
        slug="credited",
        arabic=arabic_file(slug="credited", kind="translation"),
    )
    source.write_text(
        main_text_file("credited").replace("original_language: ar\n", ""), encoding="utf-8"
    )
    assert run_cli(app, "import", str(source)).exit_code == 0
    with app.app_context():
        credited = db.session().scalar(select(Testimony.id).where(Testimony.slug == "credited"))
    cite_page = app.test_client().get(f"/testimonies/{credited}/cite").get_data(as_text=True)
    assert "English original" in cite_page
    # the Arabic text, cited from its passage page, names its language and its translator
    passage = app.test_client().get(f"/testimonies/{credited}/passages/p-1").get_data(as_text=True)
    assert f'href="/testimonies/{credited}/passages/p-1/cite?text=ar"' in passage
    cite_arabic = app.test_client().get(
        f"/testimonies/{credited}/passages/p-1/cite", query_string={"text": "ar"}
    )
    text = cite_arabic.get_data(as_text=True)
    assert "Arabic translation from English" in text
    assert "Invented Translator" in text
    assert SLUG != "credited"


def test_harvesters_and_linked_data_carry_every_language(app, tmp_path):
    import json
    import re

    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    record = client.get(
        "/oai",
        query_string={
            "verb": "GetRecord",
            "identifier": f"oai:localhost:testimonies/{testimony_id}",
            "metadataPrefix": "oai_dc",
        },
    ).get_data(as_text=True)
    assert re.findall(r"<dc:language>([^<]*)</dc:language>", record) == ["en", "ar"]
    page = client.get(f"/testimonies/{testimony_id}").get_data(as_text=True)
    assert '<meta name="DC.language" content="ar">' in page
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    linked = json.loads(found.group(1))
    assert linked["inLanguage"] == ["en", "ar"]
    assert linked["translationOfWork"]["inLanguage"] == "ar"
    assert linked["translationOfWork"]["url"].endswith(f"/testimonies/{testimony_id}?text=ar")


def test_the_plain_text_download_carries_every_language(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    text = app.test_client().get(f"/testimonies/{testimony_id}/export.txt").get_data(as_text=True)
    assert f"{ENGLISH[1]}\n[ar] {ARABIC[1]}" in text


def test_side_by_side_names_each_column_by_language_kind_and_translator_in_the_readers_language(
    app, tmp_path
):
    from tests.conftest import run_cli
    from tests.language_fixtures import TRANSLATOR, arabic_file, main_text_file, write_pair

    # an English original beside its Arabic translation, credited
    source = write_pair(tmp_path, arabic=arabic_file(kind="translation"))
    source.write_text(main_text_file().replace("original_language: ar\n", ""), encoding="utf-8")
    assert run_cli(app, "import", str(source)).exit_code == 0
    found = app.test_client().get("/api/narrators/two-languages-narrator").get_json()
    address = f"/testimonies/{found['testimonies'][0]['id']}?text=both"
    english = app.test_client().get(address).get_data(as_text=True)
    assert '<p class="column-head" lang="en" dir="ltr">English (original)</p>' in english
    assert (
        f'<p class="column-head" lang="en" dir="ltr">Arabic (translation by {TRANSLATOR})</p>'
        in english
    )
    arabic = app.test_client().get(address, headers={"Accept-Language": "ar"})
    text = arabic.get_data(as_text=True)
    assert '<p class="column-head" lang="ar" dir="rtl">الإنجليزية (النص الأصلي)</p>' in text
    assert f'<p class="column-head" lang="ar" dir="rtl">العربية (ترجمة {TRANSLATOR})</p>' in text
    # the choice of text is a link, with no script: the Arabic first for an Arabic reader
    assert 'href="/testimonies/' in text and "text=ar" in text
