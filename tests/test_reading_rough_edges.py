"""The rough edges a reader or an archivist met on the pages, each fixed and kept fixed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.archive_helpers import archivist_client, submit
from tests.test_archivists import edit_form, first_testimony_of

TABBABLE = {"a", "button", "input", "select", "textarea", "summary"}


class TabStops(HTMLParser):
    """The elements a keyboard reaches with Tab, in page order (hidden inputs left out)."""

    def __init__(self):
        super().__init__()
        self.stops: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag not in TABBABLE or attributes.get("type") == "hidden":
            return
        if tag == "a" and "href" not in attributes:
            return
        self.stops.append({"tag": tag, **attributes})


def tab_stops(page: str) -> list[dict[str, str]]:
    parser = TabStops()
    parser.feed(page)
    return parser.stops


# --- search ----------------------------------------------------------------------------------


def test_a_search_that_finds_nothing_says_so_instead_of_showing_item_1(client):
    page = client.get("/search?q=zzyzxqqq").get_data(as_text=True)
    assert "No passage matches" in page
    assert '<ol class="results"' not in page


def test_the_search_page_has_one_search_box(client):
    for address in ("/search", "/search?q=orphans"):
        page = client.get(address).get_data(as_text=True)
        assert page.count('type="search"') == 1, address


def test_a_keyboard_reaches_the_first_result_in_three_tabs(client):
    page = client.get("/search?q=orphans").get_data(as_text=True)
    stops = tab_stops(page)
    skip = next(i for i, stop in enumerate(stops) if stop.get("href") == "#results")
    assert skip <= 1, stops[:3]
    assert 'id="results"' in page
    # after the skip link, the next stop inside #results is the first result
    results = page[page.index('id="results"') :]
    first_result = tab_stops(results)[0]
    assert first_result["tag"] == "a" and "#p-" in first_result["href"]


def test_on_a_phone_the_first_result_comes_before_the_facets(client):
    page = client.get("/search?q=orphans").get_data(as_text=True)
    assert page.index('class="results"') < page.index('class="facets"')


# --- home ------------------------------------------------------------------------------------


def test_the_home_search_example_is_text_beside_the_box_not_a_placeholder_cut_off(client):
    page = client.get("/").get_data(as_text=True)
    box = re.search(r'<input id="home-q"[^>]*>', page).group(0)
    assert "placeholder" not in box
    assert 'aria-describedby="home-q-example"' in box
    assert re.search(r'id="home-q-example">For example: <bdi lang="en" dir="auto">', page)


# --- dates -----------------------------------------------------------------------------------


def test_last_corrected_is_a_readable_date_not_a_raw_timestamp(app, archivist, client):
    testimony = first_testimony_of(client, "omar-al-halabi")
    form = edit_form(archivist, testimony["id"])
    form["title"] = "A corrected title"
    submit(archivist, f"/archive/testimonies/{testimony['id']}/edit", form)
    page = client.get(f"/testimonies/{testimony['id']}").get_data(as_text=True)
    assert re.search(r"last corrected \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d UTC", page)
    # machine-readable dates (the <time> attribute, the JSON-LD for harvesters) stay ISO 8601
    shown = re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.DOTALL)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown.replace('datetime="', ""))
    client.set_cookie("lang", "ar")
    page = client.get(f"/testimonies/{testimony['id']}").get_data(as_text=True)
    assert "آخر تصحيح" in page and "بالتوقيت العالمي" in page


def test_timeline_dates_are_written_out_in_syrian_month_names_in_arabic(client):
    assert "28 November 2016" in client.get("/timeline").get_data(as_text=True)
    client.set_cookie("lang", "ar")
    page = client.get("/timeline").get_data(as_text=True)
    assert "28 تشرين الثاني 2016" in page
    assert 'datetime="2016-11-28"' in page


# --- the archivist's form --------------------------------------------------------------------


def test_the_new_narrator_fields_are_shown_while_the_list_starts_on_a_new_narrator(archivist):
    page = archivist.get("/archive/testimonies/new").get_data(as_text=True)
    narrator_list = page[page.index('<select id="f-narrator"') :]
    first_option = re.search(r"<option[^>]*>", narrator_list).group(0)
    assert first_option == '<option value="">'
    assert '<details class="new-narrator"' not in page
    assert '<fieldset class="new-narrator">' in page
    assert 'id="f-narrator_name"' in page


def test_date_fields_take_the_order_their_hint_gives(archivist):
    page = archivist.get("/archive/testimonies/new").get_data(as_text=True)
    assert 'type="date"' not in page  # a browser's picker shows its own order (mm/dd/yyyy)
    field = re.search(r'<input id="f-interview_date"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}"' in field
    assert "Written YYYY-MM-DD, for example 2017-12-21." in page


def test_withdrawal_asks_to_confirm_before_the_testimony_leaves_the_site(archivist, client):
    testimony = first_testimony_of(client, "muhammad-qadsi")
    address = f"/archive/testimonies/{testimony['id']}/withdraw"
    edit = f"/archive/testimonies/{testimony['id']}/edit"
    asked = submit(archivist, address, {"reason": "Consent revoked."}, form_page=edit)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Yes, withdraw the testimony" in page and 'name="confirm" value="yes"' in page
    assert client.get(f"/testimonies/{testimony['id']}").status_code == 200  # not yet
    done = submit(
        archivist, address, {"reason": "Consent revoked.", "confirm": "yes"}, form_page=edit
    )
    assert done.status_code == 302
    assert client.get(f"/testimonies/{testimony['id']}").status_code == 410  # gone, and said so


def test_history_marks_the_words_that_changed_not_the_whole_line(archivist, client):
    testimony = first_testimony_of(client, "muhammad-qadsi")
    form = edit_form(archivist, testimony["id"])
    form["passage_2"] = form["passage_2"].replace("barrel bombs", "zeppelin bombs")
    submit(archivist, f"/archive/testimonies/{testimony['id']}/edit", form)
    page = archivist.get(f"/archive/testimonies/{testimony['id']}/history").get_data(as_text=True)
    assert "<del>barrel</del>" in page and "<ins>zeppelin</ins>" in page
    assert "<ins>+" not in page  # the line's unchanged words are not marked


def test_the_password_field_is_as_wide_as_the_username_field(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    rule = next(line for line in css.splitlines() if "form.stacked input[type=password]" in line)
    assert "form.stacked input[type=text]" in rule and "width: 100%" in rule
    page = client.get("/login").get_data(as_text=True)
    assert '<form class="stacked"' in page


def test_lives_in_never_ends_with_a_doubled_parenthesis(client):
    page = client.get("/narrators/asmar-al-halabi").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)
    assert "Lives in, at the interview" in text
    assert "))" not in text


def test_the_timeline_has_an_index_to_jump_to_each_week(client):
    page = client.get("/timeline").get_data(as_text=True)
    index = page[page.index('class="week-index"') : page.index("</nav>", page.index("week-index"))]
    targets = re.findall(r'href="#(week-[0-9-]+)"', index)
    assert len(targets) > 3
    for target in targets:
        assert f'id="{target}"' in page
    assert "Back to the weeks" in page


def test_each_add_a_link_list_starts_with_an_empty_choice(app, client):
    archivist = archivist_client(app)
    testimony = first_testimony_of(client, "asmar-al-halabi")
    page = archivist.get(f"/testimonies/{testimony['id']}").get_data(as_text=True)
    lists = re.findall(r'<select id="target-[^"]+" name="target" required>\s*<option[^>]*>', page)
    assert lists and len(lists) == page.count('name="target" required')
    assert all(found.endswith('<option value="">') for found in lists)
