"""Every message the archive writes for a person reaches an Arabic reader in Arabic: the form's
problems (worded from the rule that failed and its values, not from English), the link and
review errors, a revision that does not exist, and a refused security token."""

from __future__ import annotations

import html
import re

import pytest

from tests.archive_helpers import archivist_client, csrf_token, form_for_testimony, submit

NEW = "/archive/testimonies/new"
ARABIC = {"Accept-Language": "ar"}
LATIN_WORDS = re.compile(r"[A-Za-z]+(?:[\s,.:;'’()-]+[A-Za-z]+){2,}")


@pytest.fixture
def archivist(app):
    return archivist_client(app)


def shown(page: str, css_class: str) -> list[str]:
    """The text of the elements of `css_class`, tags removed."""
    found = re.findall(rf'<(p|div|li)[^>]*class="{css_class}"[^>]*>(.*?)</\1>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for _tag, text in found]


def english_in(texts: list[str]) -> list[str]:
    return [text for text in texts if LATIN_WORDS.search(text)]


def form_problems(archivist, **changes) -> list[str]:
    response = submit(archivist, NEW, form_for_testimony(**changes), form_page=NEW, headers=ARABIC)
    assert response.status_code == 400
    return shown(response.get_data(as_text=True), "field-error")


def test_a_title_too_long_and_a_bad_address_are_told_in_arabic_with_their_numbers(archivist):
    problems = form_problems(archivist, title="x" * 400, source_url="ftp://example.org/a b")
    assert "العنوان يجب ألا يزيد طوله على 300 حرف (وطوله الآن 400)." in problems
    assert any("يجب أن يكون عنوان ويب واحدًا" in text for text in problems), problems
    assert english_in(problems) == []


def test_an_unknown_choice_an_empty_list_item_and_an_invisible_name_are_told_in_arabic(archivist):
    problems = form_problems(
        archivist, access="secret", narrator_name="\u202eHaddad", title="\u200b"
    )
    assert any("يجب أن يكون إحدى القيم: public, restricted" in text for text in problems)
    assert any("يجب ألا يبدأ بمحرف خفي" in text for text in problems), problems
    assert any("يجب أن يحوي حروفًا ظاهرة" in text for text in problems), problems


def test_an_empty_transcript_is_told_in_arabic_and_in_english_as_a_sentence(archivist):
    arabic = form_problems(archivist, transcript="   ")
    assert "النص المفرَّغ فارغ: الصق كلمات الشهادة أو ارفع ملفًا." in arabic
    response = submit(archivist, NEW, form_for_testimony(transcript="  "), form_page=NEW)
    page = html.unescape(response.get_data(as_text=True))
    assert "The transcript is empty: paste the testimony’s words or upload a file." in page


def test_the_english_form_says_the_same_problems_in_english(archivist):
    response = submit(archivist, NEW, form_for_testimony(title="x" * 400), form_page=NEW)
    page = html.unescape(response.get_data(as_text=True))
    assert "Title must be at most 300 characters long (this is 400)." in page


def test_a_link_that_cannot_be_added_is_refused_in_arabic(archivist):
    token = csrf_token(archivist, "/testimonies/1")
    archivist.post(
        "/archive/testimonies/1/links",
        data={"csrf_token": token, "passage": "p-999", "target": "event:nothing"},
        headers=ARABIC,
    )
    page = archivist.get("/testimonies/1", headers=ARABIC).get_data(as_text=True)
    said = [text for text in shown(page, r"flash[^\"]*") if "الربط" in text or "passage" in text]
    assert said and "يجب أن يسمّي «passage» مقطعًا من هذه الشهادة بمرساته" in said[0], said
    assert "must name" not in page


def test_a_review_queue_filter_naming_nothing_is_refused_in_arabic(archivist):
    page = archivist.get("/archive/links?event=no-such-event", headers=ARABIC)
    assert page.status_code == 400
    text = html.unescape(page.get_data(as_text=True))
    assert "يجب أن يسمّي «event» حدثًا من الخط الزمني، لا «no-such-event»" in text
    assert "must name an event" not in text


def test_a_decision_without_ticks_is_refused_in_arabic(archivist):
    token = csrf_token(archivist, "/archive/links")
    archivist.post(
        "/archive/links", data={"csrf_token": token, "decision": "confirm"}, headers=ARABIC
    )
    page = archivist.get("/archive/links", headers=ARABIC).get_data(as_text=True)
    assert "أشِّر على رابط واحد على الأقل لتأكيده أو رفضه" in page


def test_a_revision_that_does_not_exist_and_a_bad_anchor_are_told_in_arabic(client):
    page = client.get("/testimonies/1/revisions/999", headers=ARABIC).get_data(as_text=True)
    assert "ليس للشهادة 1 مراجعة رقمها 999 يحق لك قراءتها." in page
    page = client.get("/testimonies/1/passages/zz/cite", headers=ARABIC).get_data(as_text=True)
    assert "ليست مرساة مقطع" in html.unescape(page)
    page = client.get("/testimonies/1/cite?revision=x", headers=ARABIC).get_data(as_text=True)
    assert "يجب أن تكون قيمة «revision» رقم مراجعة مثل 1" in html.unescape(page)


def test_a_refused_security_token_is_explained_in_arabic(app, client):
    response = client.post("/archive/testimonies/1/withdraw", data={}, headers=ARABIC)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "رمز الأمان غير موجود" in page
    assert "CSRF" not in page
