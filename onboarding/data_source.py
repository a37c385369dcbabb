"""Step 4 of the guided start, connecting the data: an example CSV to import, or the seam's
Jira webhook with a signed test delivery that keeps nothing, or handoffs logged by hand."""

import csv
import io
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from common.slugs import free_slug
from onboarding.guide import Step
from onboarding.models import GuidedStart
from seams import handoff_rules, webhooks
from seams.models import Seam, User, WebhookSource


def example_csv(seam: Seam) -> str:
    """A handoff CSV for the seam that imports as it is: the columns of DESIGN.md."""
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    rows = [
        ("EX-101", "First example request", "standard", now - timedelta(days=6), 3, 30, 0),
        ("EX-102", "Second example request", "expedited", now - timedelta(days=4), 1, 8, 1),
        (
            "EX-103",
            "Third example request, not started yet",
            "",
            now - timedelta(days=1),
            None,
            None,
            0,
        ),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(handoff_rules.CSV_COLUMNS)
    for external_id, title, kind, submitted, start_after, done_after, returned in rows:
        started = submitted + timedelta(hours=start_after) if start_after is not None else None
        completed = submitted + timedelta(hours=done_after) if done_after is not None else None
        writer.writerow(
            [
                seam.slug,
                external_id,
                title,
                kind,
                submitted.isoformat(timespec="minutes"),
                started.isoformat(timespec="minutes") if started else "",
                completed.isoformat(timespec="minutes") if completed else "",
                returned,
            ]
        )
    return out.getvalue()


@transaction.atomic
def choose_source(*, guide: GuidedStart, source: str, by: User) -> None:
    """How handoffs will arrive. The Jira choice makes the seam's webhook source (once)."""
    guide.data_source = source
    fields = ["data_source"]
    if source == GuidedStart.Source.JIRA and guide.webhook is None:
        guide.webhook = jira_source(guide.top_seam)
        fields.append("webhook")
    guide.touch(by=by, fields=fields)


def jira_source(seam: Seam) -> WebhookSource:
    """A Jira webhook source for the seam, with a fresh secret and the usual status names."""
    slug = free_slug(WebhookSource, f"jira-{seam.slug}", fallback="jira")
    return WebhookSource.objects.create(
        slug=slug,
        name=f"Jira: {seam.name}"[:120],
        kind=WebhookSource.Kind.JIRA,
        secret=secrets.token_urlsafe(32),
        seam=seam,
        started_statuses="In Progress",
        done_statuses="Done",
    )


@dataclass(frozen=True)
class DeliveryCheck:
    ok: bool
    message: str


def send_test_delivery(source: WebhookSource) -> DeliveryCheck:
    """Send a signed sample Jira event through the webhook, exactly as Jira's would arrive
    (signature, mapping, seam), and keep nothing: the delivery is rolled back."""
    started = (source.started_statuses.split(",")[0] or "In Progress").strip()
    key = f"SEAMLINE-TEST-{secrets.token_hex(3).upper()}"
    body = json.dumps(
        {
            "timestamp": int(time.time() * 1000),
            "webhookEvent": "jira:issue_updated",
            "issue": {
                "key": key,
                "fields": {
                    "summary": "Seamline test delivery",
                    "created": timezone.now().isoformat(),
                    "issuetype": {"name": "Test"},
                },
            },
            "changelog": {
                "items": [{"field": "status", "fromString": "To Do", "toString": started}]
            },
        }
    ).encode()
    stamp = str(int(time.time()))
    headers = {
        "X-Seamline-Timestamp": stamp,
        "X-Seamline-Signature": webhooks.signature(source.secret, stamp, body),
        "X-Seamline-Delivery": f"test-{key}",
    }
    try:
        with transaction.atomic():
            result = webhooks.receive(source, headers, body)
            transaction.set_rollback(True)
    except webhooks.WebhookRefused as refused:
        return DeliveryCheck(False, f"The test delivery was refused: {refused}")
    state = result.get("state", "")
    if state != "started":
        return DeliveryCheck(
            False,
            f"The delivery arrived, but “{started}” did not start the handoff (it is "
            f"{state or 'unknown'}). Check the status mapping.",
        )
    return DeliveryCheck(
        True,
        f"Signed test delivery accepted: issue {key} became a handoff on {source.seam.name} "
        f"and “{started}” started it. Nothing was kept.",
    )


def record_source(*, guide: GuidedStart, by: User) -> None:
    guide.advance(Step.DATA, by=by)
