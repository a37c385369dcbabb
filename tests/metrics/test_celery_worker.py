"""The nightly task end to end: Redis broker, a real worker, the database it writes to."""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from metrics.models import DataQualityReport
from metrics.tasks import check_data_quality
from tests.factories import TeamFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
]


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_data_quality_check_on_a_real_worker(django_db_blocker):
    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url.startswith("redis://")
    TeamFactory(name="Orphans")

    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
    ):
        report_id = check_data_quality.delay().get(timeout=30)

    report = DataQualityReport.objects.get(pk=report_id)
    assert report.teams_checked == 1
    assert {f["code"] for f in report.findings} == {"team-without-owner", "team-without-leader"}
