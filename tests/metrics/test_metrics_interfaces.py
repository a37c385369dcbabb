"""The ways in to the metrics: the command, the API, the page with its recompute, the CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from contracts import catalogue
from metrics import engine
from metrics.models import MetricsRun, MonthlySeamMetrics
from seams.handoffs import submit_handoff
from tests.factories import SeamFactory

THIS_MONTH = engine.current_month()


@pytest.fixture
def computed(seam):
    submit_handoff(seam=seam, title="Brief", by=None, at=timezone.now() - dt.timedelta(hours=1))
    engine.compute([THIS_MONTH])
    return MonthlySeamMetrics.objects.get(seam=seam, month=THIS_MONTH)


def test_the_command_computes_one_month_or_all(seam):
    submit_handoff(seam=seam, title="Old", by=None, at=timezone.now() - dt.timedelta(days=70))
    out = StringIO()
    call_command("compute_metrics", stdout=out)
    assert "Computed 1 snapshot(s) for 1 month(s)" in out.getvalue()
    call_command("compute_metrics", "--all", stdout=out)
    assert MonthlySeamMetrics.objects.count() == len(engine.all_months()) >= 3
    assert sum(MonthlySeamMetrics.objects.values_list("submitted", flat=True)) == 1


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026/10", "written YYYY-MM"), ("2026-13", "no month"), ("2999-01", "hasn't started")],
)
def test_the_command_refuses_a_bad_month(db, month, message):
    with pytest.raises(CommandError, match=message):
        call_command("compute_metrics", "--month", month)


def test_the_api_returns_the_month_with_design_field_names(viewer_client, computed, seam):
    api_client = viewer_client
    body = api_client.get("/api/v1/metrics/", {"month": f"{THIS_MONTH:%Y-%m}"}).json()
    (row,) = body["results"]
    assert row["seam"] == seam.slug
    assert row["month"] == f"{THIS_MONTH:%Y-%m}"
    assert row["submitted"] == 1
    assert row["queue_time_p50_hours"] is None
    assert set(catalogue.FIELDS) | {"computed_at"} <= set(row)
    assert api_client.get("/api/v1/metrics/", {"seam": "nope"}).json()["count"] == 0
    bad = api_client.get("/api/v1/metrics/", {"month": "October"})
    assert bad.status_code == 400
    assert "YYYY-MM" in bad.json()["errors"]["month"][0]


def test_the_page_shows_the_month_with_values_and_no_data(viewer_client, computed, seam):
    # The page opens on the month under review; this month is one pick away.
    page = viewer_client.get(reverse("metrics:month"), {"month": f"{THIS_MONTH:%Y-%m}"})
    page = page.content.decode()
    assert f"Seam metrics · {THIS_MONTH:%B %Y}" in page
    assert seam.name in page
    assert 'title="No data this month">—' in page  # percentiles with nothing behind them
    assert "Recompute" not in page  # viewers don't trigger it


def test_a_month_without_snapshots_says_so_and_a_bad_month_is_a_400(leader_client):
    client = leader_client
    page = client.get(reverse("metrics:month")).content.decode()
    assert "No metrics for" in page
    assert "Recompute" in page
    bad = client.get(reverse("metrics:month"), {"month": "2026-99"})
    assert bad.status_code == 400
    assert "There is no month “2026-99”." in bad.content.decode()


def test_the_page_runs_a_bounded_number_of_queries(
    leader_client, seam, django_assert_max_num_queries
):
    for n in range(30):
        SeamFactory(name=f"Extra {n}")
    engine.compute([THIS_MONTH])
    client = leader_client
    with django_assert_max_num_queries(12):
        response = client.get(reverse("metrics:month"), {"month": f"{THIS_MONTH:%Y-%m}"})
    assert response.content.decode().count('<th scope="row">') == 31


def test_ops_recompute_from_the_page_and_watch_it_finish(
    ops_client, seam, django_capture_on_commit_callbacks, celery_eager
):
    submit_handoff(seam=seam, title="Brief", by=None, at=timezone.now() - dt.timedelta(hours=1))
    client = ops_client
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("metrics:recompute"), {"month": f"{THIS_MONTH:%Y-%m}"})
    assert response.status_code == 302
    run = MetricsRun.objects.get()
    assert run.finished_at is not None
    assert run.percent() == 100
    assert MonthlySeamMetrics.objects.get(seam=seam, month=THIS_MONTH).submitted == 1


def test_the_progress_card_polls_while_a_run_is_open(leader_client, seam, computed):
    run = MetricsRun.objects.create(months=[f"{THIS_MONTH:%Y-%m}"], seams=2)
    MonthlySeamMetrics.objects.update(computed_at=run.started_at + dt.timedelta(seconds=1))
    part = leader_client.get(
        reverse("metrics:month"), {"part": "run"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert part.lstrip().startswith('<section class="card" id="recompute"')
    assert "1 of 2 seam-months" in part
    assert 'value="50"' in part
    assert 'hx-trigger="load delay:1s"' in part


def test_viewers_cannot_recompute(viewer_client):
    assert viewer_client.post(reverse("metrics:recompute")).status_code == 403


def test_the_csv_export_has_the_month_and_escapes_formulas(viewer_client, computed, seam):
    seam.slug = "=cmd"
    seam.save()
    response = viewer_client.get(reverse("metrics:export"), {"month": f"{THIS_MONTH:%Y-%m}"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["seam", "month", "submitted"]
    assert rows[1][0] == "'=cmd"
    assert rows[1][2] == "1"
    assert viewer_client.get(reverse("metrics:export"), {"month": "x"}).status_code == 400


def test_rag_status_thresholds():
    from contracts.models import MetricTarget

    target = MetricTarget(metric="queue_time_p85_hours", target=Decimal(10), tolerance_pct=20)
    assert [engine.rag_status(v, target) for v in (10, 12, Decimal("12.01"), None)] == [
        "green",
        "amber",
        "red",
        None,
    ]
    higher = MetricTarget(metric="throughput", target=Decimal(10), direction="higher")
    assert [engine.rag_status(v, higher) for v in (10, 8, 7)] == ["green", "amber", "red"]
