"""The history import pages: leaders and ops upload a CSV of decisions, escalations or
dependencies; a worker imports it and the page shows its progress, then the report."""

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from decisions.history_rows import COLUMNS
from decisions.models import Decision, Escalation, HistoryImport
from tests.decisions.conftest import LONDON

PAGES = {
    "decisions": "decisions:decision-import",
    "escalations": "decisions:escalation-import",
    "dependencies": "decisions:dependency-import",
}


@pytest.fixture(autouse=True)
def _media_and_clock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=LONDON), tick=True):
        yield


def as_csv(kind: str, *rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS[kind])
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMNS[kind]])
    return out.getvalue().encode()


def decision(**cells) -> dict:
    return {
        "seam": "custom-integration-intake",
        "question": "Scope Acme?",
        "decision_type": "Integration scope",
        "requested_by": "owner@example.com",
        "requested_at": "2026-11-20T16:00",
    } | cells


def upload(client, kind: str, content: bytes, mode="all", **extra):
    file = SimpleUploadedFile(f"{kind}.csv", content, content_type="text/csv")
    return client.post(reverse(PAGES[kind]), {"file": file, "mode": mode}, **extra)


def test_ops_uploads_decisions_and_reads_the_report(
    ops_client, seam, right, owner, django_capture_on_commit_callbacks, celery_eager
):
    content = as_csv("decisions", decision(), decision(question="Price?"))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, "decisions", content)
    job = HistoryImport.objects.get()
    assert response["Location"] == reverse("decisions:history-import-detail", args=[job.pk])
    assert (job.kind, job.status, job.created, job.rows_read, job.by.username) == (
        "decisions",
        "done",
        2,
        2,
        "ops",
    )
    page = ops_client.get(response["Location"]).content.decode()
    assert "Imported 2 new decisions: 0 imported before and left as they were, 0 rejected." in page
    assert "hx-get" not in page
    assert Decision.objects.count() == 2
    # The same file again adds nothing, and says so.
    with django_capture_on_commit_callbacks(execute=True):
        again = upload(ops_client, "decisions", content)
    page = ops_client.get(again["Location"]).content.decode()
    assert "2 row(s) were imported before and were left as they are." in page
    assert Decision.objects.count() == 2


def test_rejected_rows_are_listed_and_all_or_nothing_writes_nothing(
    leader_client, seam, django_capture_on_commit_callbacks, celery_eager
):
    content = as_csv(
        "escalations",
        {"seam": seam.slug, "summary": "ok", "cause": "other", "raised_at": "2026-11-02T10:00"},
        {"seam": "nope", "summary": "bad", "cause": "other", "raised_at": "2026-11-02T10:00"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(leader_client, "escalations", content)
    page = leader_client.get(response["Location"]).content.decode()
    assert "Nothing imported: 1 row(s) rejected." in page
    assert '<td class="num">3</td><td>seam: No seam “nope”.</td>' in page
    assert not Escalation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        upload(leader_client, "escalations", content, mode="partial")
    assert list(Escalation.objects.values_list("summary", flat=True)) == ["ok"]


def test_the_progress_card_polls_until_the_import_finishes(
    ops_client, seam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(ops_client, "decisions", as_csv("decisions", decision()))
    page = ops_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<section class="card" id="import-progress"')
    assert 'hx-trigger="load delay:1s"' in page
    assert "Queued" in page


def test_the_page_shows_the_workers_progress_from_the_cache(ops_client, seam, ops):
    job = HistoryImport.objects.create(
        kind="decisions",
        file=SimpleUploadedFile("d.csv", b"x" * 1000),
        filename="d.csv",
        size=1000,
        by=ops,
        status=HistoryImport.Status.RUNNING,
    )
    job.report_progress(400, 500)
    page = ops_client.get(reverse("decisions:history-import-detail", args=[job.pk]))
    html = page.content.decode()
    assert "400 rows read" in html
    assert 'value="50"' in html


def test_a_file_it_cant_read_is_reported_on_the_page(
    ops_client, seam, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, "dependencies", b"title,owner\nx,y\n")
    job = HistoryImport.objects.get()
    assert job.status == "rejected"
    assert job.message.startswith("Missing columns: consumer, provider")
    assert escape(job.message) in ops_client.get(response["Location"]).content.decode()


def test_a_file_over_the_limit_is_refused_before_it_is_stored(ops_client, settings):
    settings.HISTORY_IMPORT_MAX_BYTES = 100
    response = upload(ops_client, "decisions", b"x" * 500)
    assert response.status_code == 400
    assert "the limit is 0 MB" in response.content.decode()
    assert not HistoryImport.objects.exists()


def test_each_kind_has_its_page_and_columns(leader_client):
    for kind, name in PAGES.items():
        html = leader_client.get(reverse(name)).content.decode()
        assert f"Import {kind} from another tool" in html
        assert all(f"<code>{column}</code>" in html for column in COLUMNS[kind])
        assert 'aria-current="true">' + kind.capitalize() in html


@pytest.mark.parametrize("client_name", ["owner_client", "viewer_client"])
def test_only_leaders_and_ops_import(request, client_name, seam):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse(PAGES["decisions"])).status_code == 403
    response = upload(client, "decisions", as_csv("decisions", decision()))
    assert response.status_code == 403
    assert not HistoryImport.objects.exists()


def test_wrong_method_is_refused(ops_client, ops):
    job = HistoryImport.objects.create(
        kind="escalations", file=SimpleUploadedFile("e.csv", b"x"), filename="e.csv", size=1, by=ops
    )
    assert ops_client.delete(reverse(PAGES["escalations"])).status_code == 405
    url = reverse("decisions:history-import-detail", args=[job.pk])
    assert ops_client.post(url).status_code == 405


def test_the_worker_runs_a_job_once_and_an_unexpected_error_ends_it_refused(
    seam, right, ops, owner, monkeypatch
):
    import decisions.history_import as history_import

    def make(content: bytes) -> HistoryImport:
        return HistoryImport.objects.create(
            kind="decisions",
            file=SimpleUploadedFile("d.csv", content),
            filename="d.csv",
            size=len(content),
            by=ops,
        )

    job = make(as_csv("decisions", decision()))
    history_import.run_history_import(job.pk)
    history_import.run_history_import(job.pk)  # a retry of a finished job changes nothing
    job.refresh_from_db()
    assert (job.status, job.created, Decision.objects.count()) == ("done", 1, 1)

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(history_import, "import_history", broken)
    failed = make(as_csv("decisions", decision(question="Other?")))
    history_import.run_history_import(failed.pk)
    failed.refresh_from_db()
    assert failed.status == "rejected"
    assert failed.message.startswith("The import stopped on an unexpected error")
    assert Decision.objects.count() == 1
