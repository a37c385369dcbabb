"""Managing inbound sources: create one with its first secret, rotate the secret with an
overlap, order its mapping rules, and send it a test delivery through the real receive path."""

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from connections import hooks, inbound
from connections.models import Delivery, MappingRule, Source, SourceSecret
from seams.models import Handoff, Seam

DEFAULT_OVERLAP = timedelta(hours=24)
SETUP_HINTS = {
    Source.Kind.JIRA: (
        "In Jira, System → WebHooks → Create a WebHook: paste the URL, set the secret, and "
        "choose the events “Issue created” and “Issue updated”. Jira signs each delivery with "
        "X-Hub-Signature."
    ),
    Source.Kind.GITHUB: (
        "In the repository or organisation, Settings → Webhooks → Add webhook: paste the URL, "
        "content type application/json, the secret, and the events Issues and Pull requests."
    ),
    Source.Kind.LINEAR: (
        "In Linear, Settings → API → Webhooks → New webhook: paste the URL and choose Issues. "
        "Linear generates the signing secret: paste it here with “Use a secret from the tool”."
    ),
    Source.Kind.GENERIC: (
        "Sign Seamline's JSON (one handoff or a list) with any Standard Webhooks library "
        "(webhook-id, webhook-timestamp, webhook-signature) and this whsec_ secret."
    ),
}


@transaction.atomic
def create_source(*, kind: str, name: str, slug: str) -> tuple[Source, str]:
    """A source and its first secret; the secret's value is returned to be shown once."""
    source = Source.objects.create(kind=kind, name=name, slug=slug)
    value = source.new_secret_value()
    SourceSecret.objects.create(source=source, value=value)
    return source, value


@transaction.atomic
def rotate_secret(*, source: Source, overlap: timedelta, value: str = "") -> str:
    """A new current secret; the ones in use keep verifying for `overlap` (at most), so the
    tool can be updated without losing deliveries. `value`: a secret the tool generated."""
    now = timezone.now()
    ends = now + overlap
    for old in source.secrets.select_for_update().filter(expires_at__isnull=True):
        old.expires_at = ends
        old.save(update_fields=["expires_at"])
    source.secrets.filter(expires_at__gt=ends).update(expires_at=ends)
    value = value or source.new_secret_value()
    SourceSecret.objects.create(source=source, value=value, created_at=now)
    return value


@transaction.atomic
def add_rule(*, source: Source, field: str, value: str, seam: Seam) -> MappingRule:
    last = source.rules.order_by("-position").values_list("position", flat=True).first()
    return MappingRule.objects.create(
        source=source, field=field, value=value.strip(), seam=seam, position=(last or 0) + 1
    )


@transaction.atomic
def move_rule(*, rule: MappingRule, up: bool) -> None:
    """Swap the rule with its neighbour; positions are renumbered 1..n first."""
    rules = list(MappingRule.objects.select_for_update().filter(source_id=rule.source_id))
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, each in enumerate(rules, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


# --- the test delivery -----------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str
    state: str = ""  # the handoff's state after the delivery, before it was rolled back
    item: str = ""
    seam: str = ""


def _fact(source: Source, *fields: str) -> dict[str, str]:
    """What the first rule looks for, so the sample matches it (and the test shows the seam)."""
    rule = source.rules.first()
    return {rule.field: rule.value} if rule and rule.field in fields else {}


def sample(source: Source, secret: str) -> tuple[bytes, dict]:
    """A vendor-shaped "started" event signed as the vendor signs it."""
    key = f"TEST-{secrets.token_hex(3).upper()}"
    now = timezone.now()
    started = (source.started_statuses.split(",")[0] or "In Progress").strip()
    build = {
        Source.Kind.JIRA: _jira_sample,
        Source.Kind.GITHUB: _github_sample,
        Source.Kind.LINEAR: _linear_sample,
    }.get(source.kind)
    if build is None:
        return _generic_sample(source, secret, key, now)
    return build(source, secret, key, now, started)


def _jira_sample(source, secret, key, now, started) -> tuple[bytes, dict]:
    fact = _fact(source, "project", "issue_type", "label", "component")
    payload = {
        "timestamp": int(time.time() * 1000),
        "webhookEvent": "jira:issue_updated",
        "issue": {
            "id": str(uuid.uuid4().int)[:8],
            "key": key,
            "fields": {
                "summary": "Seamline test delivery",
                "created": now.isoformat(),
                "issuetype": {"name": fact.get("issue_type", "Test")},
                "project": {"key": fact.get("project", "TEST")},
                "labels": [fact["label"]] if "label" in fact else [],
                "components": [{"name": fact["component"]}] if "component" in fact else [],
                "status": {"name": started, "statusCategory": {"key": "indeterminate"}},
            },
        },
        "changelog": {
            "id": str(uuid.uuid4().int)[:8],
            "items": [{"field": "status", "fromString": "To Do", "toString": started}],
        },
    }
    body = json.dumps(payload).encode()
    return body, {"X-Hub-Signature": "sha256=" + hooks.hex_hmac(secret, body)}


def _github_sample(source, secret, key, now, started) -> tuple[bytes, dict]:
    fact = _fact(source, "repository", "label")
    payload = {
        "action": "assigned",
        "issue": {
            "number": 900000 + secrets.randbelow(99999),
            "title": "Seamline test delivery",
            "state": "open",
            "assignees": [{"login": "seamline"}],
            "labels": [{"name": fact["label"]}] if "label" in fact else [],
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        },
        "repository": {"full_name": fact.get("repository", "seamline/test-delivery")},
    }
    body = json.dumps(payload).encode()
    return body, {
        "X-Hub-Signature-256": "sha256=" + hooks.hex_hmac(secret, body),
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": str(uuid.uuid4()),
    }


def _linear_sample(source, secret, key, now, started) -> tuple[bytes, dict]:
    fact = _fact(source, "team", "label")
    payload = {
        "action": "update",
        "type": "Issue",
        "data": {
            "identifier": key,
            "title": "Seamline test delivery",
            "createdAt": now.isoformat(),
            "updatedAt": now.isoformat(),
            "state": {"name": started, "type": "started"},
            "team": {"key": fact.get("team", "TEST")},
            "labels": [{"name": fact["label"]}] if "label" in fact else [],
        },
        "webhookTimestamp": int(time.time() * 1000),
    }
    body = json.dumps(payload).encode()
    return body, {
        "Linear-Signature": hooks.hex_hmac(secret, body),
        "Linear-Delivery": str(uuid.uuid4()),
        "Linear-Event": "Issue",
    }


def _generic_sample(source: Source, secret: str, key: str, now) -> tuple[bytes, dict]:
    seam = source.rules.select_related("seam").first()
    slug = seam.seam.slug if seam else (Seam.objects.values_list("slug", flat=True).first() or "")
    payload = {"seam": slug, "external_id": key, "title": "Seamline test delivery"}
    body = json.dumps(payload | {"submitted_at": now.isoformat()}).encode()
    msg_id, stamp = f"msg_{uuid.uuid4().hex}", str(int(time.time()))
    try:
        raw = base64.b64decode(secret.removeprefix("whsec_") + "==")
    except ValueError:
        raw = secret.encode()
    signed = hmac.new(raw, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return body, {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(signed).decode(),
    }


def send_test_delivery(*, source: Source) -> TestResult:
    """Sign a sample with the current secret, pass it through the same receive and processing
    as a real delivery, then roll its effects back; the outcome is kept as a test delivery."""
    current = source.live_secrets()
    if not current:
        return TestResult(False, "This source has no live secret: rotate it to make one.")
    body, headers = sample(source, current[0])
    outcome = Delivery(source=source, reason=Delivery.Reason.TEST, processed_at=timezone.now())
    try:
        with transaction.atomic():
            received = hooks.receive(source, headers, body)
            delivery = Delivery.objects.get(pk=received.body["delivery"])
            inbound.process_delivery(delivery.pk)
            delivery.refresh_from_db()
            handoff = Handoff.objects.filter(
                source=source.slug, external_id=delivery.external_id
            ).first()
            transaction.set_rollback(True)
    except hooks.WebhookRefused as refused:
        outcome.status, outcome.error = Delivery.Status.FAILED, f"Refused: {refused}"
        outcome.save()
        return TestResult(False, f"The test delivery was refused: {refused}")
    outcome.event, outcome.seam_id = delivery.event, delivery.seam_id
    outcome.external_id, outcome.error = delivery.external_id, delivery.error
    outcome.status = delivery.status
    outcome.save()
    return _verdict(delivery, handoff)


def _verdict(delivery: Delivery, handoff: Handoff | None) -> TestResult:
    if delivery.status == Delivery.Status.IGNORED:
        return TestResult(
            False,
            "The test delivery was verified, but no mapping rule matched it: add a rule "
            "(a catch-all “Anything” rule takes every item).",
        )
    if delivery.status != Delivery.Status.APPLIED or handoff is None:
        return TestResult(False, f"The test delivery failed: {delivery.error or 'no handoff'}")
    return TestResult(
        True,
        f"Signed test delivery accepted: {delivery.external_id} became a handoff on "
        f"{handoff.seam.name} ({handoff.state}). Nothing was kept.",
        state=handoff.state,
        item=delivery.external_id,
        seam=handoff.seam.name,
    )
