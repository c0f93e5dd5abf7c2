"""How a testimony's context links look: confirmed ones plainly, unreviewed ones apart."""

from __future__ import annotations

import re
import shutil

from tests.archive_helpers import archivist_client
from tests.conftest import copy_database, make_app, sign_in
from tests.test_links import read_testimony


def passages_with_proposals(testimony: dict) -> int:
    return sum(
        any(link["status"] == "proposed" for link in p["links"]) for p in testimony["passages"]
    )


def test_readers_see_unreviewed_links_as_one_quiet_group_per_passage(client):
    asmar = read_testimony(client, "asmar-al-halabi")
    html = client.get(asmar["url"]).get_data(as_text=True)
    assert html.count("Possibly related, not yet reviewed") == passages_with_proposals(asmar) > 1
    assert 'class="badge proposed"' not in html
    assert "Why proposed" not in html and "<summary>Why" not in html


def test_archivists_still_see_each_links_reason_and_the_buttons(app, client):
    sign_in(app, client)
    asmar = read_testimony(client, "asmar-al-halabi")
    html = client.get(asmar["url"]).get_data(as_text=True)
    proposed = sum(link["status"] == "proposed" for p in asmar["passages"] for link in p["links"])
    assert html.count("<summary>Why proposed</summary>") == proposed
    assert html.count(">Confirm</button>") == proposed
    assert "Possibly related, not yet reviewed" not in html


def test_the_setting_hides_unreviewed_links_from_readers_but_not_archivists(
    built_archive, tmp_path, monkeypatch
):
    copy_database(built_archive, tmp_path)
    shutil.copytree(built_archive / "index", tmp_path / "index")
    monkeypatch.setenv("ORALHISTORY_SHOW_PROPOSED_LINKS", "false")
    app = make_app(tmp_path)
    reader = app.test_client()
    asmar = read_testimony(reader, "asmar-al-halabi")
    html = reader.get(asmar["url"]).get_data(as_text=True)
    assert "Possibly related" not in html
    unreviewed = {
        link["url"]
        for p in asmar["passages"]
        for link in p["links"]
        if link["status"] == "proposed"
    }
    assert unreviewed and not any(f'href="{url}"' in html for url in unreviewed)
    archivist = archivist_client(app)
    html = archivist.get(asmar["url"]).get_data(as_text=True)
    assert all(f'href="{url}"' in html for url in unreviewed)


def test_add_a_link_menu_starts_with_an_empty_choice_so_required_means_something(app):
    archivist = archivist_client(app)
    asmar = read_testimony(archivist, "asmar-al-halabi")
    html = archivist.get(asmar["url"]).get_data(as_text=True)
    menus = re.findall(
        r'<select id="target-p-\d+" name="target" required>\s*<option value="">', html
    )
    assert len(menus) == len(asmar["passages"])
