"""Step 4 of the guided start, connecting the data: an example CSV to import, or the seam's
Jira webhook with a signed test delivery that keeps nothing, or handoffs logged by hand."""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from common.slugs import free_slug
from connections import sources
from connections.models import MappingRule
from connections.models import Source as InboundSource
from onboarding.guide import Step
from onboarding.models import GuidedStart
from seams import handoff_rules
from seams.models import Seam, User


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


def jira_source(seam: Seam) -> InboundSource:
    """A Jira inbound source for the seam: a fresh secret, the usual status names, and the
    seam as its catch-all rule."""
    slug = free_slug(InboundSource, f"jira-{seam.slug}", fallback="jira")
    source, _secret = sources.create_source(
        kind=InboundSource.Kind.JIRA, name=f"Jira: {seam.name}"[:120], slug=slug
    )
    source.started_statuses, source.done_statuses = "In Progress", "Done"
    source.save(update_fields=["started_statuses", "done_statuses"])
    sources.add_rule(source=source, field=MappingRule.Field.ANY, value="", seam=seam)
    return source


@dataclass(frozen=True)
class DeliveryCheck:
    ok: bool
    message: str


def send_test_delivery(source: InboundSource) -> DeliveryCheck:
    """Send a signed sample Jira event through the source, exactly as Jira's would arrive
    (signature, rules, statuses), and keep nothing but its line in the source's deliveries."""
    started = (source.started_statuses.split(",")[0] or "In Progress").strip()
    result = sources.send_test_delivery(source=source)
    if not result.ok:
        return DeliveryCheck(False, result.message)
    if result.state != "started":
        return DeliveryCheck(
            False,
            f"The delivery arrived, but “{started}” did not start the handoff (it is "
            f"{result.state or 'unknown'}). Check the status mapping.",
        )
    return DeliveryCheck(
        True,
        f"Signed test delivery accepted: issue {result.item} became a handoff on "
        f"{result.seam} and “{started}” started it. Nothing was kept.",
    )


def record_source(*, guide: GuidedStart, by: User) -> None:
    guide.advance(Step.DATA, by=by)
