"""One URL builder: the web layer (`web/views/urls.py`) makes every address; the services and the
formats name records (`refs.Ref`: a kind, an id or a slug, an anchor), never a Flask endpoint,
and never call `url_for`."""

from __future__ import annotations

import ast
from pathlib import Path

from oralhistory import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "oralhistory"
WEB = PACKAGE / "web"


def _outside_the_web_layer() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if WEB not in path.parents and path != PACKAGE / "__init__.py"
    ]


def _names(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.name.rsplit(".", 1)[-1])
    return found


def _strings(tree: ast.AST) -> set[str]:
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_nothing_outside_the_web_layer_calls_url_for():
    modules = _outside_the_web_layer()
    assert len(modules) > 30
    offenders = {
        str(path.relative_to(PROJECT_ROOT))
        for path in modules
        if "url_for" in _names(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert offenders == set()


def test_no_service_or_format_names_a_page_by_its_endpoint(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert "pages.testimony" in endpoints and "citations.passage" in endpoints
    offenders = {
        f"{path.relative_to(PROJECT_ROOT)}: {name}"
        for path in _outside_the_web_layer()
        for name in _strings(ast.parse(path.read_text(encoding="utf-8"))) & endpoints
    }
    assert offenders == set()


def test_the_public_address_is_made_into_addresses_in_one_place():
    # the start-up check (the app factory) and the Origin check (security) read the setting
    # too, but only the URL builder makes addresses of it
    readers = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "PUBLIC_URL" in _strings(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert readers == {"__init__.py", "web/security.py", "web/views/urls.py"}


def test_a_passage_found_by_a_search_links_to_its_page_in_the_testimony_and_its_own(client):
    body = client.get("/api/search?q=Aleppo").get_json()
    hit = body["hits"][0]
    testimony, anchor = hit["testimony"]["id"], hit["passage"]["anchor"]
    assert hit["passage"]["url"] == f"/testimonies/{testimony}#{anchor}"
    found = client.get(f"/api/testimonies/{testimony}").get_json()
    passage = next(p for p in found["passages"] if p["anchor"] == anchor)
    assert passage["url"] == f"/testimonies/{testimony}#{anchor}"
    assert passage["permalink"] == f"/testimonies/{testimony}/passages/{anchor}"
    assert found["narrator"]["url"] == f"/narrators/{found['narrator']['slug']}"
