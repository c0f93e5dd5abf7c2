"""Services return plain data and build no URLs, so that they run the same from the CLI, a
test or a view; the views make the URLs. Only the search package talks to Whoosh."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from oralhistory import PROJECT_ROOT, search
from oralhistory.formats import citation
from oralhistory.record.access import Viewer
from oralhistory.record.refs import Ref
from oralhistory.services import narrator_pages, searching
from oralhistory.web import db, search_app

PACKAGE = PROJECT_ROOT / "oralhistory"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_nothing_outside_the_search_package_imports_whoosh():
    outside = [
        path
        for folder in (PACKAGE, PROJECT_ROOT / "benchmarks")
        for path in folder.rglob("*.py")
        if PACKAGE / "search" not in path.parents
    ]
    assert len(outside) > 10
    offenders = {
        str(path.relative_to(PROJECT_ROOT))
        for path in outside
        if any(name == "whoosh" or name.startswith("whoosh.") for name in imported_modules(path))
    }
    assert offenders == set()
    inside = imported_modules(PACKAGE / "search" / "store.py")
    assert "whoosh" in inside or any(name.startswith("whoosh.") for name in inside)


def test_services_build_no_urls_and_import_no_flask():
    for module in (
        "services/records.py",
        "services/narrator_pages.py",
        "services/searching.py",
        "services/curation.py",
        "record/access.py",
    ):
        names = imported_modules(PACKAGE / module)
        assert not {n for n in names if n == "flask" or n.startswith("flask.")}, module


def test_a_search_runs_from_the_command_line_without_a_request(app):
    # an application context, as a CLI command has, and no request
    with app.app_context():
        page = searching.search_page(
            db.session(), search_app.archive_index(), search.SearchRequest(q="Aleppo")
        )
        # the caller names the permanent address a citation gives, as the web layer does
        narrator = narrator_pages.get_narrator(db.session(), "omar-al-halabi", Viewer(), _cite)
    hit = page["hits"][0]
    assert isinstance(hit["passage"]["url"], Ref)
    assert hit["passage"]["url"].kind == "testimony"
    assert hit["passage"]["url"].anchor == hit["passage"]["anchor"]
    assert narrator["url"] == Ref("narrator", "omar-al-halabi")
    assert narrator["testimonies"][0]["citation"].startswith("Omar al-Halabi, “")
    assert narrator["testimonies"][0]["citation"].endswith(", https://archive.example.org/t.")


def _cite(work: dict, anchor: str | None) -> dict:
    url = "https://archive.example.org/t"
    cited = citation.cite(
        work, url=url, accessed=dt.date(2026, 1, 1), archive="Testimony Archive", anchor=anchor
    )
    return {**cited, "url": url}


def test_the_views_turn_page_addresses_into_the_same_urls_as_before(client):
    body = client.get("/api/search?q=Aleppo").get_json()
    hit = body["hits"][0]
    testimony = hit["testimony"]["id"]
    assert hit["testimony"]["url"] == f"/testimonies/{testimony}"
    assert hit["passage"]["url"] == f"/testimonies/{testimony}#{hit['passage']['anchor']}"
    narrator = client.get("/api/narrators/omar-al-halabi").get_json()
    assert narrator["url"] == "/narrators/omar-al-halabi"
    html = client.get("/search?q=Aleppo").get_data(as_text=True)
    # a result opens its passage with the reader's query (its words marked there)
    assert f'href="/testimonies/{testimony}?q=Aleppo#{hit["passage"]["anchor"]}"' in html
    assert "Ref(" not in html
