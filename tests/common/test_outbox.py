"""The outbox: work a write enqueues is kept with the write, and sent once the broker answers."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.urls import reverse
from kombu import pools

from common import outbox
from common.models import OutboxMessage
from config.celery import app as celery_app
from metrics.models import DataQualityReport
from metrics.tasks import check_data_quality

DEAD_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


@pytest.fixture
def broker(settings):
    """Point the Celery app at another broker for one test, then back."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager

    def use(url: str) -> None:
        conf.broker_url, conf.task_always_eager = url, False
        # Forget the connections to the previous broker, as a fork does.
        pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    yield use
    use(saved[0])
    conf.task_always_eager = saved[1]


@pytest.mark.django_db
def test_it_sends_the_work_when_the_write_commits_and_none_when_it_rolls_back(
    celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox.enqueue(check_data_quality)
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 1
    assert DataQualityReport.objects.count() == 1  # ran in-process: there is no broker

    def failing_write():
        with transaction.atomic():
            outbox.enqueue(check_data_quality)
            raise RuntimeError("the write fails")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_write()
    assert DataQualityReport.objects.count() == 1
    assert OutboxMessage.objects.count() == 1  # the rolled-back one left no message


@pytest.mark.django_db
def test_a_write_succeeds_while_the_broker_is_down_and_its_work_waits(
    leader_client, broker, django_capture_on_commit_callbacks
):
    broker(DEAD_BROKER)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(reverse("metrics:run-quality-check"))
    assert time.monotonic() - started < 3  # no request hangs on the broker
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert (message.task, message.sent_at, message.attempts) == (
        "metrics.tasks.check_data_quality",
        None,
        1,
    )
    assert "did not answer" in message.last_error
    assert outbox.relay() == 0  # still down: it keeps waiting
    assert outbox.waiting() == 1

    broker("memory://")  # the broker is back
    assert outbox.relay() == 1
    message.refresh_from_db()
    assert message.sent_at is not None
    assert outbox.waiting() == 0


@pytest.mark.django_db
def test_the_relay_stops_at_the_first_failure_and_keeps_the_order(broker):
    for _ in range(3):
        OutboxMessage.objects.create(task="metrics.tasks.check_data_quality")
    broker(DEAD_BROKER)
    assert outbox.relay() == 0
    assert list(OutboxMessage.objects.values_list("attempts", flat=True)) == [1, 0, 0]
    broker("memory://")
    assert outbox.relay(limit=2) == 2
    assert list(OutboxMessage.objects.values_list("sent_at", flat=True))[2] is None
    assert outbox.relay() == 1


@pytest.mark.django_db
def test_an_unknown_task_waits_with_its_reason_instead_of_failing_the_write(broker):
    broker("memory://")
    message = OutboxMessage.objects.create(task="nowhere.tasks.gone")
    assert outbox.send(message.pk) is False
    message.refresh_from_db()
    assert message.last_error == "No task named nowhere.tasks.gone."


@pytest.mark.celery_worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
@pytest.mark.django_db(transaction=True)
def test_work_kept_while_redis_was_down_runs_on_a_real_worker_once_it_is_back(
    leader_client, broker, django_db_blocker
):
    real = os.environ["REDIS_URL"]
    broker(DEAD_BROKER)
    response = leader_client.post(reverse("metrics:run-quality-check"))
    assert response.status_code == 302
    assert outbox.waiting() == 1
    assert not DataQualityReport.objects.exists()

    broker(real)
    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
    ):
        assert outbox.relay() == 1
        deadline = time.monotonic() + 30
        while not DataQualityReport.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert DataQualityReport.objects.count() == 1
    assert outbox.waiting() == 0


@pytest.mark.django_db
def test_beat_relays_every_minute_and_forgets_what_went_out_a_week_ago(broker, settings):
    from datetime import timedelta

    from django.utils import timezone

    from common.tasks import relay_outbox

    entry = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]
    assert entry["task"] == relay_outbox.name
    assert str(entry["schedule"]._orig_minute) == "*"
    old = OutboxMessage.objects.create(
        task="metrics.tasks.check_data_quality", sent_at=timezone.now() - timedelta(days=8)
    )
    OutboxMessage.objects.create(task="metrics.tasks.check_data_quality")
    broker("memory://")
    assert relay_outbox() == 1
    assert outbox.waiting() == 0
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
