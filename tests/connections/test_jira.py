"""Jira Cloud and Data Center admin webhooks, end to end through the real URL."""

import pytest

from connections.models import Delivery
from seams.models import Handoff
from tests.connections.senders import (
    body_of,
    fixture,
    jira_headers,
    make_source,
    post,
    written,
)


@pytest.fixture
def jira(seam):
    return make_source("jira", seam=seam)


def issue(category="new", status="To Do", **changes):
    payload = fixture("jira_issue_updated")
    payload["issue"]["fields"]["status"] = {
        "name": status,
        "statusCategory": {"key": category, "name": status},
    }
    return payload | changes


def test_it_takes_a_signed_delivery_through_its_life(jira, deliver):
    created = issue(webhookEvent="jira:issue_created")
    created.pop("changelog")
    response = deliver("jira", body_of(created), jira_headers(body_of(created)))
    assert response.status_code == 202
    handoff = Handoff.objects.get(source="jira", external_id="INT-42")
    assert (handoff.title, handoff.approval_type) == ("Acme SSO connector", "Integration")
    assert handoff.started_at is None

    steps = [("indeterminate", "In Progress"), ("done", "Done")]
    for number, (category, status) in enumerate(steps):
        payload = issue(category, status, timestamp=1763380800000 + number * 3_600_000)
        payload["changelog"]["id"] = f"2000{number}"
        assert deliver("jira", body_of(payload), jira_headers(body_of(payload))).status_code == 202
    handoff.refresh_from_db()
    assert handoff.started_at
    assert handoff.completed_at

    # Leaving done is a return: open again until done again.
    reopened = issue("indeterminate", "In Progress", timestamp=1763380800000 + 3 * 3_600_000)
    reopened["changelog"]["id"] = "20009"
    deliver("jira", body_of(reopened), jira_headers(body_of(reopened)))
    handoff.refresh_from_db()
    assert handoff.completed_at is None
    assert handoff.returned_count == 1
    assert handoff.returns.get().reason == "Reopened (In Progress)"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"applied"}
    assert Delivery.objects.filter(seam=jira.rules.get().seam).count() == 4


def test_it_refuses_a_wrong_signature_and_writes_nothing(jira, deliver):
    body = body_of(issue())
    before = written()
    response = deliver("jira", body, jira_headers(body, secret="not-the-secret"))
    assert response.status_code == 401
    assert "X-Hub-Signature" in response.json()["detail"]
    response = deliver("jira", body, {})
    assert response.status_code == 401
    assert written() == before


def test_a_replay_under_a_new_identifier_is_a_duplicate(jira, deliver):
    body = body_of(issue("indeterminate", "In Progress"))
    assert deliver("jira", body, jira_headers(body, identifier="1")).status_code == 202
    before = written()
    again = deliver("jira", body, jira_headers(body, identifier="2"))
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    same_id = deliver("jira", body_of(issue()), jira_headers(body_of(issue()), identifier="1"))
    assert same_id.json()["status"] == "duplicate"
    assert written() == before


def test_without_an_identifier_it_is_deduplicated_by_the_payload(jira, deliver):
    body = body_of(issue("indeterminate", "In Progress"))
    assert deliver("jira", body, jira_headers(body, identifier=False)).status_code == 202
    assert deliver("jira", body, jira_headers(body, identifier=False)).status_code == 200
    assert Delivery.objects.count() == 1


def test_named_statuses_replace_the_categories(seam, deliver):
    make_source("jira", seam=seam, started_statuses="Review", done_statuses="Shipped")
    payload = issue("indeterminate", "In Progress")
    deliver("jira", body_of(payload), jira_headers(body_of(payload)))
    assert Handoff.objects.get().started_at is None  # In Progress isn't named as started
    payload = issue("done", "Shipped", timestamp=1763380800000 + 60_000)
    payload["changelog"]["id"] = "30000"
    deliver("jira", body_of(payload), jira_headers(body_of(payload)))
    handoff = Handoff.objects.get()
    assert handoff.started_at
    assert handoff.completed_at


@pytest.mark.parametrize(
    "event", ["jira:issue_deleted", "comment_created", "jira:version_released"]
)
def test_an_irrelevant_event_is_answered_2xx_and_counted(jira, deliver, event):
    payload = {"webhookEvent": event, "timestamp": 1763380800000}
    response = deliver("jira", body_of(payload), jira_headers(body_of(payload)))
    assert (response.status_code, response.json()["status"]) == (200, "ignored")
    assert jira.counts()["irrelevant"] == 1
    assert not Handoff.objects.exists()


def test_a_delivery_is_stored_and_answered_before_it_is_applied(jira):
    body = body_of(issue())
    response = post("jira", body, jira_headers(body))  # no commit: the work hasn't run
    assert response.status_code == 202
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.event) == ("received", "jira:issue_updated")
    assert not Handoff.objects.exists()
