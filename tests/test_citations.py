"""Cite this passage: Chicago, APA and MLA from CSL styles, the downloads, and what the
pages tell machines about themselves (Dublin Core, JSON-LD, the sitemap)."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from sqlalchemy import select

from oralhistory.formats import citation
from oralhistory.record.access import ANONYMOUS
from oralhistory.record.models import Testimony
from oralhistory.services import citable
from oralhistory.web import db
from tests.archive_helpers import form_for_testimony, submit
from tests.test_archivists import edit_form, first_testimony_of

URL = "https://archive.example.org/testimonies/2/passages/p-2"
ACCESSED = dt.date(2026, 12, 1)

# Written out by hand from the style guides' patterns for an interview, and checked
# against each style's rules (title case for Chicago and MLA, sentence case and initials for
# APA, "para." / "par." for the paragraph).
EXPECTED = {
    "chicago": {
        "citation": (
            "Hisham Skeif, “Hisham Skeif on the First Anniversary of the Evacuation of Aleppo,” "
            "interview by Alaa Nassar and Waleed a-Noufal, ‘We Live on the Hope of Returning’ to "
            "Aleppo City, Syria Direct, December 21, 2017, para. 2, revision 1, Testimony "
            f"Archive, accessed December 1, 2026, {URL}."
        ),
        "reference": (
            "Skeif, Hisham. “Hisham Skeif on the First Anniversary of the Evacuation of Aleppo.” "
            "Interview by Alaa Nassar and Waleed a-Noufal. ‘We Live on the Hope of Returning’ to "
            "Aleppo City, Syria Direct, December 21, 2017, para. 2. Revision 1. Testimony "
            f"Archive. Accessed December 1, 2026. {URL}."
        ),
    },
    "apa": {
        "citation": "(Skeif, 2017, para. 2)",
        "reference": (
            "Skeif, H. (2017, December 21). Hisham Skeif on the first anniversary of the "
            "evacuation of Aleppo (A. Nassar & W. a-Noufal, interviewers) [Revision 1]. ‘We Live "
            f"on the Hope of Returning’ to Aleppo City. Syria Direct. Testimony Archive. {URL}"
        ),
    },
    "mla": {
        "citation": (
            "(Skeif, “Hisham Skeif on the First Anniversary of the Evacuation of Aleppo,” par. 2)"
        ),
        "reference": (
            "Skeif, Hisham. “Hisham Skeif on the First Anniversary of the Evacuation of Aleppo.” "
            "Interview by Alaa Nassar and Waleed a-Noufal. ‘We Live on the Hope of Returning’ to "
            f"Aleppo City, 21 Dec. 2017, Testimony Archive, {URL}. Revision 1."
        ),
    },
}


def skeif_item(app) -> dict:
    with app.app_context():
        session = db.session()
        testimony = session.scalar(select(Testimony).where(Testimony.slug == "hisham-skeif-2017"))
        work = citable.get_revision(session, testimony.id, 1, ANONYMOUS)
        return citation.csl_item(
            work, url=URL, accessed=ACCESSED, archive="Testimony Archive", anchor="p-2"
        )


@pytest.mark.parametrize("style", ["chicago", "apa", "mla"])
def test_a_passage_is_cited_in_each_style_as_the_style_guide_writes_it(app, style):
    rendered = citation.render(skeif_item(app), style)
    assert rendered["citation_text"] == EXPECTED[style]["citation"]
    assert rendered["reference_text"] == EXPECTED[style]["reference"]
    # the HTML is the same words, with the container's title in italics
    assert "<i>‘We Live on the Hope of Returning’ to Aleppo City</i>" in rendered["reference"]


def test_a_citation_can_name_an_earlier_revision_and_leads_to_its_words(archivist, client):
    testimony = first_testimony_of(client, "hisham-skeif")
    tid, old_words = testimony["id"], testimony["passages"][1]["text"]
    form = edit_form(archivist, tid)
    form["passage_2"] = form["passage_2"].replace("displacements", "displacements, twice")
    assert submit(archivist, f"/archive/testimonies/{tid}/edit", form).status_code == 302

    now = client.get(f"/testimonies/{tid}/passages/p-2/cite").get_data(as_text=True)
    assert "para. 2, revision 2," in now
    earlier = client.get(f"/testimonies/{tid}/passages/p-2/cite?revision=1")
    html = earlier.get_data(as_text=True)
    assert "para. 2, revision 1," in html and "an earlier text" in html
    address = f"http://localhost/testimonies/{tid}/revisions/1#p-2"
    assert address in html
    assert old_words in client.get(f"/testimonies/{tid}/revisions/1").get_data(as_text=True)
    ris = client.get(f"/testimonies/{tid}/passages/p-2/citation.ris?revision=1")
    assert f"UR  - {address}\r\n" in ris.get_data(as_text=True)
    for bad in ("x", "0", "-1"):
        refused = client.get(f"/testimonies/{tid}/passages/p-2/cite?revision={bad}")
        assert refused.status_code == 400
        assert "'revision' must be a revision number" in unescape(refused.get_data(as_text=True))
    assert client.get(f"/testimonies/{tid}/passages/p-2/cite?revision=9").status_code == 404


def test_cite_page_offers_three_styles_as_selectable_text_with_a_copy_enhancement(client):
    testimony = first_testimony_of(client, "hisham-skeif")
    page = client.get(f"/testimonies/{testimony['id']}")
    html = page.get_data(as_text=True)
    cite_url = f"/testimonies/{testimony['id']}/passages/p-2/cite"
    assert f'href="{cite_url}"' in html  # "Cite" beside the passage

    cite = client.get(cite_url).get_data(as_text=True)
    today = dt.datetime.now(dt.UTC).date()
    assert f"accessed {today:%B} {today.day}, {today.year}" in cite
    permanent = f"http://localhost/testimonies/{testimony['id']}/passages/p-2"
    assert cite.count(permanent) == 5  # the page says it, and each reference and the note
    for heading in ("Chicago", "APA", "MLA"):
        assert f">{heading}</h2>" in cite
    # the copy buttons wait hidden for the script; no script is written into the page
    assert cite.count('class="copy"') == 6 and cite.count(" hidden>Copy</button>") == 6
    scripts = re.findall(r"<script[^>]*>", cite)
    assert len(scripts) == 1 and re.fullmatch(
        r'<script src="/static/copy\.js\?v=[0-9a-f]{12}" defer>', scripts[0]
    )
    assert client.get("/static/copy.js").status_code == 200


def test_downloads_carry_the_passage_number_address_and_revision(client):
    testimony = first_testimony_of(client, "hisham-skeif")
    base = f"/testimonies/{testimony['id']}/passages/p-2/citation"
    permanent = f"http://localhost/testimonies/{testimony['id']}/passages/p-2"

    csl = client.get(f"{base}.json")
    assert csl.content_type.startswith("application/vnd.citationstyles.csl+json")
    [item] = json.loads(csl.get_data(as_text=True))
    assert item["type"] == "interview" and item["URL"] == permanent
    assert item["author"] == [{"family": "Skeif", "given": "Hisham"}]
    assert item["note"] == "Passage p-2, revision 1"

    ris = client.get(f"{base}.ris")
    assert "attachment" in ris.headers["Content-Disposition"]
    lines = ris.get_data(as_text=True).split("\r\n")
    assert lines[0] == "TY  - PCOMM" and "ER  - " in lines
    assert {"AU  - Skeif, Hisham", "A2  - Nassar, Alaa", f"UR  - {permanent}"} <= set(lines)
    assert "N1  - Passage p-2, revision 1" in lines

    bib = client.get(f"{base}.bib").get_data(as_text=True)
    assert bib.startswith(f"@misc{{testimony-{testimony['id']}-p-2,")
    assert f"  url = {{{permanent}}}," in bib
    assert "  note = {Passage p-2, revision 1}" in bib

    whole = client.get(f"/testimonies/{testimony['id']}/citation.ris").get_data(as_text=True)
    assert f"UR  - http://localhost/testimonies/{testimony['id']}\r\n" in whole
    assert "N1  - revision 1" in whole
    unknown = client.get(f"{base}.docx")
    assert unknown.status_code == 404 and ".json, .ris or .bib" in unknown.get_data(as_text=True)


def test_bibtex_escapes_what_latex_would_read_as_commands(archivist, client):
    form = form_for_testimony(title="Bread & salt: 100% {of} it_all")
    assert submit(archivist, "/archive/testimonies/new", form).status_code == 302
    testimony = archivist.get("/api/narrators/layla-haddad").get_json()["testimonies"][0]
    bib = client.get(f"/testimonies/{testimony['id']}/citation.bib").get_data(as_text=True)
    assert r"title = {Bread \& salt: 100\% \{of\} it\_all}" in bib
    cite = client.get(f"/testimonies/{testimony['id']}/cite").get_data(as_text=True)
    assert "Bread &amp; salt" in cite and "<script>" not in cite


def test_a_removed_passage_is_cited_as_it_last_stood(archivist, client):
    testimony = first_testimony_of(client, "hisham-skeif")
    tid = testimony["id"]
    form = edit_form(archivist, tid)
    paragraphs = form["transcript"].split("\n\n")
    form["transcript"] = "\n\n".join(paragraphs[:1] + paragraphs[2:])
    assert submit(archivist, f"/archive/testimonies/{tid}/edit", form).status_code == 302
    notice = client.get(f"/testimonies/{tid}/passages/p-2").get_data(as_text=True)
    assert f'href="/testimonies/{tid}/passages/p-2/cite"' in notice
    cite = client.get(f"/testimonies/{tid}/passages/p-2/cite").get_data(as_text=True)
    assert "para. 2, revision 1," in cite
    assert f"http://localhost/testimonies/{tid}/revisions/1#p-2" in cite


def linked_data(html: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    return json.loads(block)


def test_testimony_narrator_and_event_pages_describe_themselves(client):
    testimony = first_testimony_of(client, "hisham-skeif")
    html = client.get(testimony["url"]).get_data(as_text=True)
    assert '<meta name="DC.creator" content="Hisham Skeif">' in html
    assert '<meta name="DC.publisher" content="Syria Direct">' in html
    work = linked_data(html)
    assert work["@type"] == "CreativeWork"
    assert work["author"] == {
        "@type": "Person",
        "name": "Hisham Skeif",
        "url": "http://localhost/narrators/hisham-skeif",
    }
    assert {c["name"] for c in work["contributor"]} == {"Alaa Nassar", "Waleed a-Noufal"}
    assert "Event" in {event["@type"] for event in work["about"]}

    person = linked_data(client.get("/narrators/hisham-skeif").get_data(as_text=True))
    assert person["@type"] == "Person" and person["name"] == "Hisham Skeif"
    assert f"http://localhost/testimonies/{testimony['id']}" in {
        work["url"] for work in person["subjectOf"]
    }

    html = client.get("/events/evacuation-of-east-aleppo").get_data(as_text=True)
    event = linked_data(html)
    assert (event["@type"], event["startDate"]) == ("Event", "2016-12-15")
    assert '<meta name="DC.date" content="2016-12-15/2016-12-22">' in html


def test_linked_data_cannot_end_its_script_element(archivist):
    form = form_for_testimony(title="Bombs </script><script>alert(1)</script>")
    assert submit(archivist, "/archive/testimonies/new", form).status_code == 302
    testimony = archivist.get("/api/narrators/layla-haddad").get_json()["testimonies"][0]
    html = archivist.get(testimony["url"]).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert linked_data(html)["name"] == "Bombs </script><script>alert(1)</script>"


def sitemap_urls(client) -> set[str]:
    response = client.get("/sitemap.xml")
    assert response.content_type.startswith("application/xml")
    root = ET.fromstring(response.data)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return {loc.text for loc in root.iter(f"{namespace}loc")}


def test_sitemap_lists_public_pages_only(archivist, client):
    urls = sitemap_urls(client)
    public = first_testimony_of(client, "omar-al-halabi")
    assert f"http://localhost/testimonies/{public['id']}" in urls
    assert "http://localhost/narrators/omar-al-halabi" in urls
    assert "http://localhost/events/evacuation-of-east-aleppo" in urls

    form = edit_form(archivist, public["id"])
    form["access"] = "restricted"
    assert submit(archivist, f"/archive/testimonies/{public['id']}/edit", form).status_code
    urls = sitemap_urls(archivist)  # even an archivist's sitemap is the public one
    assert f"http://localhost/testimonies/{public['id']}" not in urls
    assert "http://localhost/narrators/omar-al-halabi" not in urls


def test_a_title_with_markup_is_cited_as_text_not_markup(archivist, client):
    # the cite page prints citeproc's HTML unescaped: what an archivist typed must reach it
    # escaped
    form = form_for_testimony(title='Leaving <b>Aleppo</b><script>alert(1)</script> "now"')
    assert submit(archivist, "/archive/testimonies/new", form).status_code == 302
    testimony = archivist.get("/api/narrators/layla-haddad").get_json()["testimonies"][0]
    cite = client.get(f"/testimonies/{testimony['id']}/cite").get_data(as_text=True)
    assert "<script>alert(1)" not in cite and "<b>Aleppo</b>" not in cite
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in cite


def test_markup_an_archivist_typed_reaches_every_shown_citation_escaped(archivist, client):
    # the testimony page and the narrator's profile show the citation as HTML (italics):
    # what was typed stays text there too
    form = form_for_testimony(title='A <script>alert("x")</script> <i>night</i>')
    assert submit(archivist, "/archive/testimonies/new", form).status_code == 302
    testimony = archivist.get("/api/narrators/layla-haddad").get_json()["testimonies"][0]
    for address in (f"/testimonies/{testimony['id']}", "/narrators/layla-haddad"):
        page = client.get(address).get_data(as_text=True)
        assert "<script>alert" not in page and "<i>night</i>" not in page, address
        assert "&lt;script&gt;alert" in page, address
