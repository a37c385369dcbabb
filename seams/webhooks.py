"""Signed webhooks: POST /api/v1/hooks/handoffs/<source>/.

Headers: `X-Seamline-Timestamp` (Unix seconds) and `X-Seamline-Signature: sha256=<hex>`, the
HMAC-SHA256 of "<timestamp>.<raw body>" with the source's secret. Older than 5 minutes is a
replay and refused.

The delivery id a sender may give (`X-Seamline-Delivery`, Jira's
`X-Atlassian-Webhook-Identifier`) is not signed, so it can't be what makes a delivery unique:
a captured delivery could be sent again with a new id and a fresh signature over the same body.
Each delivery's idempotency key is therefore derived from what is signed: for Jira the event in
the payload (issue id, event, timestamp, changelog id), for Seamline's JSON a hash of the signed
timestamp and raw body. A captured delivery replayed (within the five minutes its signature
lasts, whatever delivery id it is given) has the same key; the sender itself sending the same
body later signs a new timestamp, so a handoff that really went back to an earlier state is
taken. A delivery whose key, or whose given id, was seen before is acknowledged as a duplicate
and changes nothing.
"""

import hashlib
import hmac
import json
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from common.json_input import JsonRefused, parse_json
from seams.handoffs import HandoffRefused, complete_handoff, return_handoff, start_handoff
from seams.ingest import EARLIEST, FUTURE_SLACK, IngestResult, ingest, load_seams, parse_time
from seams.models import Handoff, HandoffReturn, WebhookDelivery, WebhookSource

MAX_AGE_SECONDS = 300
# A Unix time in seconds has 10 digits until 2286; more is not a time, and a very long string
# of digits costs Python real work to turn into a number.
MAX_TIMESTAMP_DIGITS = 12
MAX_DELIVERY_ID = 200


class WebhookRefused(Exception):
    def __init__(self, message: str, status: int = 400, errors: list | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors


def read_body(request: HttpRequest, *, limit: int) -> bytes:
    """The raw body, refused before it is read if it is larger than `limit` bytes or not JSON.

    With a Content-Length, a larger body is refused without reading a byte of it. A chunked body
    has none, so at most one byte past the limit is read to tell. Django reads no chunked body
    by itself; only servers that end the input stream with the body (gunicorn, which sets
    `wsgi.input_terminated`) can be read without a length, others would wait for the socket.
    """
    too_large = WebhookRefused(f"The body is larger than {limit:,} bytes.", 413)
    length = request.META.get("CONTENT_LENGTH") or ""
    if length and not (length.isascii() and length.isdigit()):
        raise WebhookRefused("The Content-Length is not a number of bytes.")
    if length and (len(length) > 15 or int(length) > limit):
        raise too_large
    if request.content_type != "application/json":
        raise WebhookRefused("Send the body as JSON (Content-Type: application/json).", 415)
    if length:
        return request.body
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return b""
    if not request.META.get("wsgi.input_terminated"):
        raise WebhookRefused("Send a Content-Length with the body.", 411)
    body = request.META["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(source: WebhookSource, headers, body: bytes, *, now: float | None = None) -> None:
    timestamp = headers.get("X-Seamline-Timestamp", "")
    given = headers.get("X-Seamline-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not given:
        raise WebhookRefused(
            "Sign the request: X-Seamline-Timestamp and X-Seamline-Signature.", 401
        )
    if len(timestamp) > MAX_TIMESTAMP_DIGITS or (
        abs((now or time.time()) - int(timestamp)) > MAX_AGE_SECONDS
    ):
        raise WebhookRefused("The timestamp is more than 5 minutes off: refused as a replay.", 401)
    if not hmac.compare_digest(signature(source.secret, timestamp, body), given):
        raise WebhookRefused("The signature does not match this source's secret.", 401)


def delivery_id(headers) -> str:
    given = headers.get("X-Seamline-Delivery") or headers.get("X-Atlassian-Webhook-Identifier")
    return (given or "").strip()[:MAX_DELIVERY_ID]


def event_key(*parts) -> str:
    """The idempotency key of a delivery: a hash of what identifies its event."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()


@transaction.atomic
def receive(source: WebhookSource, headers, body: bytes) -> dict:
    """Verify and apply one delivery; returns what happened, for the response.

    Everything it writes is in one transaction: a refused delivery leaves nothing behind."""
    verify(source, headers, body)
    try:
        payload = parse_json(body or b"null")
    except JsonRefused as exc:
        raise WebhookRefused(str(exc)) from exc
    if not isinstance(payload, dict | list):
        raise WebhookRefused("Send a JSON object or a list of them.")
    if source.kind == WebhookSource.Kind.JIRA:
        if source.seam is None:
            raise WebhookRefused("This Jira source has no seam set in the admin.", 409)
        event = read_jira_event(payload)
        key = event_key("jira", event.issue_id, event.name, event.timestamp, event.changelog_id)
    else:
        event = None
        signed = headers.get("X-Seamline-Timestamp", "")  # verified above
        key = event_key("signed", signed, hashlib.sha256(body).hexdigest())
    given = delivery_id(headers)
    if _seen(source, key=key, given=given):
        return {"status": "duplicate", "delivery": given}
    if event is not None:
        return apply_jira(source, event)
    return apply_generic(source, payload)


def _seen(source: WebhookSource, *, key: str, given: str) -> bool:
    """Record the delivery; True if its key or its given id was recorded before."""
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(source=source, key=key, delivery_id=given)
    except IntegrityError:
        return True
    return False


def apply_generic(source: WebhookSource, payload) -> dict:
    rows = payload if isinstance(payload, list) else [payload]
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise WebhookRefused("Send one handoff object or a list of them.")
    result: IngestResult = ingest(list(enumerate(rows)), source=source.slug, partial=True)
    errors = [{"index": e.row, "errors": e.errors} for e in result.errors]
    if not result.created and not result.updated:
        # Nothing taken: the sender must hear it, and the delivery isn't recorded as done.
        raise WebhookRefused(f"No handoff taken: {result.errors[0].message}", errors=errors)
    return {
        "status": "ok",
        "created": result.created,
        "updated": result.updated,
        "errors": errors,
    }


# --- Jira ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class JiraEvent:
    """A Jira issue webhook, checked: every field the mapping uses, of the right type."""

    name: str  # webhookEvent
    issue_id: str
    key: str
    summary: str
    issue_type: str
    timestamp: int | None  # milliseconds, as Jira sends it
    at: datetime  # when the event happened
    created: datetime  # when the issue was created: the handoff's submission
    changelog_id: str
    status_changes: tuple[tuple[str, str], ...]  # (fromString, toString)


def _text(value, what: str, *, required: bool = False, max_length: int = 300) -> str:
    if value is None or value == "":
        if required:
            raise WebhookRefused(f"The Jira event has no {what}.")
        return ""
    if not isinstance(value, str):
        raise WebhookRefused(f"The Jira event's {what} must be text.")
    if len(value) > max_length:
        raise WebhookRefused(f"The Jira event's {what} is longer than {max_length} characters.")
    return value.strip()


def _identifier(value, what: str) -> str:
    """Jira ids arrive as text ("10042") or, from some versions, as numbers."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(value, what, max_length=120)


def _object(value, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WebhookRefused(f"The Jira event's {what} must be an object.")
    return value


def _event_time(millis) -> datetime:
    if isinstance(millis, bool) or not isinstance(millis, int | float) or not math.isfinite(millis):
        raise WebhookRefused("The Jira event's timestamp must be milliseconds since 1970.")
    latest = timezone.now() + FUTURE_SLACK
    if not EARLIEST.timestamp() * 1000 <= millis <= latest.timestamp() * 1000:
        raise WebhookRefused(
            "The Jira event's timestamp is not a time that happened (before 2000 or in the future)."
        )
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _created(value) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise WebhookRefused("The Jira issue's created time must be an ISO 8601 time.")
    moment, problem = parse_time(value)
    if problem:
        raise WebhookRefused(f"The Jira issue's created time: {problem}")
    return moment


def _status_changes(changelog: dict) -> tuple[tuple[str, str], ...]:
    items = changelog.get("items")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise WebhookRefused("The Jira event's changelog items must be a list.")
    changes = []
    for item in items:
        if not isinstance(item, dict):
            raise WebhookRefused("Each Jira changelog item must be an object.")
        if item.get("field") == "status":
            changes.append(
                (
                    _text(item.get("fromString"), "changelog fromString", max_length=200),
                    _text(item.get("toString"), "changelog toString", max_length=200),
                )
            )
    return tuple(changes)


def read_jira_event(payload) -> JiraEvent:
    """The payload's shape checked in one place, before anything is written: a wrong type or an
    impossible time is refused with what is wrong."""
    if not isinstance(payload, dict) or "issue" not in payload:
        raise WebhookRefused("Not a Jira issue webhook: no “issue”.")
    issue = payload["issue"]
    if not isinstance(issue, dict):
        raise WebhookRefused("The Jira event's issue must be an object.")
    fields = _object(issue.get("fields"), "issue fields")
    key = _text(issue.get("key"), "issue key", required=True, max_length=120)
    created = _created(fields.get("created"))
    millis = payload.get("timestamp")
    if millis is None:
        if created is None:
            raise WebhookRefused("The Jira event has no usable timestamp.")
        at = created
    else:
        at = _event_time(millis)
    changelog = _object(payload.get("changelog"), "changelog")
    return JiraEvent(
        name=_text(payload.get("webhookEvent"), "webhookEvent", max_length=120),
        issue_id=_identifier(issue.get("id"), "issue id") or key,
        key=key,
        summary=_text(fields.get("summary"), "summary", max_length=300),
        issue_type=_text(
            _object(fields.get("issuetype"), "issue type").get("name"), "issue type name"
        ),
        timestamp=millis,
        at=at,
        created=created or at,
        changelog_id=_identifier(changelog.get("id"), "changelog id"),
        status_changes=_status_changes(changelog),
    )


def apply_jira(source: WebhookSource, event: JiraEvent) -> dict:
    """issue created → submitted; into a "started" status → started; into a "done" status →
    completed; out of "done" again (reopened) → returned."""
    if source.seam is None:
        raise WebhookRefused("This Jira source has no seam set in the admin.", 409)
    handoff = Handoff.objects.filter(source=source.slug, external_id=event.key).first()
    if handoff is None:
        row = {
            "seam": source.seam.slug,
            "external_id": event.key,
            "title": event.summary or event.key,
            "approval_type": event.issue_type,
            "submitted_at": event.created,
        }
        result = ingest([(0, row)], source=source.slug, partial=False, seams=load_seams())
        if not result.written:
            raise WebhookRefused(f"Rejected: {result.errors[0].message}")
        handoff = Handoff.objects.get(source=source.slug, external_id=event.key)
    for before, after in event.status_changes:
        try:
            _apply_status(source, handoff, before, after, event.at)
        except HandoffRefused as refused:  # the event's times don't fit the handoff's
            raise WebhookRefused(f"Rejected: {refused}") from refused
        handoff.refresh_from_db()
    return {"status": "ok", "handoff": event.key, "state": handoff.state}


def _apply_status(source: WebhookSource, handoff: Handoff, before: str, after: str, at) -> None:
    if source.is_done_status(before) and not source.is_done_status(after):
        Handoff.objects.filter(pk=handoff.pk).update(completed_at=None, lead_hours=None)
        reason = f"Reopened in Jira ({after})"
        return_handoff(
            handoff=Handoff.objects.get(pk=handoff.pk),
            reason=reason[: HandoffReturn._meta.get_field("reason").max_length],
            at=at,
        )
        return
    if (source.is_started_status(after) or source.is_done_status(after)) and not handoff.started_at:
        handoff = start_handoff(handoff=handoff, at=max(at, handoff.submitted_at))
    if source.is_done_status(after) and not handoff.completed_at:
        complete_handoff(handoff=handoff, at=max(at, handoff.started_at))
