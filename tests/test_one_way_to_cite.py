"""One way to cite: the testimony page, the narrator's profile, `export.txt`, `search.csv`,
the API and OAI-PMH give the cite page's own citation (Chicago, its first style) with the
permanent address, never a shorter form of their own.

Real app, real database and index, the Flask test client.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from oralhistory.formats.downloads import CSV_COLUMNS
from tests.conftest import make_app

PUBLIC = "https://archive.example.org"
OLD_COLUMNS = (
    "rank",
    "narrator",
    "narrator_slug",
    "testimony_id",
    "testimony_title",
    "passage",
    "passage_url",
    "text",
    "editor_note",
    "score",
)


def _chicago(client, path: str) -> str:
    """The Chicago note the cite page at `path` shows, as its HTML."""
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'<p class="cite-text" id="cite-chicago-citation"[^>]*>(.*?)</p>', html)
    assert found, html[:2000]
    return found.group(1)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


@pytest.fixture
def public_app(app, tmp_path):
    """The archive under its public address (`ORALHISTORY_PUBLIC_URL`)."""
    return make_app(tmp_path, PUBLIC_URL=PUBLIC + "/")


def test_testimony_page_cites_as_the_cite_page_does_with_its_italics(client):
    cited = _chicago(client, "/testimonies/2/cite")
    assert "<i>" in cited  # the publication's title in italics
    page = client.get("/testimonies/2").get_data(as_text=True)
    block = page[page.index('aria-labelledby="cite-2"') :]
    shown = re.search(r'<p class="cite-text"[^>]*>(.*?)</p>', block).group(1)
    assert shown == cited
    assert 'href="/testimonies/2/cite"' in page  # APA, MLA and the bibliography entry
    testimony = client.get("/api/testimonies/2").get_json()
    assert testimony["citation_text"] == _text(cited)
    assert testimony["citation_html"] == cited


def test_narrator_profile_cites_each_testimony_as_its_cite_page_does(client):
    narrator = client.get("/api/narrators/hisham-skeif").get_json()
    page = client.get("/narrators/hisham-skeif").get_data(as_text=True)
    for testimony in narrator["testimonies"]:
        cited = _chicago(client, f"/testimonies/{testimony['id']}/cite")
        assert testimony["citation"] == _text(cited)
        assert cited in page


def test_plain_text_ends_with_the_cite_pages_citation_and_names_permanent_addresses(
    public_app,
):
    client = public_app.test_client()
    text = client.get("/testimonies/2/export.txt").get_data(as_text=True)
    cited = _text(_chicago(client, "/testimonies/2/cite"))
    assert f"{PUBLIC}/testimonies/2." in cited
    assert text.endswith(f"\n\nCite as: {cited}\n")
    for passage in client.get("/api/testimonies/2").get_json()["passages"]:
        anchor = passage["anchor"]
        assert f"\n{anchor} ({PUBLIC}/testimonies/2/passages/{anchor})\n" in text


def test_search_csv_rows_carry_the_passages_permanent_address_and_citation(public_app):
    client = public_app.test_client()
    response = client.get("/search.csv?q=Aleppo")
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(header[: len(OLD_COLUMNS)]) == OLD_COLUMNS  # what others read stays put
    assert tuple(header) == CSV_COLUMNS
    rows = _csv(response)
    assert len({row["testimony_id"] for row in rows}) > 1
    for row in rows[:6]:
        passage = f"/testimonies/{row['testimony_id']}/passages/{row['passage']}"
        assert row["permalink"] == PUBLIC + passage
        assert row["citation"] == _text(_chicago(client, passage + "/cite"))
        assert row["permalink"] in row["citation"]


def test_oai_source_is_the_testimonys_citation(client):
    cited = _text(_chicago(client, "/testimonies/2/cite"))
    record = client.get(
        "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:testimonies/2"
    ).get_data(as_text=True)
    source = unescape(re.search(r"<dc:source>(.*?)</dc:source>", record).group(1))
    # the same citation, less the day of access: a harvested record does not change daily
    assert "accessed" in cited and "accessed" not in source
    assert source == re.sub(r",? accessed [A-Z][a-z]+ \d{1,2}, \d{4}", "", cited)
