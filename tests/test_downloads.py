"""Downloads: a testimony as plain text and JSON, search results as CSV. Word for word, with
the citation, and never a restricted testimony for a reader who is not signed in."""

from __future__ import annotations

import csv
import io

from tests.conftest import import_testimony, sign_in


def _csv(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets then read the Arabic script as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_a_testimony_as_plain_text_begins_with_its_citation_and_keeps_every_word(client):
    response = client.get("/testimonies/2/export.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    assert 'filename="hisham-skeif-2017.txt"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    first = text.splitlines()
    assert first[0] == "Hisham Skeif on the first anniversary of the evacuation of Aleppo"
    testimony = client.get("/api/testimonies/2").get_json()
    # the cite page's Chicago note, with the permanent address, first and last
    cited = f"Cite as: {testimony['citation_text']}"
    assert cited.startswith("Cite as: Hisham Skeif, “Hisham Skeif on the First Anniversary")
    assert cited.endswith(", http://localhost/testimonies/2.")
    assert first[2] == cited
    assert "Archive URL: http://localhost/testimonies/2" in text
    passages = testimony["passages"]
    position = 0
    for passage in passages:
        anchor = passage["anchor"]
        permanent = f"http://localhost/testimonies/2/passages/{anchor}"
        position = text.index(f"{anchor} ({permanent})\n", position)
        assert text.index(passage["text"], position) > position
    assert text.endswith(passages[-1]["text"] + f"\n\n{cited}\n")


def test_a_testimony_as_json_is_the_apis_answer_as_a_file(client):
    response = client.get("/testimonies/3/export.json")
    assert response.status_code == 200
    assert 'filename="muhammad-haj-qasim-2017.json"' in response.headers["Content-Disposition"]
    assert response.get_json() == client.get("/api/testimonies/3").get_json()


def test_restricted_testimony_is_never_a_public_download(app, client, tmp_path):
    import_testimony(app, tmp_path, "kept-back-2019", "The granary keys.", access="restricted")
    for suffix in ("export.txt", "export.json"):
        assert client.get(f"/testimonies/6/{suffix}").status_code == 404
    assert "granary" not in client.get("/search.csv?q=granary").get_data(as_text=True)
    sign_in(app, client)
    text = client.get("/testimonies/6/export.txt")
    assert text.status_code == 200 and "The granary keys." in text.get_data(as_text=True)
    assert text.headers["Cache-Control"] == "private, no-store"
    assert [row["text"] for row in _csv(client.get("/search.csv?q=granary"))] == [
        "The granary keys."
    ]


def test_search_results_as_csv_hold_every_hit_with_the_whole_passage(client):
    answer = client.get("/api/search?q=Aleppo&per_page=100").get_json()
    response = client.get("/search.csv?q=Aleppo")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["X-Total-Count"] == str(answer["total"])
    rows = _csv(response)
    assert [(r["testimony_id"], r["passage"]) for r in rows] == [
        (str(h["testimony"]["id"]), h["passage"]["anchor"]) for h in answer["hits"]
    ]
    first = client.get(f"/api/testimonies/{rows[0]['testimony_id']}").get_json()
    passage = next(p for p in first["passages"] if p["anchor"] == rows[0]["passage"])
    assert rows[0]["text"] == passage["text"]
    assert rows[0]["passage_url"] == "http://localhost" + passage["url"]


def test_a_passage_that_looks_like_a_formula_stays_text_in_a_spreadsheet(app, client, tmp_path):
    words = [
        '=HYPERLINK("http://evil.example","the orchard")',
        "+1 the orchard",
        "-2 the orchard",
        "@SUM(1) the orchard",
    ]
    import_testimony(app, tmp_path, "formula-2019", "\n\n".join(words))
    rows = _csv(client.get("/search.csv?q=orchard"))
    assert sorted(row["text"] for row in rows) == sorted("'" + w for w in words)


def test_a_csv_of_a_search_that_cannot_run_says_why(client):
    response = client.get("/search.csv?q=%22unclosed")
    assert response.status_code == 400
    assert "quotation mark" in response.get_data(as_text=True)
    response = client.get("/search.csv")
    assert response.status_code == 400
    assert "say what to look for" in response.get_data(as_text=True)
