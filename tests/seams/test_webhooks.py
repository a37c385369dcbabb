import json
import time

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from seams.models import Handoff, WebhookSource
from seams.webhooks import signature

SECRET = "s3cret-shared-with-the-tool"


@pytest.fixture
def generic(db):
    return WebhookSource.objects.create(slug="ticketing", name="Ticketing", secret=SECRET)


@pytest.fixture
def jira(seam):
    return WebhookSource.objects.create(
        slug="jira",
        name="Jira",
        kind="jira",
        secret=SECRET,
        seam=seam,
        started_statuses="In Progress, In Review",
        done_statuses="Done",
    )


def post(source, payload, *, delivery="", secret=SECRET, timestamp=None, sign=True):
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    timestamp = str(int(timestamp if timestamp is not None else time.time()))
    headers = {}
    if sign:
        headers = {
            "HTTP_X_SEAMLINE_TIMESTAMP": timestamp,
            "HTTP_X_SEAMLINE_SIGNATURE": signature(secret, timestamp, body),
        }
    if delivery:
        headers["HTTP_X_SEAMLINE_DELIVERY"] = delivery
    return APIClient().post(
        reverse("handoff-webhook", args=[source]), body, content_type="application/json", **headers
    )


def generic_row(the_seam, **changes):
    return {
        "seam": the_seam.slug,
        "external_id": "T-1",
        "title": "Acme SSO",
        "submitted_at": "2026-11-13T16:00:00",
    } | changes


def test_a_webhook_delivered_five_times_gives_one_row(generic, seam):
    for attempt in range(5):
        response = post("ticketing", generic_row(seam), delivery=f"d-{attempt % 2}")
        assert response.status_code == 200
    assert Handoff.objects.filter(source="ticketing", external_id="T-1").count() == 1
    assert post("ticketing", generic_row(seam), delivery="d-0").json()["status"] == "duplicate"


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"secret": "wrong"}, 401, "does not match"),
        ({"sign": False}, 401, "Sign the request"),
        ({"seconds_off": -301}, 401, "replay"),
        ({"seconds_off": 400}, 401, "more than 5 minutes off"),
    ],
)
def test_unsigned_wrongly_signed_or_replayed_deliveries_are_refused(
    generic, seam, kwargs, status, message
):
    if "seconds_off" in kwargs:  # from now, not from when the tests were collected
        kwargs = {"timestamp": time.time() + kwargs["seconds_off"]}
    response = post("ticketing", generic_row(seam), **kwargs)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert not Handoff.objects.exists()


def test_an_unknown_source_and_a_body_that_is_not_json(generic):
    assert post("nope", {}).status_code == 404
    response = post("ticketing", b"{not json")
    assert response.status_code == 400
    assert "not JSON" in response.json()["detail"]
    response = post("ticketing", b"\x89not json")
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["detail"]


def test_a_bad_row_is_reported_and_good_ones_kept(generic, seam):
    body = post(
        "ticketing", [generic_row(seam), generic_row(seam, external_id="T-2", seam="ghost")]
    ).json()
    assert body["created"] == 1
    assert body["errors"][0]["index"] == 1


def jira_event(event, *, status_change=None, ts_ms=1763380800000):  # 17 Nov 2026 12:00 UTC
    payload = {
        "webhookEvent": event,
        "timestamp": ts_ms,
        "issue": {
            "key": "INT-42",
            "fields": {
                "summary": "Acme SSO connector",
                "created": "2026-11-16T09:30:00.000+0000",
                "issuetype": {"name": "Integration"},
            },
        },
    }
    if status_change:
        payload["changelog"] = {
            "items": [
                {"field": "status", "fromString": status_change[0], "toString": status_change[1]}
            ]
        }
    return payload


def test_jira_issues_follow_the_status_mapping(jira):
    post("jira", jira_event("jira:issue_created"), delivery="1")
    handoff = Handoff.objects.get(source="jira", external_id="INT-42")
    assert (handoff.state, handoff.approval_type) == ("submitted", "Integration")
    assert handoff.submitted_at.isoformat() == "2026-11-16T09:30:00+00:00"

    post(
        "jira",
        jira_event("jira:issue_updated", status_change=("To Do", "In Progress")),
        delivery="2",
    )
    post(
        "jira",
        jira_event("jira:issue_updated", status_change=("In Review", "Done"), ts_ms=1763470800000),
        delivery="3",
    )
    handoff.refresh_from_db()
    assert handoff.state == "completed"
    assert handoff.queue_hours is not None

    post(
        "jira",
        jira_event(
            "jira:issue_updated", status_change=("Done", "In Progress"), ts_ms=1763474400000
        ),
        delivery="4",
    )
    handoff.refresh_from_db()
    assert (handoff.state, handoff.returned_count) == ("started", 1)
    assert "Reopened in Jira" in handoff.returns.get().reason

    again = post(
        "jira",
        jira_event("jira:issue_updated", status_change=("Done", "In Progress")),
        delivery="4",
    )
    assert again.json()["status"] == "duplicate"
    assert Handoff.objects.get(pk=handoff.pk).returned_count == 1


def test_a_jira_source_without_a_seam_is_refused(jira):
    WebhookSource.objects.filter(pk=jira.pk).update(seam=None)
    response = post("jira", jira_event("jira:issue_created"))
    assert response.status_code == 409
    assert "no seam" in response.json()["detail"]
