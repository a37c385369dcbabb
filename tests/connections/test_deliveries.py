"""Deliveries to real HTTP servers on 127.0.0.1: sent after the write, never in it; a server
that answers 500 is retried with backoff until the delivery is dead; one that never answers
times out without holding up the write. Every attempt is in the log."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from standardwebhooks import Webhook

from common.models import OutboxMessage
from connections import deliveries
from connections.deliveries import send_due_deliveries
from connections.models import Channel, DeliveryAttempt, Notification, OutboundDelivery
from seams.handoffs import return_handoff, submit_handoff
from tests.connections.conftest import make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def handoff(seam, owner):
    return submit_handoff(seam=seam, title="Custom integration brief", by=owner)


def returned(handoff, by):
    return return_handoff(handoff=handoff, reason="No sample payload", by=by)


def test_it_delivers_a_signed_webhook_once_the_sweep_runs(handoff, owner, receiver):
    channel = make_channel(Channel.Kind.WEBHOOK, receiver.url)
    returned(handoff, owner)
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert delivery.status == OutboundDelivery.Status.PENDING
    assert receiver.received == []

    assert send_due_deliveries() >= 1

    [request] = receiver.received
    data = Webhook(channel.secret).verify(request.body, request.headers)
    assert data["type"] == "handoff.returned"
    assert data["data"]["seam"] == handoff.seam.slug
    assert (
        request.headers["webhook-id"]
        == f"msg_{delivery.pk}_" + request.headers["webhook-id"].split("_")[2]
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200
    assert attempt.error == ""
    assert attempt.next_attempt_at is None
    assert send_due_deliveries() == 0  # sent once
    assert len(receiver.received) == 1


def test_it_posts_block_kit_to_slack_and_a_card_to_teams(handoff, owner, receiver):
    make_channel(Channel.Kind.SLACK, receiver.url + "/slack")
    make_channel(Channel.Kind.TEAMS, receiver.url + "/teams")
    returned(handoff, owner)
    send_due_deliveries()
    bodies = {r.path: json.loads(r.body) for r in receiver.received}
    assert bodies["/hook/slack"]["blocks"][0]["type"] == "header"
    assert "Custom integration brief" in bodies["/hook/slack"]["text"]
    assert bodies["/hook/teams"]["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_the_person_it_concerns_gets_an_email_with_html(handoff, owner, receiver):
    returned(handoff, owner)
    delivery = OutboundDelivery.objects.get(person=owner)
    send_due_deliveries()
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Seamline: Returned: Custom integration brief"
    assert "No sample payload" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "Open in Seamline" in html
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_a_500_is_retried_with_backoff_until_the_delivery_is_dead(handoff, owner, failing_receiver):
    channel = make_channel(Channel.Kind.SLACK, failing_receiver.url)
    start = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        returned(handoff, owner)
        delivery = OutboundDelivery.objects.get(channel=channel)
        waits = []
        for _ in range(6):
            send_due_deliveries()
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                waits.append(delivery.next_attempt_at - datetime.now(UTC))
                clock.move_to(delivery.next_attempt_at - timedelta(seconds=1))
                assert send_due_deliveries() == 0  # not yet
                clock.move_to(delivery.next_attempt_at)
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
    ]
    assert delivery.status == OutboundDelivery.Status.DEAD
    assert delivery.attempts == 6
    assert len(failing_receiver.received) == 6
    attempts = list(delivery.attempt_log.all())
    assert [a.status_code for a in attempts] == [500] * 6
    assert all("answered 500" in a.error for a in attempts)
    assert attempts[-1].next_attempt_at is None


def test_a_write_does_not_wait_for_an_endpoint_that_never_answers(
    handoff, owner, owner_client, silent_receiver, monkeypatch
):
    channel = make_channel(Channel.Kind.WEBHOOK, silent_receiver.url)
    started = time.monotonic()
    response = owner_client.post(
        reverse("seams:handoff-move", args=[handoff.pk, "return"]),
        {"reason": "No sample payload", "missing_item": ""},
    )
    assert time.monotonic() - started < 1.0
    assert response.status_code == 302
    assert handoff.returns.count() == 1  # the write happened
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert delivery.status == "pending"
    assert silent_receiver.received == []

    monkeypatch.setattr(deliveries, "TIMEOUT", (3, 1))  # a shorter read timeout, same path
    send_due_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == OutboundDelivery.Status.FAILED
    assert "No answer within the timeout" in delivery.last_error
    assert delivery.next_attempt_at > datetime.now(UTC) + timedelta(seconds=50)
    assert len(silent_receiver.received) == 1


def test_with_a_broker_the_write_enqueues_the_send_through_the_outbox(
    handoff, owner, receiver, celery_eager, django_capture_on_commit_callbacks
):
    from config.celery import app

    make_channel(Channel.Kind.WEBHOOK, receiver.url)
    app.conf.task_always_eager = False
    try:
        with django_capture_on_commit_callbacks(execute=False):
            returned(handoff, owner)
    finally:
        app.conf.task_always_eager = True
    message = OutboxMessage.objects.get(task="connections.tasks.send_deliveries")
    ids = set(OutboundDelivery.objects.values_list("pk", flat=True))
    assert set(message.args[0]) == ids


def test_without_a_broker_nothing_is_sent_at_commit(
    handoff, owner, receiver, django_capture_on_commit_callbacks
):
    make_channel(Channel.Kind.WEBHOOK, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        returned(handoff, owner)
    assert receiver.received == []
    assert not OutboxMessage.objects.filter(task__startswith="connections").exists()


def test_a_private_address_is_refused_in_production(handoff, owner, receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = False
    channel = make_channel(Channel.Kind.WEBHOOK, receiver.url)
    returned(handoff, owner)
    send_due_deliveries()
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert delivery.status == "failed"
    assert "https" in delivery.last_error
    assert receiver.received == []


def test_a_sent_delivery_is_not_sent_again_by_a_second_worker(handoff, owner, receiver):
    channel = make_channel(Channel.Kind.WEBHOOK, receiver.url)
    returned(handoff, owner)
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert deliveries.send_delivery(delivery.pk) == "sent"
    assert deliveries.send_delivery(delivery.pk) is None
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
    assert Notification.objects.count() == 1


def test_in_the_demo_a_background_thread_sends_after_the_commit(
    handoff, owner, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_SEND_IN_THREAD = True
    started: list[list[int]] = []
    monkeypatch.setattr(deliveries, "_in_thread", started.append)
    make_channel(Channel.Kind.WEBHOOK, receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        returned(handoff, owner)
    assert started == []  # nothing inside the write's transaction
    for callback in callbacks:
        callback()
    assert started == [list(OutboundDelivery.objects.order_by("pk").values_list("pk", flat=True))]


def test_a_channel_turned_off_before_sending_gets_nothing(handoff, owner, receiver):
    channel = make_channel(Channel.Kind.SLACK, receiver.url)
    returned(handoff, owner)
    Channel.objects.filter(pk=channel.pk).update(active=False)
    send_due_deliveries()
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert (delivery.status, delivery.last_error) == ("dead", "The channel was turned off.")
    assert receiver.received == []


def test_an_address_that_became_private_is_refused_at_sending(handoff, owner, settings):
    channel = make_channel(Channel.Kind.WEBHOOK, "https://127.0.0.1:9/hook")
    settings.OUTBOUND_ALLOW_PRIVATE_URLS = False  # saved in development, sent in production
    returned(handoff, owner)
    send_due_deliveries()
    delivery = OutboundDelivery.objects.get(channel=channel)
    assert delivery.status == "failed"
    assert delivery.last_error == "The URL points at a private address (127.0.0.1)."
