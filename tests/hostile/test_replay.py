"""Replay: a captured signed delivery sent again (its body, timestamp and signature as
captured, under any delivery id) changes nothing. The idempotency key comes from what is
signed, not from the unsigned delivery id."""

import json
import time

import pytest
from auditlog.models import LogEntry
from django.test import Client, TestCase
from django.urls import reverse

from common.models import OutboxMessage
from connections.models import Delivery as WebhookDelivery
from seams.models import Handoff, HandoffReturn
from tests.hostile.webhook_client import (
    JIRA_CREATED_MS,
    generic_row,
    generic_source,
    jira_event,
    jira_source,
    post_hook,
    signed_headers,
)

# Deliveries are applied by a task through the outbox: run it here, even with a broker.
pytestmark = pytest.mark.usefixtures("celery_eager")


HOUR_MS = 3600 * 1000


@pytest.fixture
def generic(db):
    return generic_source()


@pytest.fixture
def jira(seam):
    return jira_source(seam)


def replay(
    source: str, body: bytes, *, timestamp: float | None = None, delivery: str = "", **headers
):
    """The attacker's resend: the captured body with its captured timestamp and signature (or,
    for Jira, whose key is the event in the payload, signed afresh), any delivery id."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _send(source, body, timestamp=timestamp, delivery=delivery, **headers)


def _send(source: str, body: bytes, *, timestamp, delivery, **headers):
    return Client().post(
        reverse("handoff-webhook", args=[source]),
        body,
        content_type="application/json",
        **signed_headers(body, timestamp=timestamp, delivery=delivery),
        **headers,
    )


def snapshot() -> dict:
    """Everything a delivery can change."""
    return {
        "handoffs": list(
            Handoff.objects.order_by("pk").values(
                "pk",
                "title",
                "started_at",
                "completed_at",
                "returned_count",
                "lead_hours",
                "updated_at",
            )
        ),
        "returns": list(HandoffReturn.objects.order_by("pk").values()),
        "audit": LogEntry.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "deliveries": WebhookDelivery.objects.count(),
    }


@pytest.mark.parametrize("new_id", ["d-2", ""], ids=["new delivery id", "no delivery id"])
def test_a_generic_delivery_replayed_under_a_new_id_changes_nothing(generic, seam, new_id):
    captured = json.dumps(generic_row(seam)).encode()
    signed_at = time.time() - 60
    first = _post_signed("ticketing", captured, timestamp=signed_at, delivery="d-1")
    assert first.status_code == 202
    assert Handoff.objects.count() == 1
    # The sender moves the handoff on; the captured (older) body must not move it back.
    newer = generic_row(seam, started_at="2026-11-16T10:00:00")
    assert post_hook("ticketing", newer, delivery="d-3").status_code == 202
    before = snapshot()

    response = replay("ticketing", captured, timestamp=signed_at, delivery=new_id)

    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert snapshot() == before
    assert Handoff.objects.get().started_at is not None


def test_the_sender_sending_an_earlier_state_again_later_is_taken(generic, seam):
    """A handoff that really went back (its tool cleared the start) is sent with the same body
    as before, but signed anew: a new event, not a replay."""
    earlier = json.dumps(generic_row(seam)).encode()
    _post_signed("ticketing", earlier, timestamp=time.time() - 120)
    post_hook("ticketing", generic_row(seam, started_at="2026-11-16T10:00:00"))
    assert Handoff.objects.get().started_at is not None
    response = _post_signed("ticketing", earlier, timestamp=time.time())
    assert response.status_code == 202
    assert Handoff.objects.get().started_at is None


def _post_signed(source: str, body: bytes, *, timestamp: float, delivery: str = ""):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _send(source, body, timestamp=timestamp, delivery=delivery)


def test_a_delivery_id_seen_before_is_a_duplicate_whatever_the_body(generic, seam):
    post_hook("ticketing", generic_row(seam), delivery="d-1")
    before = snapshot()
    response = post_hook("ticketing", generic_row(seam, title="Changed"), delivery="d-1")
    assert response.json() == {"status": "duplicate", "delivery": "d-1"}
    assert snapshot() == before


def test_a_jira_reopen_replayed_adds_no_second_return(jira):
    post_hook("jira", jira_event(), delivery="1")
    post_hook(
        "jira",
        jira_event(
            "jira:issue_updated",
            status_change=("To Do", "In Progress"),
            ts_ms=JIRA_CREATED_MS + HOUR_MS,
            changelog_id="1",
        ),
        delivery="2",
    )
    post_hook(
        "jira",
        jira_event(
            "jira:issue_updated",
            status_change=("In Progress", "Done"),
            ts_ms=JIRA_CREATED_MS + 2 * HOUR_MS,
            changelog_id="2",
        ),
        delivery="3",
    )
    reopen = json.dumps(
        jira_event(
            "jira:issue_updated",
            status_change=("Done", "In Progress"),
            ts_ms=JIRA_CREATED_MS + 3 * HOUR_MS,
            changelog_id="3",
        )
    ).encode()
    assert post_hook("jira", reopen, delivery="4").status_code == 202
    assert Handoff.objects.get().state == "started"
    assert Handoff.objects.get().returned_count == 1
    before = snapshot()

    for new_id in ("4-again", "", "5"):
        response = replay("jira", reopen, delivery=new_id)
        assert response.status_code == 200
        assert response.json()["status"] == "duplicate"
    response = replay("jira", reopen, HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER="atl-9")
    assert response.json()["status"] == "duplicate"

    assert snapshot() == before
    assert HandoffReturn.objects.count() == 1


def test_the_same_event_with_its_fields_reordered_is_still_the_same_event(jira):
    event = jira_event(status_change=("To Do", "In Progress"))
    post_hook("jira", event)
    before = snapshot()
    reordered = json.dumps(dict(reversed(list(event.items()))), indent=2).encode()
    assert replay("jira", reordered).json()["status"] == "duplicate"
    assert snapshot() == before


def test_a_second_real_reopen_is_a_new_event_and_counts(jira):
    def move(change, hours, changelog_id):
        return post_hook(
            "jira",
            jira_event(
                "jira:issue_updated",
                status_change=change,
                ts_ms=JIRA_CREATED_MS + hours * HOUR_MS,
                changelog_id=changelog_id,
            ),
        ).json()

    move(("To Do", "In Progress"), 1, "1")
    move(("In Progress", "Done"), 2, "2")
    move(("Done", "In Progress"), 3, "3")
    move(("In Progress", "Done"), 4, "4")
    assert move(("Done", "In Progress"), 5, "5")["status"] == "received"
    assert Handoff.objects.get().returned_count == 2


def test_a_refused_delivery_is_not_remembered_so_its_correction_is_taken(generic, seam):
    bad = generic_row(seam, title=["not", "text"])
    assert post_hook("ticketing", bad, delivery="d-1").status_code == 400
    assert not WebhookDelivery.objects.exists()
    response = post_hook("ticketing", generic_row(seam), delivery="d-1")
    assert response.status_code == 202
    assert Handoff.objects.get().title == "Acme SSO"
