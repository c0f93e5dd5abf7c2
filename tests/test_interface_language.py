"""The interface in Arabic and English: chosen by the reader, remembered, and marked up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from oralhistory.web.i18n import TRANSLATIONS_DIR, compile_catalogues
from tests.conftest import TESTIMONY, run_cli

CATALOGUE = TRANSLATIONS_DIR / "ar" / "LC_MESSAGES" / "messages.po"
REPOSITORY = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_an_english_browser_gets_the_english_interface_left_to_right(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert ">Narrators</a>" in page


def test_an_arabic_browser_gets_the_arabic_interface_right_to_left(client):
    page = client.get("/", headers={"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert ">الرواة</a>" in page
    assert ">Narrators</a>" not in page


def test_a_browser_asking_for_neither_language_gets_english(client):
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_the_language_switch_is_a_link_on_every_page_back_to_the_same_page(client):
    page = client.get("/narrators/hisham-skeif").get_data(as_text=True)
    assert 'href="/language/ar?next=/narrators/hisham-skeif"' in page
    assert 'lang="ar"' in page and "العربية" in page


def test_choosing_arabic_is_remembered_over_the_browsers_language(client):
    response = client.get("/language/ar?next=/timeline")
    assert response.status_code == 303
    assert response.headers["Location"] == "/timeline"
    assert "lang=ar" in response.headers["Set-Cookie"]
    page = client.get("/timeline", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    client.get("/language/en")
    page = client.get("/timeline", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_the_language_switch_never_leads_to_another_site(client):
    response = client.get("/language/ar?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_a_readable_404(client):
    response = client.get("/language/xx")
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)


def test_pages_tell_caches_they_differ_by_language(client):
    vary = client.get("/").headers["Vary"]
    assert "Cookie" in vary and "Accept-Language" in vary


def test_a_changed_catalogue_is_compiled_when_the_app_starts(tmp_path):
    po = tmp_path / "ar" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: ar\\n"\n\nmsgid "Search"\nmsgstr "بحث"\n')
    assert compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert compile_catalogues(tmp_path) == []
    assert "بحث".encode() in po.with_suffix(".mo").read_bytes()


# --- the Arabic interface ---------------------------------------------------------------------

ARABIC_HEADINGS = {
    "/": "<h1>شهادات عن الخروج من شرق حلب</h1>",  # the collection's title, from collection.yaml
    "/narrators": "الرواة",
    "/timeline": "<h1>الخط الزمني</h1>",
    "/search": "ابحث في الشهادات",
    "/login": "تسجيل الدخول",
    "/narrators/asmar-al-halabi": "السيرة",
    "/places/al-indharat": "مقاطع تذكره",
    "/events/evacuation-of-east-aleppo": "ما الذي جرى",
}


@pytest.mark.parametrize("address", sorted(ARABIC_HEADINGS))
def test_every_page_type_reads_in_arabic_right_to_left(client, address):
    client.set_cookie("lang", "ar")
    page = client.get(address).get_data(as_text=True)
    assert html_tag(page) == '<html lang="ar" dir="rtl">'
    assert ARABIC_HEADINGS[address] in page
    assert "أرشيف الشهادات" in page  # the site's name, in the title and header
    assert "Skip to content" not in page and "Narrators</a>" not in page


def test_testimony_text_keeps_its_own_language_on_an_arabic_page(client):
    client.set_cookie("lang", "ar")
    testimony = client.get("/api/narrators/asmar-al-halabi").get_json()["testimonies"][0]
    page = client.get(testimony["url"]).get_data(as_text=True)
    words = re.findall(r'<p class="words"([^>]*)>', page)
    assert words and all(found == ' lang="en" dir="ltr"' for found in words)
    assert '<bdi lang="en" dir="auto">Asmar al-Halabi</bdi>' in page


def test_an_arabic_testimony_is_laid_out_right_to_left_on_an_english_page(app, client, tmp_path):
    body = TESTIMONY.format(
        slug="arabic-test", text="خرجنا من حلب في الباص الأخير، وكان البرد شديدًا."
    )
    path = tmp_path / "arabic-test.md"
    path.write_text(body.replace("access: public", "access: public\nlanguage: ar"), "utf-8")
    assert run_cli(app, "import", str(path)).exit_code == 0
    hit = client.get("/api/search?q=الباص").get_json()["hits"][0]
    page = client.get(hit["testimony"]["url"]).get_data(as_text=True)
    assert '<p class="words" lang="ar" dir="rtl">خرجنا من حلب' in page
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    results = client.get("/search?q=الباص").get_data(as_text=True)
    assert '<p class="snippet" lang="ar" dir="rtl">' in results


def test_a_form_error_is_told_in_arabic(app):
    from tests.archive_helpers import archivist_client, form_for_testimony, submit

    archivist = archivist_client(app)
    archivist.set_cookie("lang", "ar")
    response = submit(archivist, "/archive/testimonies/new", form_for_testimony(title=""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "لم تُحفظ الشهادة." in page and "حقل «العنوان» مطلوب." in page


def test_an_error_page_is_in_arabic_down_to_its_detail(client):
    client.set_cookie("lang", "ar")
    page = client.get("/no/such/page").get_data(as_text=True)
    assert "غير موجود" in page and "لا يوجد شيء على هذا العنوان." in page
    page = client.get("/testimonies/1/revisions/999").get_data(as_text=True)
    assert "ليس للشهادة 1 مراجعة رقمها 999 يحق لك قراءتها." in page
    assert 'lang="en"' not in page.split('role="alert"')[1].split("</p>")[0]


def test_the_arabic_font_is_shipped_with_its_licence(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    fonts = re.findall(r'url\("(fonts/[^"]+\.woff2)"\)', css)
    assert len(fonts) == 2
    for font in fonts:
        response = client.get(f"/static/{font}")
        assert response.status_code == 200 and response.data[:4] == b"wOF2"
        assert len(response.data) < 60_000  # subset: the Arabic letters only
    assert "SIL OPEN FONT LICENSE" in client.get("/static/fonts/OFL.txt").get_data(as_text=True)


def test_every_translation_fills_in_the_same_values_as_its_english():
    """A translation that names a value the English does not give would fail on the page."""
    with CATALOGUE.open("rb") as po:
        catalog = read_po(po, locale="ar")
    for message in catalog:
        if not message.id:
            continue
        english = set(
            PLACEHOLDER.findall(" ".join(message.id) if message.pluralizable else message.id)
        )
        translations = message.string if message.pluralizable else (message.string,)
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) <= english | {"num"}, message.id
        assert "fuzzy" not in message.flags, message.id


def words_marked_for_translation() -> set[str]:
    """Every msgid the code and templates mark, read as `make translations` reads them:
    babel.cfg's files, the default keywords and `_l`."""
    with (REPOSITORY / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(
        REPOSITORY,
        method_map,
        options_map,
        keywords={**DEFAULT_KEYWORDS, "_l": None},
    )
    return {message if isinstance(message, str) else message[0] for *_, message, _, _ in found}


def test_every_word_of_the_interface_has_its_arabic():
    """A string marked for translation but missing from the catalogue shows in English on an
    Arabic page; `make translations` then translating the new entries fixes it."""
    with CATALOGUE.open("rb") as po:
        catalog = read_po(po, locale="ar")
    marked = words_marked_for_translation()
    assert len(marked) > 300  # the extraction really read the templates and the code
    untranslated = sorted(
        msgid
        for msgid in marked
        if catalog.get(msgid) is None
        or not all(
            catalog[msgid].string if catalog[msgid].pluralizable else (catalog[msgid].string,)
        )
    )
    assert untranslated == [], f"{len(untranslated)} without Arabic: run `make translations`"


def test_the_arabic_catalogue_says_each_message_once():
    """Branches merged side by side can leave one message twice; gettext keeps only one of them."""
    ids = re.findall(
        r'^msgid ("(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)', CATALOGUE.read_text(), re.M
    )
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert repeated == []
