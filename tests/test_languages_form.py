"""The archivist adds or corrects a testimony's text in another language from its form: the
same pairing check as a file, a clear message naming the paragraph, and a revision."""

from __future__ import annotations

from sqlalchemy import select

from oralhistory.record.models import Revision, Testimony
from oralhistory.web import db
from tests.archive_helpers import archivist_client, submit
from tests.conftest import TESTIMONY, run_cli
from tests.language_fixtures import ARABIC, ENGLISH


def _english_only(app, tmp_path) -> int:
    """An English original of three passages, held in no other language yet."""
    path = tmp_path / "english-only.md"
    path.write_text(
        TESTIMONY.format(slug="english-only", text="\n\n".join(ENGLISH)), encoding="utf-8"
    )
    assert run_cli(app, "import", str(path)).exit_code == 0
    with app.app_context():
        return db.session().scalar(select(Testimony.id).where(Testimony.slug == "english-only"))


def test_an_archivist_adds_a_translation_and_corrects_it_with_revisions(app, tmp_path):
    testimony_id = _english_only(app, tmp_path)
    client = archivist_client(app)
    edit = client.get(f"/archive/testimonies/{testimony_id}/edit").get_data(as_text=True)
    address = f"/archive/testimonies/{testimony_id}/texts"
    assert f'href="{address}"' in edit
    form = {
        "language": "ar",
        "kind": "translation",
        "translator": "Invented Translator",
        "text": "\n\n".join(ARABIC),
    }
    response = submit(client, address, form)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/testimonies/{testimony_id}?text=ar")
    found = client.get(f"/api/testimonies/{testimony_id}").get_json()
    assert found["languages"][1] == {
        "code": "ar",
        "kind": "translation",
        "translator": "Invented Translator",
    }
    assert found["passages"][2]["texts"]["ar"] == ARABIC[2]
    # corrected: the form opens with the text as it stands
    page = client.get(address, query_string={"language": "ar"}).get_data(as_text=True)
    assert ARABIC[1] in page
    corrected = [ARABIC[0], "حملنا الإبريق الأخضر عندما غادرنا الحي.", ARABIC[2]]
    response = submit(
        client, address, {**form, "text": "\n\n".join(corrected)}, f"{address}?language=ar"
    )
    assert response.status_code == 303
    with app.app_context():
        summaries = (
            db.session()
            .scalars(
                select(Revision.summary)
                .where(Revision.testimony_id == testimony_id)
                .order_by(Revision.id)
            )
            .all()
        )
    assert summaries[-2:] == ["Added the text in ar", "Corrected the text in ar"]
    history = client.get(f"/archive/testimonies/{testimony_id}/history").get_data(as_text=True)
    assert "الأخضر" in history
    # and search follows at once
    hits = client.get("/api/search", query_string={"q": "الأخضر"}).get_json()["hits"]
    assert [(h["testimony"]["id"], h["language"]) for h in hits] == [(testimony_id, "ar")]


def test_a_text_that_does_not_pair_comes_back_as_typed_naming_the_paragraph(app, tmp_path):
    testimony_id = _english_only(app, tmp_path)
    client = archivist_client(app)
    address = f"/archive/testimonies/{testimony_id}/texts"
    typed = "\n\n".join(ARABIC[:2])
    response = submit(client, address, {"language": "ar", "kind": "translation", "text": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "passage 3 of the testimony (‘My grandmother counted the pigeons" in page
    assert ARABIC[1] in page  # nothing typed is lost
    response = submit(client, address, {"language": "english", "kind": "draft", "text": typed})
    page = response.get_data(as_text=True)
    assert "must be a language tag (BCP 47)" in page
    assert "Say whether the text is the original or a translation." in page
    with app.app_context():
        testimony = db.session().get(Testimony, testimony_id)
        assert testimony.other_languages == []


def test_the_text_form_is_for_archivists_only(app, tmp_path):
    testimony_id = _english_only(app, tmp_path)
    response = app.test_client().get(f"/archive/testimonies/{testimony_id}/texts")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
