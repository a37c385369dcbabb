"""Linear issues, end to end through the real URL, with the 60-second timestamp window."""

import time

import pytest
import time_machine

from seams.models import Handoff
from tests.connections.senders import (
    body_of,
    fixture,
    linear_headers,
    make_source,
    now_ms,
    written,
)


@pytest.fixture
def linear(seam):
    return make_source("linear", seam=seam)


def event(state_type="started", name="In Progress", *, stamp=None, **data):
    payload = fixture("linear_issue_update")
    payload["data"]["state"] |= {"type": state_type, "name": name}
    payload["data"] |= data
    payload["webhookTimestamp"] = now_ms() if stamp is None else stamp
    return payload


def test_an_issue_is_started_completed_and_reopened(linear, deliver):
    created = event("unstarted", "Todo", action="create")
    response = deliver("linear", body_of(created), linear_headers(body_of(created)))
    assert response.status_code == 202
    handoff = Handoff.objects.get(source="linear", external_id="ENG-123")
    assert handoff.started_at is None
    for state, name, at in [
        ("started", "In Progress", "2025-11-17T12:00:00.000Z"),
        ("completed", "Done", "2025-11-18T12:00:00.000Z"),
    ]:
        payload = event(state, name, updatedAt=at)
        deliver("linear", body_of(payload), linear_headers(body_of(payload)))
    handoff.refresh_from_db()
    assert handoff.started_at
    assert handoff.completed_at
    reopened = event("started", "In Progress", updatedAt="2025-11-19T12:00:00.000Z")
    deliver("linear", body_of(reopened), linear_headers(body_of(reopened)))
    handoff.refresh_from_db()
    assert handoff.completed_at is None
    assert handoff.returned_count == 1


def test_an_expired_or_future_timestamp_is_refused(linear, deliver):
    before = written()
    for stamp in (now_ms() - 61_000, now_ms() + 61_000):
        body = body_of(event(stamp=stamp))
        response = deliver("linear", body, linear_headers(body))
        assert response.status_code == 401
        assert "60 seconds" in response.json()["detail"]
    assert written() == before


def test_a_delivery_signed_a_minute_ago_expires_with_the_clock(linear, deliver):
    body = body_of(event())
    with time_machine.travel(time.time() + 61, tick=False):
        assert deliver("linear", body, linear_headers(body)).status_code == 401
    assert deliver("linear", body, linear_headers(body)).status_code == 202


def test_a_wrong_signature_and_a_replay(linear, deliver):
    body = body_of(event())
    assert deliver("linear", body, linear_headers(body, secret="wrong")).status_code == 401
    assert deliver("linear", body, {}).status_code == 401
    assert deliver("linear", body, linear_headers(body)).status_code == 202
    before = written()
    replay = deliver("linear", body, linear_headers(body))  # a new Linear-Delivery
    assert replay.json()["status"] == "duplicate"
    assert written() == before


def test_other_types_and_removed_issues_are_ignored_and_counted(linear, deliver):
    for changes in [{"type": "Comment"}, {"type": "Project"}, {"action": "remove"}]:
        body = body_of(event() | changes)
        response = deliver("linear", body, linear_headers(body))
        assert (response.status_code, response.json()["status"]) == (200, "ignored")
    assert linear.counts()["irrelevant"] == 3
    assert not Handoff.objects.exists()


def test_a_cancelled_issue_changes_nothing(linear, deliver):
    body = body_of(event("canceled", "Canceled"))
    deliver("linear", body, linear_headers(body))
    assert not Handoff.objects.exists()
