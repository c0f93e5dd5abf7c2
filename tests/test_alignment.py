"""Automatic alignment of a transcript to its recording, in English and Arabic: `flask align`
in the foreground, the background job through the archivist's pages (queue, progress,
accept), a job cut off by a restart running again, and plain words when no aligner is
installed.

The recordings are invented and synthetic (`tests.spoken_fixtures`: espeak-ng speaks made-up
sentences, sox joins them with pauses of known length, ffmpeg encodes), made once per run in
a temporary folder, so that the true start of every passage is known.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from oralhistory.record import revisions
from oralhistory.record.alignment_record import AlignmentJob
from oralhistory.record.models import Revision, Testimony
from oralhistory.web import db
from tests.archive_helpers import archivist_client, csrf_token
from tests.conftest import make_app, run_cli
from tests.spoken_fixtures import ARABIC, ENGLISH, require_tools, speak, write_spoken_testimony

TOLERANCE = 1.0  # seconds: the tests' bound; the benchmark measures the real error


@pytest.fixture(scope="session")
def spoken(tmp_path_factory) -> dict:
    """The invented English and Arabic testimony files, each beside its synthetic recording,
    with the true start of each passage."""
    require_tools()
    folder = tmp_path_factory.mktemp("spoken")
    found = {}
    for language, sentences in (("en", ENGLISH), ("ar", ARABIC)):
        recording = speak(folder, sentences, language, name=f"invented-{language}")
        found[language] = {
            "folder": folder,
            "recording": recording,
            "slug": f"invented-speech-{language}",
            "sentences": sentences,
        }
        write_spoken_testimony(
            folder, found[language]["slug"], language, sentences, recording.path.name
        )
    write_spoken_testimony(
        folder,
        "invented-restricted",
        "en",
        ENGLISH,
        found["en"]["recording"].path.name,
        access="restricted",
    )
    return found


def imported(app, spoken: dict, language: str, slug: str | None = None) -> int:
    slug = slug or spoken[language]["slug"]
    result = run_cli(app, "import", str(spoken[language]["folder"] / f"{slug}.md"))
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session().scalar(select(Testimony.id).where(Testimony.slug == slug))


def latest_job(app, testimony_id: int) -> AlignmentJob:
    with app.app_context():
        return db.session().scalar(
            select(AlignmentJob)
            .where(AlignmentJob.testimony_id == testimony_id)
            .order_by(AlignmentJob.id.desc())
        )


def assert_near_truth(starts: dict[str, float], truth: list[float]) -> None:
    assert len(starts) == len(truth)
    for number, true_start in enumerate(truth, 1):
        found = starts[f"p-{number}"]
        assert abs(found - true_start) <= TOLERANCE, (number, found, true_start, starts)


# --- the foreground command -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_flask_align_finds_where_each_passage_starts_in_english_and_arabic(app, spoken, language):
    testimony_id = imported(app, spoken, language)
    result = run_cli(app, "align", spoken[language]["slug"])
    assert result.exit_code == 0, result.output
    for number in range(1, len(spoken[language]["sentences"]) + 1):
        assert f"p-{number}" in result.output
    assert "Proposed only" in result.output
    job = latest_job(app, testimony_id)
    assert job.state == "done" and job.progress == 1.0
    starts = {row["anchor"]: row["start"] for row in job.result}
    assert_near_truth(starts, spoken[language]["recording"].starts)


def test_flask_align_accept_stores_the_times_as_aligned_with_a_revision(app, client, spoken):
    testimony_id = imported(app, spoken, "en")
    result = run_cli(app, "align", str(testimony_id), "--accept")
    assert result.exit_code == 0, result.output
    assert "stored, as aligned" in result.output
    passages = client.get(f"/api/testimonies/{testimony_id}").get_json()["passages"]
    assert {p["timing"] for p in passages} == {"aligned"}
    starts = {p["anchor"]: p["start"] for p in passages}
    assert_near_truth(starts, spoken["en"]["recording"].starts)


def test_flask_align_says_plainly_what_is_wrong_with_the_testimony_asked_for(app, spoken):
    unknown = run_cli(app, "align", "no-such-testimony")
    assert unknown.exit_code == 1
    assert "There is no testimony with the number or slug 'no-such-testimony'" in unknown.output
    assert "Traceback" not in unknown.output
    without = run_cli(app, "align", "1")
    assert without.exit_code == 1
    assert "has no recording: there is nothing to align to" in without.output


# --- in the background, through the archivist's pages -----------------------------------------


def test_importing_a_recording_without_times_queues_its_alignment(app, spoken):
    testimony_id = imported(app, spoken, "ar")
    job = latest_job(app, testimony_id)
    assert job.state == "queued" and job.requested_by == revisions.IMPORT_AUTHOR
    assert job.anchors == [f"p-{n}" for n in range(1, len(ARABIC) + 1)]


def test_the_archivist_aligns_sees_the_progress_and_accepts_the_times(app, spoken):
    testimony_id = imported(app, spoken, "en")
    client = archivist_client(app)
    edit = f"/archive/testimonies/{testimony_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Align the transcript to the recording" in page
    queued = client.post(
        f"/archive/testimonies/{testimony_id}/alignment",
        data={"csrf_token": csrf_token(client, edit)},
    )
    assert queued.status_code == 303
    status = client.get(f"/archive/testimonies/{testimony_id}/alignment.json").get_json()
    assert status["available"] is True
    assert status["job"]["state"] == "queued" and status["job"]["progress"] == 0
    assert client.get(queued.location).status_code == 200

    # the worker, a process of its own beside the web server's
    worker = run_cli(app, "align-worker", "--until-idle")
    assert worker.exit_code == 0, worker.output
    status = client.get(f"/archive/testimonies/{testimony_id}/alignment.json").get_json()
    assert status["job"]["state"] == "done" and status["job"]["progress"] == 1
    proposed = {p["anchor"]: p["proposed_start"] for p in status["job"]["passages"]}
    assert_near_truth(proposed, spoken["en"]["recording"].starts)
    page = client.get(f"/archive/testimonies/{testimony_id}/alignment").get_data(as_text=True)
    assert "Proposed start" in page and "Accept these times" in page

    # nothing reaches the passages before the archivist accepts
    api = f"/api/testimonies/{testimony_id}"
    assert {p["timing"] for p in client.get(api).get_json()["passages"]} == {None}
    accepted = client.post(
        f"/archive/alignments/{status['job']['id']}/accept",
        data={"csrf_token": csrf_token(client, f"/archive/testimonies/{testimony_id}/alignment")},
    )
    assert accepted.status_code == 302
    passages = app.test_client().get(api).get_json()["passages"]
    assert {p["timing"] for p in passages} == {"aligned"}
    assert_near_truth({p["anchor"]: p["start"] for p in passages}, spoken["en"]["recording"].starts)
    with app.app_context():
        summaries = (
            db.session()
            .scalars(select(Revision.summary).where(Revision.testimony_id == testimony_id))
            .all()
        )
    assert any(s.startswith("Times aligned automatically") for s in summaries)
    # accepted once: a second time is refused plainly
    again = client.post(
        f"/archive/alignments/{status['job']['id']}/accept",
        data={"csrf_token": csrf_token(client, edit)},
        follow_redirects=True,
    )
    assert "accepted already" in again.get_data(as_text=True)


def test_only_the_passages_whose_words_changed_are_realigned(app, spoken):
    testimony_id = imported(app, spoken, "en")
    assert run_cli(app, "align", spoken["en"]["slug"], "--accept").exit_code == 0
    with app.app_context():
        session = db.session()
        testimony = session.get(Testimony, testimony_id)
        testimony.passages[2].timing_stale = True
        session.commit()
    client = archivist_client(app)
    edit = f"/archive/testimonies/{testimony_id}/edit"
    client.post(
        f"/archive/testimonies/{testimony_id}/alignment",
        data={"csrf_token": csrf_token(client, edit)},
    )
    assert latest_job(app, testimony_id).anchors == ["p-3"]


def wait_until_finished(app, testimony_id: int) -> AlignmentJob:
    """The job once the worker thread has finished it (a wait, not a timed assertion)."""
    for _ in range(600):
        job = latest_job(app, testimony_id)
        if job.state in ("done", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"the job is still {job.state}")


def test_a_job_cut_off_by_a_restart_runs_again_when_the_server_starts(app, tmp_path, spoken):
    testimony_id = imported(app, spoken, "ar")
    job = latest_job(app, testimony_id)
    # the worker that held it died ten minutes ago, half-way
    with app.app_context():
        session = db.session()
        long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
        session.execute(
            update(AlignmentJob)
            .where(AlignmentJob.id == job.id)
            .values(state="running", progress=0.2, attempts=1, heartbeat_at=long_ago)
        )
        session.commit()
    restarted = make_app(tmp_path, ALIGN_WORKER="thread")
    finished = wait_until_finished(restarted, testimony_id)
    from oralhistory.web.views.alignment import stop_worker

    stop_worker(restarted)
    assert finished.id == job.id and finished.state == "done"
    assert finished.attempts == 2
    starts = {row["anchor"]: row["start"] for row in finished.result}
    assert_near_truth(starts, spoken["ar"]["recording"].starts)


# --- who may see it, and without an aligner ----------------------------------------------------


def test_anonymous_readers_never_see_a_restricted_testimonys_alignment(app, client, spoken):
    testimony_id = imported(app, spoken, "en", slug="invented-restricted")
    for path in (
        f"/archive/testimonies/{testimony_id}/alignment",
        f"/archive/testimonies/{testimony_id}/alignment.json",
    ):
        response = client.get(path)
        assert response.status_code in (302, 401), path
        body = response.get_data(as_text=True)
        assert "orchard" not in body and "invented-restricted" not in body
    refused = client.post(f"/archive/testimonies/{testimony_id}/alignment")
    assert refused.status_code in (302, 400)
    assert latest_job(app, testimony_id).state == "queued"  # only the import's job


def test_without_an_aligner_the_page_and_the_command_say_how_to_install_it(
    app, spoken, monkeypatch, tmp_path
):
    testimony_id = imported(app, spoken, "en")
    # a server without ffmpeg: a PATH that holds everything else the tests need
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("espeak-ng", "sox"):
        (bare / tool).symlink_to(shutil.which(tool))
    monkeypatch.setenv("PATH", str(bare))
    client = archivist_client(app)
    edit = f"/archive/testimonies/{testimony_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Automatic alignment is not available on this server (missing: ffmpeg" in page
    assert "pip install &#39;.[align]&#39;" in page
    assert "Align the transcript to the recording</button>" not in page
    response = client.post(
        f"/archive/testimonies/{testimony_id}/alignment",
        data={"csrf_token": csrf_token(client, edit)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "not available on this server" in response.get_data(as_text=True)
    status = client.get(f"/archive/testimonies/{testimony_id}/alignment.json").get_json()
    assert status["available"] is False and "apt-get install" in status["problem"]
    result = run_cli(app, "align", spoken["en"]["slug"])
    assert result.exit_code == 1
    assert "not available on this server" in result.output and "Traceback" not in result.output
    assert Path(spoken["en"]["folder"]).exists()


def test_a_proposal_for_a_recording_since_replaced_cannot_be_accepted(app, spoken):
    testimony_id = imported(app, spoken, "en")
    assert run_cli(app, "align", spoken["en"]["slug"]).exit_code == 0
    client = archivist_client(app)
    edit = f"/archive/testimonies/{testimony_id}/edit"
    other = spoken["ar"]["recording"].path
    replaced = client.post(
        f"/archive/testimonies/{testimony_id}/recording",
        data={"csrf_token": csrf_token(client, edit), "recording": (other.open("rb"), other.name)},
        content_type="multipart/form-data",
    )
    assert replaced.status_code in (302, 303)
    job = latest_job(app, testimony_id)
    refused = client.post(
        f"/archive/alignments/{job.id}/accept",
        data={"csrf_token": csrf_token(client, edit)},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    assert "The recording changed since this alignment ran" in refused.get_data(as_text=True)
    passages = client.get(f"/api/testimonies/{testimony_id}").get_json()["passages"]
    assert {p["timing"] for p in passages} == {None}


def test_an_arabic_archivist_reads_the_alignment_in_arabic(app, spoken):
    testimony_id = imported(app, spoken, "ar")
    assert run_cli(app, "align", spoken["ar"]["slug"]).exit_code == 0
    client = archivist_client(app)
    arabic = {"Accept-Language": "ar"}
    edit = client.get(f"/archive/testimonies/{testimony_id}/edit", headers=arabic)
    assert "حاذِ النص مع التسجيل" in edit.get_data(as_text=True)
    page = client.get(f"/archive/testimonies/{testimony_id}/alignment", headers=arabic)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'dir="rtl"' in text
    assert "البداية المقترحة" in text and "اقبل هذه الأوقات" in text


def test_two_archivists_accepting_one_alignment_at_once_make_one_revision(app, spoken):
    """A double click without JavaScript, or two archivists at once: both read the job as not
    accepted yet, and only the first acceptance is kept."""
    testimony_id = imported(app, spoken, "en")
    assert run_cli(app, "align", spoken["en"]["slug"]).exit_code == 0
    job_id = latest_job(app, testimony_id).id
    factory = app.extensions["oralhistory.sessionmaker"]
    from oralhistory.services import align_jobs

    with app.app_context(), factory() as first, factory() as second:
        seen = [session.get(AlignmentJob, job_id) for session in (first, second)]
        assert [job.accepted_at for job in seen] == [None, None]
        assert align_jobs.accept(first, job_id, "first") is not None
        with pytest.raises(align_jobs.AlignmentRefused, match="accepted already"):
            align_jobs.accept(second, job_id, "second")
    with app.app_context():
        summaries = (
            db.session()
            .scalars(select(Revision.summary).where(Revision.testimony_id == testimony_id))
            .all()
        )
    assert sum(s.startswith("Times aligned automatically") for s in summaries) == 1


def test_a_job_no_worker_has_taken_for_long_says_whom_to_ask(app, spoken):
    """A server whose worker is off (and no `flask align-worker` beside it): the job would wait
    for its turn for ever; after a while the page says what is wrong."""
    testimony_id = imported(app, spoken, "en")
    client = archivist_client(app)
    page = f"/archive/testimonies/{testimony_id}/alignment"
    hint = "No worker has taken it yet"
    assert hint not in client.get(page).get_data(as_text=True)  # just queued: no alarm
    with app.app_context():
        session = db.session()
        long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
        session.execute(update(AlignmentJob).values(created_at=long_ago, updated_at=long_ago))
        session.commit()
    said = client.get(page).get_data(as_text=True)
    assert hint in said and "flask align-worker" in said
    status = client.get(f"/archive/testimonies/{testimony_id}/alignment.json").get_json()
    assert hint in status["job"]["said"]


def test_the_current_times_source_is_said_in_arabic_on_an_arabic_page(app, spoken):
    testimony_id = imported(app, spoken, "ar")
    assert run_cli(app, "align", spoken["ar"]["slug"], "--accept").exit_code == 0
    assert run_cli(app, "align", spoken["ar"]["slug"]).exit_code == 0
    client = archivist_client(app)
    page = client.get(
        f"/archive/testimonies/{testimony_id}/alignment", headers={"Accept-Language": "ar"}
    ).get_data(as_text=True)
    assert "(aligned)" not in page and "(مُحاذى آليًا)" in page


def test_a_script_that_creates_the_app_starts_no_alignment_worker(tmp_path):
    # a benchmark or a backup script makes the app for itself: no thread should take jobs
    # (or meet a database with no tables yet); servers start theirs (`wsgi.py`, `flask run`)
    script = (
        "import threading\n"
        "from oralhistory import create_app\n"
        "create_app()\n"
        "print(sorted(t.name for t in threading.enumerate()))\n"
    )
    env = {
        **os.environ,
        "ORALHISTORY_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "ORALHISTORY_INDEX_DIR": str(tmp_path / "index"),
        "ORALHISTORY_MEDIA_DIR": str(tmp_path / "media"),
        "ORALHISTORY_SECRET_KEY": "invented",
    }
    env.pop("ORALHISTORY_ALIGN_WORKER", None)
    ran = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert "align-worker" not in ran.stdout
