"""The engine names no collection: the home page says who published and who interviewed from
the record, and the templates and the catalogue name none of the first collection's people or
places."""

from __future__ import annotations

from pathlib import Path

import yaml

from oralhistory import PROJECT_ROOT
from tests.conftest import TESTIMONY, make_app, run_cli


def _empty_archive(tmp_path: Path):
    app = make_app(tmp_path)
    result = run_cli(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    return app


def _import(app, tmp_path: Path, slug: str, publisher: str, interviewers: list[str], **kw):
    body = TESTIMONY.format(slug=slug, text="We walked to the school every morning.")
    body = body.replace("test-narrator", f"{slug}-narrator")
    body = body.replace("publisher: Test", f"publisher: {publisher}")
    body = body.replace("interviewers: [Someone]", f"interviewers: [{', '.join(interviewers)}]")
    body = body.replace("access: public", f"access: {kw.get('access', 'public')}")
    path = tmp_path / f"{slug}.md"
    path.write_text(body, encoding="utf-8")
    return path


def _home(app) -> str:
    return app.test_client().get("/").get_data(as_text=True)


def test_the_home_page_names_the_publisher_and_interviewers_its_testimonies_record(tmp_path):
    app = _empty_archive(tmp_path)
    paths = [
        _import(app, tmp_path, "river-1", "Riverside Oral History", ["Dana Levin", "Sami Haddad"]),
        _import(app, tmp_path, "river-2", "Riverside Oral History", ["Dana Levin"]),
    ]
    assert run_cli(app, "import", *map(str, paths)).exit_code == 0
    html = _home(app)
    assert "Riverside Oral History" in html
    assert html.index("Dana Levin") < html.index("Sami Haddad")  # the most frequent first
    assert "Syria Direct" not in html and "Alaa Nassar" not in html


def test_a_restricted_testimonys_publisher_and_interviewer_stay_off_the_home_page(tmp_path):
    app = _empty_archive(tmp_path)
    paths = [
        _import(app, tmp_path, "open-1", "Open Press", ["Dana Levin"]),
        _import(app, tmp_path, "closed-1", "Closed Press", ["Hidden Person"], access="restricted"),
    ]
    assert run_cli(app, "import", *map(str, paths)).exit_code == 0
    html = _home(app)
    assert "Open Press" in html and "Dana Levin" in html
    assert "Closed Press" not in html and "Hidden Person" not in html


def test_many_publishers_are_listed_five_and_the_rest_counted_in_both_languages(tmp_path):
    app = _empty_archive(tmp_path)
    paths = [_import(app, tmp_path, f"p-{n}", f"Press {n}", ["Dana Levin"]) for n in range(7)]
    assert run_cli(app, "import", *map(str, paths)).exit_code == 0
    html = _home(app)
    assert "and 2 others" in html
    assert sum(f"Press {n}" in html for n in range(7)) == 5
    arabic = app.test_client().get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "نشرها" in arabic and "and 2 others" not in arabic


def test_an_empty_archive_names_no_publisher_and_offers_no_example_search(tmp_path):
    html = _home(_empty_archive(tmp_path))
    assert "Published by" not in html and "Interviews by" not in html
    assert "Syria Direct" not in html
    assert 'id="home-q-example"' not in html and "aria-describedby" not in html


def test_the_home_page_offers_example_searches_from_the_collections_own_names(client):
    html = client.get("/").get_data(as_text=True)
    example = html.split('id="home-q-example">', 1)[1].split("</p>", 1)[0]
    # a place of the timeline in both scripts, and a narrator listed on the page
    assert 'lang="ar"' in example and "Asmar al-Halabi" in example


def _first_collection_names() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT_ROOT / "transcripts" / "testimonies").glob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        names.add(front["narrator"]["name"])
        names.update(front["interviewers"])
        names.add(front["citation"]["publisher"])
    timeline = yaml.safe_load((PROJECT_ROOT / "transcripts" / "timeline.yaml").read_text())
    # the places that are the collection's own (the cities and quarters it speaks of)
    for place in timeline["places"]:
        if place.get("kind") not in ("country", "governorate", "region"):
            names.add(place["name"])
    return names


def test_the_templates_and_the_catalogue_name_none_of_the_first_collections_people_or_places():
    files = [
        *sorted((PROJECT_ROOT / "templates").rglob("*.html")),
        *sorted((PROJECT_ROOT / "static").rglob("*.js")),
        PROJECT_ROOT / "oralhistory/translations/ar/LC_MESSAGES/messages.po",
        PROJECT_ROOT / "oralhistory/search/querylang.py",
    ]
    names = _first_collection_names()
    assert len(names) > 10  # the collection was really read
    found = {
        (path.relative_to(PROJECT_ROOT).as_posix(), name)
        for path in files
        for name in names
        if name in path.read_text(encoding="utf-8")
    }
    assert not found
