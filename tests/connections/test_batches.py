"""A burst is applied in batches: one delivery's task applies the others waiting from its source,
in order, each in a savepoint; and an answer never waits for a batch being applied."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections

from common import outbox
from connections import inbound
from connections.inbound import process_delivery
from connections.models import Delivery
from seams.models import Handoff
from tests.connections.senders import body_of, fixture, jira_headers, make_source, post


def issue(category: str, status: str, *, at: int, key: str = "INT-42", change: str = "1"):
    payload = fixture("jira_issue_updated")
    payload["issue"]["key"] = key
    payload["issue"]["id"] = str(abs(hash(key)) % 10**6)
    payload["issue"]["fields"]["status"] = {
        "name": status,
        "statusCategory": {"key": category, "name": status},
    }
    payload["timestamp"] = at
    payload["changelog"]["id"] = change
    return payload


def receive(slug: str, payload: dict) -> Delivery:
    """Stored and answered, not applied (no commit here, so the outbox hasn't sent it)."""
    body = body_of(payload)
    assert post(slug, body, jira_headers(body)).status_code == 202
    return Delivery.objects.latest("pk")


HOUR = 3_600_000
START = 1_763_380_800_000  # 2025-11-17 12:00 UTC


@pytest.fixture
def jira(seam):
    return make_source("jira", seam=seam)


def test_one_task_applies_the_waiting_deliveries_of_its_source_in_order(jira, seam):
    other = make_source("jira", slug="other-jira", seam=seam)
    created = receive("jira", issue("new", "To Do", at=START, change="1"))
    started = receive("jira", issue("indeterminate", "In Progress", at=START + HOUR, change="2"))
    done = receive("jira", issue("done", "Done", at=START + 2 * HOUR, change="3"))
    elsewhere = receive("other-jira", issue("new", "To Do", at=START, key="OPS-1"))

    assert process_delivery(created.pk) == "applied"

    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in (created, started, done)] == ["applied"] * 3
    assert statuses[elsewhere.pk] == "received"  # another source's: its own task takes it
    handoff = Handoff.objects.get(source="jira", external_id="INT-42")
    # Applied in the order received: started, then completed, an hour apart.
    assert handoff.completed_at - handoff.started_at == timedelta(hours=1)
    # The tasks of the deliveries the batch took find nothing left to do.
    assert process_delivery(started.pk) == "done"
    assert process_delivery(done.pk) == "done"
    assert Delivery.objects.get(pk=elsewhere.pk).status == "received"
    assert other.deliveries.get().pk == elsewhere.pk


def test_a_bad_delivery_in_a_batch_is_recorded_and_the_others_still_apply(jira):
    first = receive("jira", issue("new", "To Do", at=START, key="INT-1"))
    broken = receive("jira", issue("new", "To Do", at=START, key="INT-2"))
    unreadable = {"webhookEvent": "jira:issue_updated", "issue": {"id": "7", "key": "INT-2"}}
    Delivery.objects.filter(pk=broken.pk).update(body=body_of(unreadable).decode())
    last = receive("jira", issue("new", "To Do", at=START, key="INT-3"))

    process_delivery(first.pk)

    rows = {d.pk: d for d in Delivery.objects.all()}
    assert (rows[first.pk].status, rows[last.pk].status) == ("applied", "applied")
    assert rows[broken.pk].status == "failed"
    assert rows[broken.pk].error
    assert rows[broken.pk].body  # kept, to see why
    assert sorted(Handoff.objects.values_list("external_id", flat=True)) == ["INT-1", "INT-3"]


def test_a_batch_takes_at_most_its_size(jira, monkeypatch):
    monkeypatch.setattr(inbound, "BATCH", 2)
    taken = [receive("jira", issue("new", "To Do", at=START, key=f"INT-{n}")) for n in range(3)]
    process_delivery(taken[0].pk)
    statuses = [Delivery.objects.get(pk=d.pk).status for d in taken]
    assert statuses == ["applied", "applied", "received"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_an_answer_does_not_wait_for_a_batch_being_applied(seam, monkeypatch):
    """The batch locks its deliveries, not their source: a new delivery's insert checks the
    source's row (its foreign key), and must not queue behind the batch's transaction."""
    make_source("jira", seam=seam)
    # Stored, not sent: without a broker the outbox would apply each delivery in-process.
    monkeypatch.setattr(outbox, "_publish", lambda message: True)
    waiting = receive("jira", issue("new", "To Do", at=START, key="INT-1"))
    inside, release = threading.Event(), threading.Event()
    real = inbound._process

    def slow(delivery, context):
        inside.set()
        release.wait(10)
        real(delivery, context)

    monkeypatch.setattr(inbound, "_process", slow)
    results = []

    def apply():
        try:
            results.append(process_delivery(waiting.pk))
        finally:
            connections.close_all()

    worker = threading.Thread(target=apply)
    worker.start()
    try:
        assert inside.wait(10), "the batch never started"
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        began = time.monotonic()
        body = body_of(issue("new", "To Do", at=START, key="INT-2"))
        response = post("jira", body, jira_headers(body))
        took = time.monotonic() - began
    finally:
        release.set()
        worker.join(20)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert response.status_code == 202
    assert took < 2
    assert results == ["applied"]
    assert Delivery.objects.filter(status="received").count() == 1  # the new one, unapplied
