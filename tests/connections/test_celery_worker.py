"""With a Redis broker and a real Celery worker: a write returns at once, and the worker
delivers its notifications to a real HTTP server on 127.0.0.1."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.urls import reverse
from standardwebhooks import Webhook

from config.celery import app as celery_app
from connections.models import Channel, OutboundDelivery
from seams.handoffs import submit_handoff
from tests.connections.conftest import make_channel

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
]


def wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_what_a_write_notified(
    seam, owner, owner_client, receiver, silent_receiver, django_db_blocker
):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database locks tables across threads")
    assert not celery_app.conf.task_always_eager
    channel = make_channel(Channel.Kind.WEBHOOK, receiver.url)
    make_channel(Channel.Kind.SLACK, silent_receiver.url)  # never answers
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner)

    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
    ):
        started = time.monotonic()
        response = owner_client.post(
            reverse("seams:handoff-move", args=[handoff.pk, "return"]),
            {"reason": "No sample payload", "missing_item": ""},
        )
        assert time.monotonic() - started < 2.0  # the write does not wait for any endpoint
        assert response.status_code == 302
        assert wait_for(lambda: len(receiver.received) == 1)
        delivery = OutboundDelivery.objects.get(channel=channel)
        assert wait_for(lambda: OutboundDelivery.objects.get(pk=delivery.pk).status == "sent")

    data = Webhook(channel.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert data["type"] == "handoff.returned"
    assert silent_receiver.received  # tried too; it times out and is retried by the sweep
