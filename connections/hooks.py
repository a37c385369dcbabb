"""Receiving a delivery at POST /api/v1/hooks/handoffs/<source>/: verify it as its vendor
signs, refuse replays and expired timestamps, store it and answer; the work runs later through
the outbox (connections.tasks.process_delivery).

How each kind is verified (any live secret of the source may match, so a rotated secret keeps
working until its overlap ends):
- Jira (Cloud and Data Center admin webhooks): `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the
  raw body>`. Jira sends no signed time; a replay is recognised by the event it carries.
- GitHub: `X-Hub-Signature-256: sha256=<hex>` over the raw body; `X-GitHub-Event` names it.
- Linear: `Linear-Signature: <hex>` over the raw body; the body's `webhookTimestamp`
  (milliseconds) must be within 60 seconds of now.
- Generic: Standard Webhooks (`webhook-id`, `webhook-timestamp` within 5 minutes,
  `webhook-signature: v1,<base64>`), verified by the `standardwebhooks` package.
- Deprecated, for senders set up before: `X-Seamline-Timestamp` and `X-Seamline-Signature:
  sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, within 5 minutes, on any kind.

The id a sender gives (`X-Atlassian-Webhook-Identifier`, `X-GitHub-Delivery`,
`Linear-Delivery`) is not signed, so it can't alone make a delivery unique: each delivery's
idempotency key is derived from what is signed (Jira's issue id, event, timestamp and changelog
id; Standard Webhooks' signed `webhook-id`; otherwise the raw body, whose timestamps differ
from one event to the next). A delivery whose key or given id was seen is a duplicate and
changes nothing.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from standardwebhooks import Webhook, WebhookVerificationError

from common.json_input import JsonRefused, parse_json
from common.outbox import enqueue
from connections import vendors
from connections.models import Delivery, Source
from connections.tasks import process_delivery
from seams.ingest import load_seams, validate_row

LEGACY_MAX_AGE = 300
LINEAR_MAX_AGE_MS = 60_000
MAX_TIMESTAMP_DIGITS = 12
MAX_DELIVERY_ID = 200


class WebhookRefused(Exception):
    def __init__(self, message: str, status: int = 400, errors: list | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors


@dataclass
class Received:
    """What the endpoint answers: the HTTP status and its JSON body."""

    status: int
    body: dict


def read_body(request: HttpRequest, *, limit: int) -> bytes:
    """The raw body, refused before it is read if it is larger than `limit` bytes or not JSON.

    With a Content-Length, a larger body is refused without reading a byte of it. A chunked body
    has none, so at most one byte past the limit is read to tell. Only servers that end the
    input stream with the body (gunicorn sets `wsgi.input_terminated`) can be read without one.
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


# --- signatures ------------------------------------------------------------------------------


def hex_hmac(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def legacy_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Seamline's own scheme (deprecated): sha256= hex HMAC of "<timestamp>.<raw body>"."""
    return "sha256=" + hex_hmac(secret, f"{timestamp}.".encode() + body)


def _any_matches(given: str, expected: list[str]) -> bool:
    return any(hmac.compare_digest(given.encode(), want.encode()) for want in expected)


def _verify_legacy(secrets: list[str], headers, body: bytes, now: float) -> None:
    timestamp = headers.get("X-Seamline-Timestamp", "")
    given = headers.get("X-Seamline-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not given:
        raise WebhookRefused(
            "Sign the request: X-Seamline-Timestamp and X-Seamline-Signature.", 401
        )
    if len(timestamp) > MAX_TIMESTAMP_DIGITS or abs(now - int(timestamp)) > LEGACY_MAX_AGE:
        raise WebhookRefused("The timestamp is more than 5 minutes off: refused as a replay.", 401)
    if not _any_matches(given, [legacy_signature(s, timestamp, body) for s in secrets]):
        raise WebhookRefused("The signature does not match this source's secret.", 401)


def _verify_hex(secrets: list[str], header: str, given: str, body: bytes, prefix: str) -> None:
    if not given:
        raise WebhookRefused(f"Sign the request: {header}.", 401)
    if not _any_matches(given.strip(), [prefix + hex_hmac(s, body) for s in secrets]):
        raise WebhookRefused(f"The {header} does not match this source's secret.", 401)


def _verify_standard(secrets: list[str], headers, body: bytes) -> None:
    wanted = ("webhook-id", "webhook-timestamp", "webhook-signature")
    given = {name: headers.get(name, "") for name in wanted}
    if not all(given.values()):
        raise WebhookRefused(
            "Sign the request as Standard Webhooks: webhook-id, webhook-timestamp and "
            "webhook-signature.",
            401,
        )
    problem = "The webhook-signature does not match this source's secret."
    for secret in secrets:
        try:
            Webhook(secret).verify(body, given, json_parse=False)
            return
        except WebhookVerificationError as exc:
            if "too old" in str(exc) or "too new" in str(exc) or "timestamp" in str(exc):
                problem = "The webhook-timestamp is more than 5 minutes off: refused."
        except (ValueError, TypeError):  # a secret from before that isn't base64
            continue
    raise WebhookRefused(problem, 401)


def verify(source: Source, headers, body: bytes, *, now: float | None = None) -> bool:
    """Refuses (401) a delivery not signed with a live secret of the source; True when it was
    signed with Seamline's deprecated headers."""
    now = time.time() if now is None else now
    secrets = source.live_secrets()
    if headers.get("X-Seamline-Signature"):
        _verify_legacy(secrets, headers, body, now)
        return True
    if source.kind == Source.Kind.JIRA:
        given = headers.get("X-Hub-Signature", "")
        _verify_hex(secrets, "X-Hub-Signature", given, body, "sha256=")
    elif source.kind == Source.Kind.GITHUB:
        given = headers.get("X-Hub-Signature-256", "")
        _verify_hex(secrets, "X-Hub-Signature-256", given, body, "sha256=")
    elif source.kind == Source.Kind.LINEAR:
        _verify_hex(secrets, "Linear-Signature", headers.get("Linear-Signature", ""), body, "")
    else:
        _verify_standard(secrets, headers, body)
    return False


def _check_linear_time(payload, now: float) -> None:
    stamp = payload.get("webhookTimestamp") if isinstance(payload, dict) else None
    if isinstance(stamp, bool) or not isinstance(stamp, int):
        raise WebhookRefused("The Linear event has no webhookTimestamp (milliseconds).", 401)
    if abs(now * 1000 - stamp) > LINEAR_MAX_AGE_MS:
        raise WebhookRefused("The webhookTimestamp is more than 60 seconds off: refused.", 401)


# --- receiving -------------------------------------------------------------------------------


def key_of(*parts) -> str:
    """The idempotency key of a delivery: a hash of what identifies its event."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode()).hexdigest()


def _given_id(source: Source, headers) -> str:
    name = {
        Source.Kind.JIRA: "X-Atlassian-Webhook-Identifier",
        Source.Kind.GITHUB: "X-GitHub-Delivery",
        Source.Kind.LINEAR: "Linear-Delivery",
        Source.Kind.GENERIC: "webhook-id",
    }[source.kind]
    given = headers.get("X-Seamline-Delivery") or headers.get(name) or ""
    return given.strip()[:MAX_DELIVERY_ID]


def _event_name(source: Source, headers, payload) -> str:
    if source.kind == Source.Kind.GITHUB:
        event = headers.get("X-GitHub-Event", "")
        action = payload.get("action") if isinstance(payload, dict) else None
        return f"{event}.{action}"[:120] if isinstance(action, str) else event[:120]
    if source.kind == Source.Kind.LINEAR:
        if isinstance(payload, dict) and isinstance(payload.get("action"), str):
            return f"{payload.get('type')}.{payload['action']}"[:120]
        return headers.get("Linear-Event", "")[:120]
    if source.kind == Source.Kind.JIRA and isinstance(payload, dict):
        name = payload.get("webhookEvent")
        return name[:120] if isinstance(name, str) else ""
    return "handoffs"


def _key(source: Source, headers, body: bytes, payload, legacy: bool) -> str:
    if source.kind == Source.Kind.JIRA and isinstance(payload, dict):
        return key_of("jira", *vendors.jira_key(payload))
    if legacy:
        return key_of("signed", headers.get("X-Seamline-Timestamp", ""), _digest(body))
    if source.kind == Source.Kind.GENERIC:
        return key_of("standard", headers.get("webhook-id", ""))
    return key_of(source.kind, headers.get("X-GitHub-Event", ""), _digest(body))


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def check_generic(payload) -> None:
    """Seamline's JSON: one handoff or a list; refused (400) if no row could be taken."""
    rows = payload if isinstance(payload, list) else [payload]
    if not rows or not all(isinstance(row, dict) for row in rows):
        raise WebhookRefused("Send one handoff object or a list of them.")
    seams = load_seams()
    errors = [(i, validate_row(row, seams)[1]) for i, row in enumerate(rows)]
    if all(problems for _, problems in errors):
        first = next(iter(errors[0][1].items()))
        raise WebhookRefused(
            f"No handoff taken: {first[0]}: {first[1]}",
            errors=[{"index": i, "errors": problems} for i, problems in errors],
        )


def read(source: Source, headers, body: bytes, payload):
    """The vendor item (or None: irrelevant), refusing (400) a payload we can't read."""
    if source.kind == Source.Kind.GENERIC:
        check_generic(payload)
        return payload
    try:
        return vendors.read_item(source, headers.get("X-GitHub-Event", ""), payload)
    except vendors.VendorRefused as exc:
        raise WebhookRefused(str(exc)) from exc


def receive(source: Source, headers, body: bytes, *, now: float | None = None) -> Received:
    """Verify, check and store one delivery; its processing is enqueued. Nothing is written
    for a refused delivery: the delivery and its outbox message are written together, after
    every check, in one savepoint (a duplicate rolls back only it)."""
    now = time.time() if now is None else now
    legacy = verify(source, headers, body, now=now)
    try:
        payload = parse_json(body or b"null")
    except JsonRefused as exc:
        raise WebhookRefused(str(exc)) from exc
    if not isinstance(payload, dict | list):
        raise WebhookRefused("Send a JSON object or a list of them.")
    if source.kind == Source.Kind.LINEAR and not legacy:
        _check_linear_time(payload, now)
    item = read(source, headers, body, payload)
    try:
        key = _key(source, headers, body, payload, legacy)
    except vendors.VendorRefused as exc:
        raise WebhookRefused(str(exc)) from exc
    delivery = Delivery(
        source=source,
        delivery_id=_given_id(source, headers),
        key=key,
        event=_event_name(source, headers, payload),
    )
    if item is None:
        delivery.status, delivery.reason = Delivery.Status.IGNORED, Delivery.Reason.IRRELEVANT
    else:
        delivery.body = body.decode()
    try:
        with transaction.atomic():
            delivery.save()
            if item is not None:
                enqueue(process_delivery, delivery.pk)
    except IntegrityError:
        return Received(200, {"status": "duplicate", "delivery": delivery.delivery_id})
    if item is None:
        return Received(200, {"status": "ignored", "reason": "irrelevant event"})
    return Received(202, {"status": "received", "delivery": delivery.pk})
