"""GitHub issues and pull requests, end to end through the real URL."""

import pytest

from connections.models import Delivery
from seams.models import Handoff
from tests.connections.senders import body_of, fixture, github_headers, make_source, written


@pytest.fixture
def github(seam):
    return make_source("github", seam=seam)


def send_issue(deliver, **changes):
    payload = fixture("github_issues_opened")
    action = changes.pop("action", "opened")
    payload["action"] = action
    payload["issue"].update(changes)
    body = body_of(payload)
    return deliver("github", body, github_headers(body))


def test_an_issue_is_submitted_started_completed_and_reopened(github, deliver):
    assert send_issue(deliver).status_code == 202
    handoff = Handoff.objects.get(source="github", external_id="Codertocat/Hello-World#1")
    assert handoff.title == "Spelling error in the README file"
    assert handoff.started_at is None

    send_issue(
        deliver,
        action="assigned",
        assignees=[{"login": "Codertocat"}],
        updated_at="2025-11-16T10:00:00Z",
    )
    handoff.refresh_from_db()
    assert handoff.started_at is not None
    send_issue(
        deliver,
        action="closed",
        state="closed",
        state_reason="completed",
        assignees=[{"login": "Codertocat"}],
        closed_at="2025-11-17T10:00:00Z",
        updated_at="2025-11-17T10:00:00Z",
    )
    handoff.refresh_from_db()
    assert handoff.completed_at is not None
    send_issue(deliver, action="reopened", updated_at="2025-11-18T10:00:00Z")
    handoff.refresh_from_db()
    assert handoff.completed_at is None
    assert handoff.returned_count == 1


def test_a_merged_pull_request_is_completed(github, deliver):
    payload = fixture("github_pull_request_closed")
    body = body_of(payload)
    assert deliver("github", body, github_headers(body, event="pull_request")).status_code == 202
    handoff = Handoff.objects.get(external_id="Codertocat/Hello-World#2")
    assert handoff.approval_type == "Pull request"
    assert handoff.completed_at is not None


def test_an_issue_closed_as_not_planned_changes_nothing(github, deliver):
    send_issue(deliver, action="closed", state="closed", state_reason="not_planned")
    assert not Handoff.objects.exists()
    assert Delivery.objects.get().status == "applied"


def test_ping_and_other_events_are_answered_2xx_and_counted(github, deliver):
    for event, name in [("ping", "github_ping"), ("push", "github_ping"), ("star", "github_ping")]:
        body = body_of(fixture(name))
        response = deliver("github", body, github_headers(body, event=event))
        assert (response.status_code, response.json()["status"]) == (200, "ignored")
    assert github.counts()["irrelevant"] == 3
    assert not Handoff.objects.exists()


def test_a_wrong_signature_or_none_is_refused(github, deliver):
    body = body_of(fixture("github_issues_opened"))
    before = written()
    assert deliver("github", body, github_headers(body, secret="wrong")).status_code == 401
    headers = github_headers(body)
    headers["HTTP_X_HUB_SIGNATURE_256"] = headers["HTTP_X_HUB_SIGNATURE_256"].replace(
        "sha256=", "sha1="
    )
    assert deliver("github", body, headers).status_code == 401
    assert deliver("github", body, {"HTTP_X_GITHUB_EVENT": "issues"}).status_code == 401
    assert written() == before


def test_a_replay_or_a_redelivery_changes_nothing(github, deliver):
    body = body_of(fixture("github_issues_opened"))
    assert deliver("github", body, github_headers(body, delivery="a")).status_code == 202
    before = written()
    # The same signed body under a new delivery id, and GitHub's redelivery of the same id.
    assert deliver("github", body, github_headers(body, delivery="b")).json()["status"] == (
        "duplicate"
    )
    other = body_of(fixture("github_issues_opened") | {"action": "edited"})
    assert deliver("github", other, github_headers(other, delivery="a")).json()["status"] == (
        "duplicate"
    )
    assert written() == before
