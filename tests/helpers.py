"""Helpers the tests of searching share, written once: what a search finds, as a reader
would name it."""

from __future__ import annotations


def hit_names(body: dict) -> list[str]:
    """The hits of a search's JSON answer as `narrator-slug#p-N`, in the order shown."""
    return [f"{h['narrator']['slug']}#{h['passage']['anchor']}" for h in body["hits"]]


def search(client, q: str = "", **params):
    """The JSON API's answer to a search for `q` (50 hits a page unless `per_page` says)."""
    return client.get("/api/search", query_string={"q": q, "per_page": 50, **params})


def hits(client, q: str = "", **params) -> list[str]:
    """What a search for `q` finds, as `narrator-slug#p-N` (see `search` for the page)."""
    return hit_names(search(client, q, **params).get_json())


def hit_count(client, q: str) -> int:
    """How many passages a search for `q` finds (the request must succeed)."""
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def archive_schema_and_groups(session) -> tuple:
    """The schema the archive's index is built with (the record's places and `names.yaml`),
    and every testimony's documents, as `search.rebuild_index` writes them."""
    from oralhistory.search import documents
    from oralhistory.services import index_documents

    spellings = index_documents.spellings(session)
    groups = index_documents.document_groups(session, None)
    return documents.schema_for(spellings), (documents.group_documents(g) for g in groups)
