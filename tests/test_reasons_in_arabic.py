"""Why a link was proposed, in the reader's language: the archive's own sentences and rule names
are worded on the page from the reasons' parameters; a reason stored before they were kept is
shown as written, in English, marked so."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from oralhistory.record.models import ContextLink
from oralhistory.services.linking import link_testimonies
from oralhistory.web import db

QUEUE = "/archive/links?per_page=200"
ARABIC = {"Accept-Language": "ar"}


def outside_english(page: str) -> str:
    """The page less its `lang="en"` pieces: what an Arabic reader is told in Arabic."""
    return re.sub(r'<(bdi|span|p|li|a)[^>]*lang="en"[^>]*>.*?</\1>', "", page, flags=re.S)


def test_the_review_queue_gives_every_reason_in_arabic_to_an_arabic_reader(archivist):
    page = archivist.get(QUEUE, headers=ARABIC).get_data(as_text=True)
    assert "يذكر المكان" in page and "حلب" in page
    assert "محسوبًا رجوعًا من تاريخ المقابلة" in page
    assert "كانون الأول" in page  # the dates counted, as an Arabic reader writes them
    rest = outside_english(page)
    for english in (
        "names the place",
        "words the timeline gives",
        "counted back from the interview",
        "this event took place in",
        "(place-name)",
        "(named-event)",
        "(relative-date)",
        "(place-event)",
    ):
        assert english not in rest, english


def test_the_rule_names_in_the_queues_filter_are_arabic_too(archivist):
    page = archivist.get(QUEUE, headers=ARABIC).get_data(as_text=True)
    options = re.search(r'<select id="f-rule".*?</select>', page, re.S).group(0)
    assert 'value="place-name"' in options and ">ذِكر مكان (" in options


def test_english_readers_read_the_reasons_as_before(archivist):
    page = archivist.get(QUEUE).get_data(as_text=True)
    assert "names the place Aleppo" in page and "(place-name)" in page
    assert "counted back from the interview (21 December 2017, within the week)" in page


def test_a_place_page_words_each_voice_reason_in_arabic(app, archivist):
    page = archivist.get("/places/aleppo", headers=ARABIC).get_data(as_text=True)
    assert "يذكر المكان" in page
    assert "names the place" not in outside_english(page)


def test_a_reason_stored_before_its_parameters_is_shown_in_english_marked_so(app, archivist):
    with app.app_context():
        session = db.session()
        link = session.scalars(
            select(ContextLink).where(ContextLink.status == "proposed", ContextLink.kind == "place")
        ).first()
        words = link.reason[0]["words"]
        says = f"names the place {words}"
        link.reason = [{"rule": "place-name", "words": words, "says": says}]
        session.commit()
    page = archivist.get(QUEUE, headers=ARABIC).get_data(as_text=True)
    assert f'<bdi lang="en" dir="ltr">{says}</bdi>' in page
    assert archivist.get(QUEUE).status_code == 200


def test_running_the_rules_again_over_old_reasons_adds_no_link(app):
    with app.app_context():
        session = db.session()
        links = session.scalars(select(ContextLink)).all()
        count = len(links)
        for link in links:  # as a database written before the reasons kept their parameters
            link.reason = [
                {key: r[key] for key in ("rule", "words", "says") if key in r} for r in link.reason
            ]
        session.commit()
        assert link_testimonies(session)  # the reasons take their parameters
        session.commit()
        assert session.scalar(select(func.count()).select_from(ContextLink)) == count
        assert link_testimonies(session) == []  # and a second run changes nothing
        reasons = [r for link in session.scalars(select(ContextLink)) for r in link.reason]
        assert any("place" in r for r in reasons if r["rule"] == "place-name")
