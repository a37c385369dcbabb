"""The metrics fan-out on a real worker with Redis: one task per seam and month, a chord that
closes the run, and a second run that leaves identical snapshots."""

import datetime as dt
import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app as celery_app
from metrics.models import MetricsRun, MonthlySeamMetrics
from metrics.tasks import compute_metrics
from seams.handoffs import submit_handoff
from tests.factories import SeamFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
]


def snapshots() -> list[dict]:
    # The current month's oldest open item is aged at "now", which moves between two runs
    # (in working hours); everything else must come out the same.
    return [
        {k: v for k, v in row.items() if k not in ("id", "computed_at", "oldest_open_age_hours")}
        for row in MonthlySeamMetrics.objects.order_by("seam_id", "month").values()
    ]


@pytest.mark.django_db(transaction=True)
def test_the_fan_out_runs_on_a_real_worker_and_twice_gives_the_same(django_db_blocker):
    assert not celery_app.conf.task_always_eager
    seams = [SeamFactory(name=f"Seam {n}") for n in range(3)]
    # A day ago, but in this month even on its 1st, so that this month counts it on any date.
    month_start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate().replace(day=1), dt.time())
    )
    at = max(timezone.now() - dt.timedelta(days=1), month_start)
    for seam in seams:
        submit_handoff(seam=seam, title="Brief", by=None, at=at)
    month = f"{timezone.localdate():%Y-%m}"
    previous = f"{timezone.localdate().replace(day=1) - dt.timedelta(days=1):%Y-%m}"

    def run_once() -> MetricsRun:
        run = MetricsRun.objects.create(months=[previous, month], seams=len(seams))
        compute_metrics.delay(run.months, run_id=run.pk).get(timeout=30)
        for _ in range(150):  # the chord's callback closes the run
            run.refresh_from_db()
            if run.finished_at:
                return run
            time.sleep(0.2)
        raise AssertionError("the run never finished")

    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
    ):
        first_run = run_once()
        first = snapshots()
        second_run = run_once()
    assert len(first) == 6  # 3 seams × 2 months
    assert [s["submitted"] for s in first if s["month"].strftime("%Y-%m") == month] == [1, 1, 1]
    assert snapshots() == first
    assert (first_run.done(), second_run.percent()) == (6, 100)
