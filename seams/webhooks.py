"""Signed webhooks: POST /api/v1/hooks/handoffs/<source>/.

Headers: `X-Seamline-Timestamp` (Unix seconds) and `X-Seamline-Signature: sha256=<hex>`, the
HMAC-SHA256 of "<timestamp>.<raw body>" with the source's secret. Older than 5 minutes is a
replay and refused. `X-Seamline-Delivery` (or Jira's `X-Atlassian-Webhook-Identifier`) names a
delivery; one already processed is acknowledged and changes nothing.
"""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from seams.handoffs import complete_handoff, return_handoff, start_handoff
from seams.ingest import IngestResult, ingest, load_seams
from seams.models import Handoff, WebhookDelivery, WebhookSource

MAX_AGE_SECONDS = 300


class WebhookRefused(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(source: WebhookSource, headers, body: bytes, *, now: float | None = None) -> None:
    timestamp = headers.get("X-Seamline-Timestamp", "")
    given = headers.get("X-Seamline-Signature", "")
    if not timestamp.isdigit() or not given:
        raise WebhookRefused(
            "Sign the request: X-Seamline-Timestamp and X-Seamline-Signature.", 401
        )
    if abs((now or time.time()) - int(timestamp)) > MAX_AGE_SECONDS:
        raise WebhookRefused("The timestamp is more than 5 minutes off: refused as a replay.", 401)
    if not hmac.compare_digest(signature(source.secret, timestamp, body), given):
        raise WebhookRefused("The signature does not match this source's secret.", 401)


def delivery_id(headers) -> str:
    return headers.get("X-Seamline-Delivery") or headers.get("X-Atlassian-Webhook-Identifier") or ""


@transaction.atomic
def receive(source: WebhookSource, headers, body: bytes) -> dict:
    """Verify and apply one delivery; returns what happened, for the response."""
    verify(source, headers, body)
    try:
        payload = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WebhookRefused("The body is not JSON.") from exc
    delivery = delivery_id(headers)
    if delivery:
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(source=source, delivery_id=delivery)
        except IntegrityError:
            return {"status": "duplicate", "delivery": delivery}
    if source.kind == WebhookSource.Kind.JIRA:
        return apply_jira(source, payload)
    return apply_generic(source, payload)


def apply_generic(source: WebhookSource, payload) -> dict:
    rows = payload if isinstance(payload, list) else [payload]
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise WebhookRefused("Send one handoff object or a list of them.")
    result: IngestResult = ingest(list(enumerate(rows)), source=source.slug, partial=True)
    return {
        "status": "ok",
        "created": result.created,
        "updated": result.updated,
        "errors": [{"index": e.row, "errors": e.errors} for e in result.errors],
    }


def _jira_time(payload: dict, fallback: str = "") -> datetime:
    millis = payload.get("timestamp")
    if isinstance(millis, int | float):
        return datetime.fromtimestamp(millis / 1000, tz=UTC)
    parsed = parse_datetime(fallback) if fallback else None
    if parsed is None:
        raise WebhookRefused("The Jira event has no usable timestamp.")
    return parsed


def apply_jira(source: WebhookSource, payload: dict) -> dict:
    """issue created → submitted; into a "started" status → started; into a "done" status →
    completed; out of "done" again (reopened) → returned."""
    if source.seam is None:
        raise WebhookRefused("This Jira source has no seam set in the admin.", 409)
    if not isinstance(payload, dict) or "issue" not in payload:
        raise WebhookRefused("Not a Jira issue webhook: no “issue”.")
    issue = payload["issue"]
    fields = issue.get("fields") or {}
    key = str(issue.get("key") or "")
    if not key:
        raise WebhookRefused("The Jira issue has no key.")
    at = _jira_time(payload, fields.get("created", ""))
    handoff = Handoff.objects.filter(source=source.slug, external_id=key).first()
    if handoff is None:
        created = _jira_time({}, fields.get("created", "")) if fields.get("created") else at
        row = {
            "seam": source.seam.slug,
            "external_id": key,
            "title": fields.get("summary") or key,
            "approval_type": (fields.get("issuetype") or {}).get("name", ""),
            "submitted_at": created,
        }
        result = ingest([(0, row)], source=source.slug, partial=False, seams=load_seams())
        if not result.written:
            raise WebhookRefused(f"Rejected: {result.errors[0].message}")
        handoff = Handoff.objects.get(source=source.slug, external_id=key)
    changes = [
        item
        for item in (payload.get("changelog") or {}).get("items", [])
        if item.get("field") == "status"
    ]
    for change in changes:
        _apply_status(
            source, handoff, change.get("fromString") or "", change.get("toString") or "", at
        )
        handoff.refresh_from_db()
    return {"status": "ok", "handoff": key, "state": handoff.state}


def _apply_status(source: WebhookSource, handoff: Handoff, before: str, after: str, at) -> None:
    if source.is_done_status(before) and not source.is_done_status(after):
        Handoff.objects.filter(pk=handoff.pk).update(completed_at=None, lead_hours=None)
        return_handoff(
            handoff=Handoff.objects.get(pk=handoff.pk), reason=f"Reopened in Jira ({after})", at=at
        )
        return
    if (source.is_started_status(after) or source.is_done_status(after)) and not handoff.started_at:
        handoff = start_handoff(handoff=handoff, at=max(at, handoff.submitted_at))
    if source.is_done_status(after) and not handoff.completed_at:
        complete_handoff(handoff=handoff, at=max(at, handoff.started_at))
