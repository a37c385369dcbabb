import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seams.models import Handoff, HandoffImport

HEADER = "seam,external_id,title,approval_type,submitted_at,started_at,completed_at,returned_count"
GOOD = "custom-integration-intake,J-{n},Acme,standard,2026-11-13T16:00:00,2026-11-16T10:00:00,,0"


pytestmark = pytest.mark.usefixtures("csv_path")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, content: str, mode="all", **extra):
    file = SimpleUploadedFile("handoffs.csv", content.encode(), content_type="text/csv")
    return client.post(
        reverse("seams:handoff-import"), {"file": file, "source": "csv", "mode": mode}, **extra
    )


def test_ops_uploads_a_file_and_the_worker_imports_it_with_a_summary(
    ops_client, seam, django_capture_on_commit_callbacks, celery_eager
):
    content = "\n".join([HEADER, GOOD.format(n=1), GOOD.format(n=2)])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, content)
    job = HandoffImport.objects.get()
    assert response["Location"] == reverse("seams:handoff-import-detail", args=[job.pk])
    assert (job.status, job.created, job.rows_read) == ("done", 2, 2)
    page = ops_client.get(response["Location"]).content.decode()
    assert "Imported 2 handoffs: 2 new, 0 updated, 0 rejected." in page  # plural
    assert "hx-get" not in page  # finished: no more polling
    assert Handoff.objects.filter(source="csv").count() == 2


def test_the_progress_card_polls_until_the_import_finishes(
    ops_client, seam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(ops_client, "\n".join([HEADER, GOOD.format(n=1)]))
    page = ops_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<section class="card" id="import-progress"')
    assert 'hx-trigger="load delay:1s"' in page
    assert "Queued" in page


def test_the_page_shows_the_workers_progress_while_the_import_transaction_is_open(
    ops_client, seam, django_capture_on_commit_callbacks, celery_eager, monkeypatch
):
    """The import writes in one transaction, invisible to other connections until it ends, so
    progress goes through the cache: the page must show it while the row says nothing yet."""
    import seams.csv_import as csv_import

    seen = []
    content = "\n".join([HEADER, *(GOOD.format(n=n) for n in range(1, 5))])
    real_import = csv_import.import_csv

    def import_and_look(stream, **kwargs):
        kwargs["progress"](3)  # as a chunk ends: 3 rows read, the stream part-way in
        job = HandoffImport.objects.get()
        page = ops_client.get(
            reverse("seams:handoff-import-detail", args=[job.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        seen.append((job.rows_read, "3 rows read" in page, "Importing" in page))
        return real_import(stream, **kwargs)

    monkeypatch.setattr(csv_import, "import_csv", import_and_look)
    with django_capture_on_commit_callbacks(execute=True):
        upload(ops_client, content)
    assert seen == [(0, True, True)]
    job = HandoffImport.objects.get()
    assert (job.status, job.rows_read, job.percent) == ("done", 4, 100)


def test_rejected_rows_are_listed_and_nothing_is_written(
    ops_client, seam, django_capture_on_commit_callbacks, celery_eager
):
    content = "\n".join(
        [HEADER, GOOD.format(n=1), GOOD.format(n=2).replace("custom-integration-intake", "nope")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, content)
    page = ops_client.get(response["Location"]).content.decode()
    assert "Nothing imported: 1 row(s) rejected" in page
    assert "No seam “nope”." in page
    assert not Handoff.objects.exists()


def test_a_file_it_cant_read_is_reported_on_the_page(
    ops_client, seam, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(ops_client, "seam,title\nx,y\n")
    assert "Missing columns: external_id" in ops_client.get(response["Location"]).content.decode()


def test_a_file_over_the_limit_is_refused_before_it_is_stored(ops_client, settings):
    settings.HANDOFF_IMPORT_MAX_BYTES = 50
    response = upload(ops_client, HEADER + "\n" + GOOD.format(n=1))
    assert response.status_code == 400
    assert "the limit is 0 MB" in response.content.decode()
    assert not HandoffImport.objects.exists()


@pytest.mark.parametrize("client_name", ["owner_client", "viewer_client"])
def test_only_leaders_and_ops_import(request, client_name, seam):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("seams:handoff-import")).status_code == 403
    assert upload(client, HEADER + "\n" + GOOD.format(n=1)).status_code == 403
    assert not HandoffImport.objects.exists()
