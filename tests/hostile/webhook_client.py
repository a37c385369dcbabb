"""Signed deliveries to the handoff webhook, for the hostile-input and replay tests."""

import json
import time

from django.test import Client, TestCase
from django.urls import reverse

from connections.hooks import legacy_signature as signature
from connections.models import Delivery as WebhookDelivery
from connections.models import MappingRule, Source, SourceSecret
from seams.models import Handoff, HandoffReturn

SECRET = "s3cret-shared-with-the-tool"
JIRA_CREATED_MS = 1763380800000  # 17 Nov 2025 12:00 UTC


def generic_source() -> Source:
    source = Source.objects.create(slug="ticketing", name="Ticketing")
    SourceSecret.objects.create(source=source, value=SECRET)
    return source


def jira_source(seam) -> Source:
    source = Source.objects.create(
        slug="jira",
        name="Jira",
        kind="jira",
        started_statuses="In Progress, In Review",
        done_statuses="Done",
    )
    SourceSecret.objects.create(source=source, value=SECRET)
    MappingRule.objects.create(source=source, field="any", seam=seam)
    return source


def signed_headers(body: bytes, *, timestamp: float | None = None, delivery: str = "") -> dict:
    stamp = str(int(time.time() if timestamp is None else timestamp))
    headers = {
        "HTTP_X_SEAMLINE_TIMESTAMP": stamp,
        "HTTP_X_SEAMLINE_SIGNATURE": signature(SECRET, stamp, body),
    }
    if delivery:
        headers["HTTP_X_SEAMLINE_DELIVERY"] = delivery
    return headers


def post_hook(
    source: str,
    payload,
    *,
    delivery: str = "",
    sign: bool = True,
    content_type: str = "application/json",
    **extra,
):
    """POST the payload (bytes as they are, anything else as JSON), signed now by default."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = signed_headers(body, delivery=delivery) if sign else {}
    # The delivery is applied after its transaction commits (in-process without a broker).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return Client().post(
            reverse("handoff-webhook", args=[source]),
            body,
            content_type=content_type,
            CONTENT_TYPE=content_type,  # the test client leaves it out when the body is empty
            **headers,
            **extra,
        )


def jira_event(event="jira:issue_created", *, status_change=None, ts_ms=JIRA_CREATED_MS, **kw):
    payload = {
        "webhookEvent": event,
        "timestamp": ts_ms,
        "issue": {
            "id": "10042",
            "key": "INT-42",
            "fields": {
                "summary": "Acme SSO connector",
                "created": "2025-11-16T09:30:00.000+0000",
                "issuetype": {"name": "Integration"},
            },
        },
    }
    if status_change:
        payload["changelog"] = {
            "id": kw.pop("changelog_id", "20001"),
            "items": [
                {"field": "status", "fromString": status_change[0], "toString": status_change[1]}
            ],
        }
    return payload | kw


def generic_row(seam, /, **changes) -> dict:
    return {
        "seam": seam.slug,
        "external_id": "T-1",
        "title": "Acme SSO",
        "submitted_at": "2026-11-13T16:00:00",
    } | changes


def written() -> tuple[int, int, int]:
    """What a refused delivery must leave as it was: handoffs, their returns, deliveries."""
    return (
        Handoff.objects.count(),
        HandoffReturn.objects.count(),
        WebhookDelivery.objects.count(),
    )
