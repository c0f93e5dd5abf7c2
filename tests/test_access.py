"""Restricted and withdrawn testimony never reaches an anonymous reader, in any page or JSON;
signed-in archivists see restricted testimony, marked as such."""

from __future__ import annotations

import pytest

from tests.archive_helpers import archivist_client, submit
from tests.conftest import run_cli

# A testimony with a word found nowhere else (quillfeather), a word easy to misspell
# (brontosaurian), a narrator of its own, a place of the gazetteer and a timeline event.
SECRET = """---
slug: zenobia-quartermaine-2020
title: A testimony under restriction
narrator:
  slug: zenobia-quartermaine
  name: Zenobia Quartermaine
  biography: A narrator known to the archive only through this testimony.
interview_date: 2020-05-06
interviewers: [Someone]
citation:
  publisher: Test
  title: Test
rights: Test only.
access: {access}
events: [evacuation-of-east-aleppo]
---
The quillfeather lanterns lit al-Indharat that night, and the brontosaurian convoy left Aleppo.

The orphans of Aleppo, the orphans of the city, waited for the buses with their families.

At dawn the green buses crossed into the countryside.
"""

SEARCHES = [
    "q=quillfeather",
    "q=brontosaurien",
    "q=brontosaurian",
    "q=Zenobia",
    "q=Quartermaine",
    "q=aleppo",
    "q=orphans",
    "q=city OR families",
    "q=aleppo -orphans",
    'q="the city"',
    "q=aleppo&page=2",
    "q=green buses",
    "q=year:2020",
    "narrator=zenobia-quartermaine",
    "place=al-indharat",
    "event=evacuation-of-east-aleppo",
    "q=aleppo&place=aleppo",
]
PAGES = [
    "/",
    "/narrators",
    "/narrators/zenobia-quartermaine",
    "/testimonies/{id}",
    "/timeline",
    "/events/evacuation-of-east-aleppo",
    "/places/al-indharat",
    "/places/aleppo",
    *[f"/search?{query}" for query in SEARCHES],
]
JSON = [
    "/api/narrators",
    "/api/narrators/zenobia-quartermaine",
    "/api/testimonies/{id}",
    "/api/events",
    "/api/events/evacuation-of-east-aleppo",
    "/api/places/al-indharat",
    "/api/places/aleppo",
    *[f"/api/search?{query}" for query in SEARCHES],
]
NEXT_ID = 6  # the collection holds five testimonies


def everything_a_reader_sees(client) -> dict[str, tuple[int, object]]:
    seen = {}
    for address in PAGES:
        response = client.get(address.format(id=NEXT_ID))
        seen[address] = (response.status_code, response.get_data(as_text=True))
    for address in JSON:
        response = client.get(address.format(id=NEXT_ID))
        # scores and order too: they must rest on nothing the reader may not see
        seen[address] = (response.status_code, response.get_json())
    return seen


def add_secret(app, tmp_path, access: str) -> None:
    path = tmp_path / "secret.md"
    path.write_text(SECRET.format(access=access), encoding="utf-8")
    result = run_cli(app, "import", str(path))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("how", ["restricted", "withdrawn"])
def test_a_hidden_testimony_changes_nothing_an_anonymous_reader_sees(app, client, tmp_path, how):
    before = everything_a_reader_sees(client)
    if how == "restricted":
        add_secret(app, tmp_path, "restricted")
    else:
        add_secret(app, tmp_path, "public")
        assert client.get(f"/api/testimonies/{NEXT_ID}").status_code == 200
        assert client.get("/api/search?q=quillfeather").get_json()["total"] == 1
        archivist = archivist_client(app)
        response = submit(
            archivist,
            f"/archive/testimonies/{NEXT_ID}/withdraw",
            {"reason": "Consent revoked.", "confirm": "yes"},
            form_page=f"/archive/testimonies/{NEXT_ID}/edit",
        )
        assert response.status_code == 302
    after = everything_a_reader_sees(client)
    # a withdrawn testimony's own address says it is gone (410), and nothing of it
    own = {"/testimonies/{id}", "/api/testimonies/{id}"} if how == "withdrawn" else set()
    for address in before:
        if address not in own:
            assert after[address] == before[address], f"{address} shows the {how} testimony"
    for address in own:
        assert after[address][0] == 410
        assert not {"Zenobia", "quillfeather", "restriction"} & set(str(after[address][1]).split())
    # and, said plainly, for the words that only the hidden testimony holds:
    assert after["/api/search?q=quillfeather"][1]["total"] == 0
    assert after["/api/search?q=brontosaurien"][1]["suggestion"] is None
    assert after["/api/narrators/zenobia-quartermaine"][0] == 404
    assert after["/api/testimonies/{id}"][0] == (410 if how == "withdrawn" else 404)
    assert "Zenobia" not in after["/"][1] and "quillfeather" not in after["/places/al-indharat"][1]


def test_a_restricted_testimony_is_visible_to_an_archivist_and_marked(app, tmp_path):
    add_secret(app, tmp_path, "restricted")
    archivist = archivist_client(app)
    anonymous = app.test_client()

    found = archivist.get("/api/search?q=quillfeather").get_json()
    assert found["total"] == 1
    assert found["hits"][0]["testimony"]["access"] == "restricted"
    assert "<mark>quillfeather</mark>" in found["hits"][0]["snippet"]
    assert "badge restricted" in archivist.get("/search?q=quillfeather").get_data(as_text=True)
    assert "brontosaurian" in archivist.get("/api/search?q=brontosaurien").get_json()["suggestion"]

    by_narrator = archivist.get("/api/search?narrator=zenobia-quartermaine").get_json()
    assert by_narrator["total"] == 3
    # archivists search public and restricted testimony together
    orphans = archivist.get("/api/search?q=orphans&per_page=50").get_json()
    public_orphans = anonymous.get("/api/search?q=orphans&per_page=50").get_json()
    assert orphans["total"] == public_orphans["total"] + 1
    assert "restricted" in {hit["testimony"]["access"] for hit in orphans["hits"]}
    facets = archivist.get("/api/search?place=al-indharat").get_json()["facets"]["narrator"]
    assert "zenobia-quartermaine" in {f["slug"] for f in facets}

    assert "zenobia-quartermaine" in {n["slug"] for n in archivist.get("/api/narrators").get_json()}
    profile = archivist.get("/narrators/zenobia-quartermaine").get_data(as_text=True)
    assert "badge restricted" in profile
    page = archivist.get(f"/testimonies/{NEXT_ID}").get_data(as_text=True)
    assert "badge restricted" in page and "quillfeather lanterns" in page

    listing = archivist.get("/archive/").get_data(as_text=True)
    assert "A testimony under restriction" in listing and "badge restricted" in listing

    event = archivist.get("/api/events/evacuation-of-east-aleppo").get_json()
    assert NEXT_ID in {t["id"] for t in event["testimonies"]}
    place = archivist.get("/api/places/al-indharat").get_json()
    assert NEXT_ID in {p["testimony_id"] for p in place["passages"]}
    assert "badge restricted" in archivist.get("/places/al-indharat").get_data(as_text=True)

    def evacuation_count(client):
        events = client.get("/api/events").get_json()["events"]
        return next(e for e in events if e["slug"] == "evacuation-of-east-aleppo")[
            "testimony_count"
        ]

    assert evacuation_count(archivist) == evacuation_count(anonymous) + 1


def test_search_totals_count_only_the_passages_the_filters_allow(client):
    body = client.get("/api/search?q=aleppo&narrator=hisham-skeif&per_page=100").get_json()
    assert body["total"] == len(body["hits"]) > 0
    assert {hit["narrator"]["slug"] for hit in body["hits"]} == {"hisham-skeif"}
