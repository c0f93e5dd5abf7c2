"""Passage anchors that never change: corrections insert, split and remove paragraphs, and
every anchor once given still leads to its words or says where they went."""

from __future__ import annotations

import re

from oralhistory.record.anchors import match_passages
from tests.archive_helpers import submit
from tests.test_archivists import edit_form, first_testimony_of

INSERTED = "A paragraph the publisher added at the top of the testimony."


def correct_transcript(archivist, testimony_id: int, change) -> None:
    """Save the correction form with the whole transcript changed by `change`."""
    form = edit_form(archivist, testimony_id)
    paragraphs = form["transcript"].split("\n\n")
    form["transcript"] = "\n\n".join(change(paragraphs))
    response = submit(archivist, f"/archive/testimonies/{testimony_id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)


def anchors(client, testimony_id: int) -> list[str]:
    testimony = client.get(f"/api/testimonies/{testimony_id}").get_json()
    return [p["anchor"] for p in testimony["passages"]]


def words_at(client, testimony_id: int, anchor: str) -> str:
    testimony = client.get(f"/api/testimonies/{testimony_id}").get_json()
    passages = {p["anchor"]: p for p in testimony["passages"]}
    assert passages[anchor]["permalink"] == f"/testimonies/{testimony_id}/passages/{anchor}"
    found = client.get(f"/api/testimonies/{testimony_id}/passages/{anchor}").get_json()
    assert found["status"] == "current", found
    return found["passage"]["text"]


def test_matching_keeps_corrected_split_moved_passages_and_drops_removed_ones():
    old = ["The first words.", "Second, long enough to be split in two. And this is its end.", "C"]
    new = [
        "New words at the top.",
        "The first word.",  # corrected
        "Second, long enough to be split in two.",  # split: the first part keeps it
        "And this is its end.",
    ]
    assert match_passages(old, new) == [None, 0, 1, None]
    assert match_passages(["a", "b", "c"], ["c", "a", "b"]) == [2, 0, 1]  # moved, word for word
    assert match_passages(["a", "b"], []) == []


def test_anchors_survive_an_insertion_a_split_and_a_removal(archivist, client):
    testimony = first_testimony_of(client, "hisham-skeif")
    tid, before = testimony["id"], testimony["passages"]
    count = len(before)
    words = {p["anchor"]: p["text"] for p in before}
    # an archivist's decision on p-3, which the changes below move about
    link = next(x for x in before[2]["links"] if x["status"] == "proposed")
    response = submit(archivist, f"/archive/links/{link['id']}/confirm", {}, f"/testimonies/{tid}")
    assert response.status_code == 303

    correct_transcript(archivist, tid, lambda paragraphs: [INSERTED, *paragraphs])
    inserted = f"p-{count + 1}"
    assert anchors(client, tid) == [inserted, *words]
    assert words_at(client, tid, inserted) == INSERTED
    for anchor, text in words.items():
        assert words_at(client, tid, anchor) == text

    first, rest = words["p-1"].split(". ", 1)

    def split_first(paragraphs):
        at = paragraphs.index(words["p-1"])
        return [*paragraphs[:at], first + ".", rest, *paragraphs[at + 1 :]]

    correct_transcript(archivist, tid, split_first)
    split_off = f"p-{count + 2}"
    assert anchors(client, tid)[:3] == [inserted, "p-1", split_off]
    assert words_at(client, tid, "p-1") == first + "."
    assert words_at(client, tid, split_off) == rest

    correct_transcript(archivist, tid, lambda ps: [p for p in ps if p != words["p-2"]])
    assert "p-2" not in anchors(client, tid)
    removed = client.get(f"/api/testimonies/{tid}/passages/p-2").get_json()
    assert removed["status"] == "removed"
    page = client.get(f"/testimonies/{tid}/passages/p-2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    removed_in = removed["removed_in"]
    assert f"This passage was removed from the testimony in revision {removed_in}" in html
    assert f'href="/testimonies/{tid}/revisions/{removed_in}"' in html
    assert f'href="/testimonies/{tid}/revisions/{removed_in - 1}#p-2"' in html
    # dates as a reader writes them, not as a machine stores them
    earlier = client.get(f"/testimonies/{tid}/revisions/{removed_in - 1}").get_data(as_text=True)
    for shown in (html, earlier):
        assert not re.search(r"\d{4}-\d\d-\d\d", shown.split("<main", 1)[1].split("</main>")[0])
    assert re.search(r"the text as it stood on \d{1,2} \w+ \d{4}, \d\d:\d\d UTC", earlier)
    # the revision before that one still holds its words, at the same anchor
    held = client.get(f"/api/testimonies/{tid}/revisions/{removed['last_held']}").get_json()
    assert {"anchor": "p-2", "text": words["p-2"]}.items() <= next(
        p for p in held["passages"] if p["anchor"] == "p-2"
    ).items()
    assert removed["last_held"] == removed_in - 1

    # an anchor is never given twice: the next new passage does not take p-2
    correct_transcript(archivist, tid, lambda ps: [*ps, "A last paragraph."])
    assert anchors(client, tid)[-1] == f"p-{count + 3}"
    for anchor in ("p-1", "p-3", inserted, split_off):
        assert client.get(f"/testimonies/{tid}/passages/{anchor}").status_code == 200

    # the decision followed its passage, not its place in the text
    after = client.get(f"/api/testimonies/{tid}").get_json()
    still = next(p for p in after["passages"] if p["anchor"] == "p-3")
    assert {"id": link["id"], "status": "confirmed"}.items() <= next(
        x for x in still["links"] if x["id"] == link["id"]
    ).items()
    # and search finds passages under their own anchors
    hits = client.get("/api/search?q=narrator:hisham-skeif&per_page=50").get_json()["hits"]
    assert {h["passage"]["anchor"] for h in hits} == set(anchors(client, tid))


def test_the_five_testimonies_keep_their_anchors_p1_to_pn(client):
    for narrator in ("hisham-skeif", "asmar-al-halabi", "omar-al-halabi"):
        testimony = first_testimony_of(client, narrator)
        expected = [f"p-{n}" for n in range(1, len(testimony["passages"]) + 1)]
        assert [p["anchor"] for p in testimony["passages"]] == expected
        html = client.get(testimony["url"]).get_data(as_text=True)
        assert re.findall(r'<section class="passage" id="(p-\d+)"', html) == expected


def test_an_anchor_never_given_or_malformed_is_a_clear_404(client):
    testimony = first_testimony_of(client, "hisham-skeif")
    for anchor in ("p-99", "p-0", "passage-1", "p-1x"):
        response = client.get(f"/api/testimonies/{testimony['id']}/passages/{anchor}")
        assert response.status_code == 404
        assert response.get_json()["error"]
    page = client.get(f"/testimonies/{testimony['id']}/passages/p-99")
    assert page.status_code == 404 and "has no passage p-99" in page.get_data(as_text=True)


def test_revisions_are_readable_and_old_ones_say_they_were_corrected(archivist, client):
    testimony = first_testimony_of(client, "omar-al-halabi")
    tid = testimony["id"]
    assert client.get(f"/api/testimonies/{tid}/revisions/1").get_json()["is_current"]
    assert client.get(f"/testimonies/{tid}/revisions/2").status_code == 404
    correct_transcript(archivist, tid, lambda ps: [ps[0].replace("Aleppo", "Aleppo city"), *ps[1:]])
    old = client.get(f"/testimonies/{tid}/revisions/1").get_data(as_text=True)
    assert "It has been corrected since" in old
    assert testimony["passages"][0]["text"] in old.replace("&#39;", "'").replace("&#34;", '"')
    new = client.get(f"/api/testimonies/{tid}/revisions/2").get_json()
    assert new["is_current"] and "Aleppo city" in new["passages"][0]["text"]
    assert new["summary"] is None  # what archivists wrote of a change stays with them


def test_restricted_testimony_and_its_restricted_revisions_stay_hidden(archivist, client):
    testimony = first_testimony_of(client, "muhammad-qadsi")
    tid = testimony["id"]
    form = edit_form(archivist, tid)
    form["access"] = "restricted"
    assert submit(archivist, f"/archive/testimonies/{tid}/edit", form).status_code == 302
    for path in (
        f"/testimonies/{tid}/passages/p-1",
        f"/testimonies/{tid}/revisions/1",
        f"/testimonies/{tid}/passages/p-1/cite",
        f"/testimonies/{tid}/citation.ris",
        f"/api/testimonies/{tid}/revisions/2",
    ):
        assert client.get(path).status_code == 404, path
        assert archivist.get(path).status_code == 200, path
    form = edit_form(archivist, tid)
    form["access"] = "public"
    assert submit(archivist, f"/archive/testimonies/{tid}/edit", form).status_code == 302
    # public again: readers see revisions 1 and 3, never 2, made while it was restricted
    assert client.get(f"/api/testimonies/{tid}/revisions/3").get_json()["revisions"] == [1, 3]
    assert client.get(f"/testimonies/{tid}/revisions/2").status_code == 404
