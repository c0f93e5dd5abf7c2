"""Finding words in a testimony held in two languages: the marks are in every language shown,
one language or side by side, numbered in reading order with previous/next links across
them; a search result opens the testimony showing the language its match was in."""

from __future__ import annotations

import re

from tests.language_fixtures import ARABIC, arabic_file, import_pair


def _marks(page: str) -> list[tuple[str, str]]:
    """(mark id, the language of the column it stands in) in the page's order."""
    found = []
    for match in re.finditer(r'<mark id="(match-\d+)">', page):
        column = page.rfind('lang="', 0, match.start())
        found.append((match.group(1), page[column + 6 : page.index('"', column + 6)]))
    return found


def test_the_arabic_words_found_are_marked_in_the_arabic_text_shown(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    address = f"/testimonies/{testimony_id}"
    page = client.get(address, query_string={"q": "الإبريق", "text": "ar"}).get_data(as_text=True)
    assert '<mark id="match-1">الإبريق</mark>' in page
    assert "1 match for" in page
    page = client.get(address, query_string={"q": "الإبريق", "text": "both"}).get_data(as_text=True)
    assert _marks(page) == [("match-1", "ar")]


def test_side_by_side_marks_both_languages_with_links_from_one_match_to_the_next(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    address = f"/testimonies/{testimony_id}"
    page = client.get(address, query_string={"q": "kettle OR الإبريق OR pigeons", "text": "both"})
    text = page.get_data(as_text=True)
    assert _marks(text) == [("match-1", "en"), ("match-2", "ar"), ("match-3", "en")]
    assert "3 matches for" in text
    assert re.search(r'<p class="match-nav"><a href="[^"]*#match-3">next match</a></p>', text)
    assert re.search(r'<a href="[^"]*#match-2">previous match</a></p>', text)
    # in English alone, the English words alone are marked and counted
    text = client.get(address, query_string={"q": "kettle OR الإبريق", "text": "en"}).get_data(
        as_text=True
    )
    assert _marks(text) == [("match-1", "en")]


def test_a_result_found_in_arabic_opens_the_testimony_showing_the_arabic(app, tmp_path):
    testimony_id = import_pair(app, tmp_path)
    client = app.test_client()
    results = client.get("/search", query_string={"q": "الإبريق"}).get_data(as_text=True)
    link = re.search(rf'href="(/testimonies/{testimony_id}\?[^"]*#p-2)"', results).group(1)
    page = client.get(link.replace("&amp;", "&").split("#")[0])
    text = page.get_data(as_text=True)
    assert _marks(text) == [("match-1", "ar")]
    # the reader chose nothing: the language of the match is not remembered as a choice
    assert "text=" not in page.headers.get("Set-Cookie", "")
    # a reader who reads side by side keeps both
    client.get(f"/testimonies/{testimony_id}", query_string={"text": "both"})
    text = client.get(link.replace("&amp;", "&").split("#")[0]).get_data(as_text=True)
    assert '<div class="side-by-side">' in text


def test_markup_typed_into_a_translation_stays_text_where_its_words_are_marked(app, tmp_path):
    typed = [ARABIC[0], "حملنا <b onmouseover=alert(1)>الإبريق</b> الأزرق.", ARABIC[2]]
    testimony_id = import_pair(app, tmp_path, arabic=arabic_file(typed))
    page = app.test_client().get(
        f"/testimonies/{testimony_id}", query_string={"q": "الإبريق", "text": "both"}
    )
    text = page.get_data(as_text=True)
    assert '<mark id="match-1">الإبريق</mark>' in text
    assert "<b onmouseover" not in text
    assert "&lt;b onmouseover=alert(1)&gt;" in text
