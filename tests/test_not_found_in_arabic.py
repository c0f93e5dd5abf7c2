"""A page that is not there says so in the reader's language; lists on Arabic pages use the
Arabic comma."""

from __future__ import annotations

import pytest

ARABIC = {"Accept-Language": "ar"}


@pytest.mark.parametrize(
    "path, arabic, english",
    [
        ("/testimonies/999", "لا توجد شهادة رقمها 999.", "There is no testimony 999."),
        ("/narrators/nobody", "لا يوجد راوٍ اسمه ‘nobody’.", "No narrator is called ‘nobody’."),
        ("/events/nothing", "لا يوجد حدث اسمه ‘nothing’.", "There is no event ‘nothing’."),
        ("/places/nowhere", "لا يوجد مكان اسمه ‘nowhere’.", "There is no place ‘nowhere’."),
        (
            "/testimonies/1/passages/p-99",
            "ليس في الشهادة رقم 1 مقطع p-99.",
            "Testimony 1 has no passage p-99.",
        ),
    ],
)
def test_a_missing_record_is_named_in_arabic_on_arabic_pages(client, path, arabic, english):
    page = client.get(path, headers=ARABIC)
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert arabic in text and english not in text
    assert english in client.get(path).get_data(as_text=True)


def test_the_json_api_keeps_its_english_message(client):
    answer = client.get("/api/testimonies/999", headers=ARABIC)
    assert answer.status_code == 404 and answer.get_json()["error"] == "There is no testimony 999."


def test_lists_on_arabic_pages_use_the_arabic_comma(client):
    page = client.get("/testimonies/1", headers=ARABIC).get_data(as_text=True)
    assert "</bdi>، <bdi" in page
