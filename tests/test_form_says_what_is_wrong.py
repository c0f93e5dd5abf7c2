"""The testimony form says what is wrong in the reader's language: a date that is written as
asked but does not exist is named as such, the focus starts on the list of problems, and the
browser's own (browser-language) bubbles give way to the archive's messages."""

from __future__ import annotations

import html

import pytest

from tests.archive_helpers import archivist_client, form_for_testimony, record_counts, submit

NEW = "/archive/testimonies/new"
ARABIC = {"Accept-Language": "ar"}


@pytest.fixture
def archivist(app):
    return archivist_client(app)


def sent(archivist, headers=None, **changes) -> str:
    response = submit(
        archivist, NEW, form_for_testimony(**changes), form_page=NEW, headers=headers or {}
    )
    assert response.status_code == 400
    return html.unescape(response.get_data(as_text=True))


def test_a_day_that_does_not_exist_is_named_not_blamed_on_the_way_it_is_written(app, archivist):
    before = record_counts(app)
    page = sent(archivist, interview_date="2017-12-41")
    assert "Interview date is not a date: there is no 41 December 2017." in page
    assert "must be a date written YYYY-MM-DD" not in page
    assert record_counts(app) == before


def test_the_29th_of_february_of_a_common_year_and_a_13th_month_are_named(archivist):
    assert "there is no 29 February 2017" in sent(archivist, interview_date="2017-02-29")
    assert "there is no month 13 (months run 01 to 12)" in sent(
        archivist, interview_date="2017-13-01"
    )


def test_a_date_written_otherwise_still_asks_for_yyyy_mm_dd(archivist):
    page = sent(archivist, interview_date="21/12/2017")
    assert "Interview date must be a date written YYYY-MM-DD, not '21/12/2017'." in page


def test_the_date_and_age_problems_are_in_arabic_for_an_arabic_reader(archivist):
    page = sent(archivist, ARABIC, interview_date="2017-12-41", narrator_age="200")
    assert "تاريخ المقابلة ليس تاريخًا: لا يوجد يوم 41 من كانون الأول 2017." in page
    assert "يجب أن يكون عددًا صحيحًا من 0 إلى 149" in page
    assert "there is no" not in page and "whole number" not in page


def test_a_form_with_problems_moves_the_focus_to_them_and_leaves_checking_to_the_archive(
    archivist,
):
    page = sent(archivist, ARABIC, interview_date="2017-12-41")
    assert '<html lang="ar" dir="rtl">' in page
    assert 'id="problems" tabindex="-1"' in page
    assert "form-problems.js" in page and "<script>" not in page
    assert 'enctype="multipart/form-data" novalidate' in page
