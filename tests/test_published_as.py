""" "Published as" is stored as the archivist gave it, never copied from the title: a title a
testimony had in its restricted days never reaches a reader once it is made public under
another.

Real app, real database and index, the real forms, the Flask test client.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as xml_escape

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import delete, select

from oralhistory.record.models import ChangeLog, Revision, Testimony
from oralhistory.web import db
from tests.archive_helpers import (
    form_for_testimony,
    saved_testimony_id,
    submit,
)
from tests.conftest import run_cli
from tests.test_archivists import edit_form
from tests.test_export import crawl

EARLY_TITLE = "Kept back under the working title Quince"
PUBLIC_TITLE = "The last convoy from the old city"


def _made_public_under_a_new_title(archivist) -> int:
    """A testimony stored restricted with "Published as" left empty, then made public with
    another title; its id."""
    form = form_for_testimony(title=EARLY_TITLE, access="restricted", source_title="")
    testimony_id = saved_testimony_id(submit(archivist, "/archive/testimonies/new", form))
    form = edit_form(archivist, testimony_id)
    form.update(title=PUBLIC_TITLE, access="public")
    response = submit(archivist, f"/archive/testimonies/{testimony_id}/edit", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return testimony_id


def _addresses(testimony_id: int, narrator: str) -> list[str]:
    """Every anonymous address that speaks of the testimony, in every format."""
    base, api = f"/testimonies/{testimony_id}", f"/api/testimonies/{testimony_id}"
    identifier = f"oai:localhost:testimonies/{testimony_id}"
    cited = [base, f"{base}/passages/p-1"]
    return [
        base,
        api,
        f"{base}/export.txt",
        f"{base}/export.json",
        f"{base}/revisions/2",
        f"{api}/revisions/2",
        f"{api}/passages/p-1",
        *(f"{page}/cite" for page in cited),
        *(f"{page}/citation.{kind}" for page in cited for kind in ("json", "ris", "bib")),
        f"/narrators/{narrator}",
        f"/api/narrators/{narrator}",
        "/narrators",
        "/api/narrators",
        "/search?q=convoy",
        "/api/search?q=convoy",
        "/search.csv?q=convoy",
        f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}",
        "/oai?verb=ListRecords&metadataPrefix=oai_dc",
        "/sitemap.xml",
    ]


def test_a_title_from_restricted_days_reaches_no_reader_once_public_under_another(app, archivist):
    testimony_id = _made_public_under_a_new_title(archivist)
    reader = app.test_client()
    narrator = reader.get(f"/api/testimonies/{testimony_id}").get_json()["narrator"]["slug"]
    for url in _addresses(testimony_id, narrator):
        response = reader.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert EARLY_TITLE not in body and "Quince" not in body, url
    # the whole public site, as a crawler would find it
    leaking = [url for url, (_s, _t, body) in crawl(app).items() if "Quince" in body]
    assert leaking == []


def test_citations_name_the_current_title_where_published_as_is_empty(app, archivist):
    testimony_id = _made_public_under_a_new_title(archivist)
    assert edit_form(archivist, testimony_id)["source_title"] == ""  # as given: nothing
    reader = app.test_client()
    page = reader.get(f"/testimonies/{testimony_id}").get_data(as_text=True)
    assert f"“{PUBLIC_TITLE}”" in page  # "Published as" shows the title as it is now
    testimony = reader.get(f"/api/testimonies/{testimony_id}").get_json()
    assert "title" not in testimony["citation"]  # stored as given: nothing
    csl = reader.get(f"/testimonies/{testimony_id}/citation.json").get_json()
    assert csl[0]["title"] == PUBLIC_TITLE and "container-title" not in csl[0]
    oai = reader.get(
        "/oai?verb=GetRecord&metadataPrefix=oai_dc"
        f"&identifier=oai:localhost:testimonies/{testimony_id}"
    ).get_data(as_text=True)
    # dc:source: the testimony's citation as its page gives it, naming the title now
    cited = testimony["citation_text"]
    assert "“The Last Convoy from the Old City,”" in cited
    # (less the day of access: a harvested record does not change from day to day)
    undated = re.sub(r",? accessed [A-Z][a-z]+ \d{1,2}, \d{4}", "", cited)
    assert f"<dc:source>{xml_escape(undated)}</dc:source>" in oai


def test_published_as_given_is_kept_through_a_change_of_title(app, archivist):
    form = form_for_testimony(title=EARLY_TITLE, source_title="Voices from the last convoy")
    testimony_id = saved_testimony_id(submit(archivist, "/archive/testimonies/new", form))
    form = edit_form(archivist, testimony_id)
    assert form["source_title"] == "Voices from the last convoy"
    form.update(title=PUBLIC_TITLE)
    assert submit(archivist, f"/archive/testimonies/{testimony_id}/edit", form).status_code == 302
    csl = app.test_client().get(f"/testimonies/{testimony_id}/citation.json").get_json()
    assert csl[0]["title"] == PUBLIC_TITLE
    assert csl[0]["container-title"] == "Voices from the last convoy"
    with app.app_context():
        stored = db.session().scalar(select(Testimony).where(Testimony.id == testimony_id))
        assert stored.citation["title"] == "Voices from the last convoy"


def _as_the_old_form_stored_it(app, testimony_id: int) -> None:
    """Put back what the form stored before: the first title copied into "Published as" in
    the testimony and in each of its revisions."""
    with app.app_context():
        session = db.session()
        stored = session.get(Testimony, testimony_id)
        stored.citation = {**stored.citation, "title": EARLY_TITLE}
        for revision in session.scalars(
            select(Revision).where(Revision.testimony_id == testimony_id)
        ):
            snapshot = revision.snapshot
            revision.snapshot = {
                **snapshot,
                "citation": {**snapshot["citation"], "title": EARLY_TITLE},
            }
        session.commit()


def test_the_upgrade_clears_titles_the_old_form_copied_and_keeps_imported_ones(app, archivist):
    testimony_id = _made_public_under_a_new_title(archivist)
    _as_the_old_form_stored_it(app, testimony_id)
    reader = app.test_client()
    assert "Quince" in reader.get(f"/testimonies/{testimony_id}/cite").get_data(as_text=True)
    with app.app_context():
        imported = {t.slug: dict(t.citation) for t in db.session().scalars(select(Testimony))}
        config_revision = ScriptDirectory.from_config(db.alembic_config(None)).get_revision("0008")
        with db.engine().begin() as connection:
            # an archive of revision 0007 never held the change kinds of later versions (the
            # CHECK constraints of the migrations on the way would refuse them)
            connection.execute(delete(ChangeLog).where(ChangeLog.kind.in_(["names", "collection"])))
            command.stamp(db.alembic_config(connection), config_revision.down_revision)
    result = run_cli(app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    for url in _addresses(testimony_id, "layla-haddad"):
        assert "Quince" not in reader.get(url).get_data(as_text=True), url
    archivist_view = archivist.get(f"/api/testimonies/{testimony_id}/revisions/1").get_json()
    assert "title" not in archivist_view["citation"]
    with app.app_context():
        after = {t.slug: dict(t.citation) for t in db.session().scalars(select(Testimony))}
    assert "title" not in after.pop(next(s for s in after if after[s] != imported[s]))
    assert {slug: imported[slug] for slug in after} == after  # imported values kept
