"""Processing a stored delivery (run by connections.tasks.process_delivery through the outbox):
map it to a seam by the source's rules and move its handoff.

A delivery is processed once: its status leaves "received" in the same transaction as the
handoff's change. A burst is applied in batches: the task of one delivery takes the others
waiting from its source too, in one transaction with a savepoint each. Whatever goes wrong is
recorded on the delivery ("failed", with the error) and its partial writes are rolled back, so
nothing is lost and the page shows why.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from common.json_input import parse_json
from connections import vendors
from connections.models import Delivery, MappingRule, Source
from seams.handoffs import (
    HandoffRefused,
    complete_handoff,
    resubmit_handoff,
    return_handoff,
    start_handoff,
)
from seams.ingest import ingest, load_seams
from seams.models import Handoff, HandoffReturn

log = logging.getLogger(__name__)
EXPECTED = (vendors.VendorRefused, HandoffRefused, ValueError)


class Unmatched(Exception):
    """No rule of the source matched the item."""


# How many waiting deliveries of one source are applied in one transaction.
BATCH = 100


@dataclass
class Context:
    """What every delivery of a batch shares, read once: the seams and the source's rules."""

    seams: dict = field(default_factory=load_seams)
    rules: dict = field(default_factory=dict)

    def rules_of(self, source: Source) -> list[MappingRule]:
        if source.pk not in self.rules:
            found = MappingRule.objects.filter(source=source).select_related("seam")
            self.rules[source.pk] = list(found)
        return self.rules[source.pk]


def process_delivery(delivery_id: int) -> str:
    """Apply one received delivery and, in the same transaction, the deliveries waiting behind
    it from the same source (oldest first, up to BATCH); returns the first one's status.
    Idempotent: a delivery already processed, or being processed by another worker, is left
    alone, so the tasks of the deliveries a batch took cost a query each."""
    with transaction.atomic():
        # Only the deliveries are locked, not their source: every answer to a new delivery
        # checks its source's row (the foreign key), and would wait for the whole batch.
        locked = Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        waiting = locked.filter(status=Delivery.Status.RECEIVED)
        delivery = waiting.select_related("source").filter(pk=delivery_id).first()
        if delivery is None:
            return "done"
        behind = waiting.filter(source=delivery.source_id).exclude(pk=delivery.pk)
        batch = [delivery, *behind.order_by("pk")[: BATCH - 1]]
        context = Context()
        for each in sorted(batch, key=lambda d: d.pk):
            each.source = delivery.source
            _process(each, context)
        Delivery.objects.bulk_update(batch, PROCESSED_FIELDS)
        return delivery.status


PROCESSED_FIELDS = ["status", "reason", "error", "processed_at", "body", "seam", "external_id"]


def _process(delivery: Delivery, context: Context) -> None:
    """Apply one delivery in a savepoint; whatever goes wrong is recorded on it instead."""
    try:
        with transaction.atomic():
            _apply(delivery, context)
            delivery.status = Delivery.Status.APPLIED
    except Unmatched:
        delivery.status, delivery.reason = Delivery.Status.IGNORED, Delivery.Reason.UNMATCHED
    except EXPECTED as exc:
        delivery.status, delivery.error = Delivery.Status.FAILED, str(exc)[:2000]
    except Exception as exc:  # recorded on the delivery, never lost; logged for ops
        log.exception("Delivery %s failed", delivery.pk)
        delivery.status = Delivery.Status.FAILED
        delivery.error = f"Unexpected error: {type(exc).__name__}: {exc}"[:2000]
    delivery.processed_at = timezone.now()
    delivery.body = "" if delivery.status == Delivery.Status.APPLIED else delivery.body


def _apply(delivery: Delivery, context: Context) -> None:
    source = delivery.source
    payload = parse_json(delivery.body)
    if source.kind == Source.Kind.GENERIC:
        apply_generic(delivery, payload, context)
        return
    event = delivery.event.split(".")[0] if source.kind == Source.Kind.GITHUB else ""
    item = vendors.read_item(source, event, payload)
    if item is None:
        return
    delivery.external_id = item.external_id[:200]
    handoff = Handoff.objects.filter(source=source.slug, external_id=item.external_id).first()
    if handoff is not None:
        delivery.seam_id = handoff.seam_id
    else:
        delivery.seam = match_seam(item, context.rules_of(source))
        if item.stage is None:  # withdrawn before Seamline heard of it
            return
        handoff = _create(source, item, delivery.seam, context)
    apply_stage(handoff, item)


def match_seam(item: vendors.Item, rules: list[MappingRule]):
    """The first rule that matches wins; no rule matching is counted as unmatched."""
    for rule in rules:
        if rule.matches(item.facts):
            return rule.seam
    raise Unmatched


def _create(source: Source, item: vendors.Item, seam, context: Context) -> Handoff:
    row = {
        "seam": seam.slug,
        "external_id": item.external_id,
        "title": item.title,
        "approval_type": item.approval_type[:120],
        "submitted_at": item.created,
    }
    result = ingest([(0, row)], source=source.slug, partial=False, seams=context.seams)
    if not result.written:
        raise ValueError(f"Rejected: {result.errors[0].message}")
    return Handoff.objects.get(source=source.slug, external_id=item.external_id)


def apply_stage(handoff: Handoff, item: vendors.Item) -> None:
    """Move the handoff to the item's stage. Leaving "completed" again is a return (rework):
    the handoff is open until it is completed again. Back to "submitted" while it waits on its
    sender (returned in Seamline before its start) is the sender resubmitting it, then."""
    stage, at = item.stage, item.at
    if stage is None:
        return
    if stage == vendors.SUBMITTED and handoff.waiting_since and not handoff.started_at:
        # An event from before the return tells nothing new: the sender has not acted yet.
        if at > handoff.waiting_since:
            resubmit_handoff(handoff=handoff, by=None, at=at)
        return
    if handoff.completed_at and stage != vendors.COMPLETED:
        Handoff.objects.filter(pk=handoff.pk).update(completed_at=None, lead_hours=None)
        reason = f"Reopened ({item.status or stage})"
        handoff = return_handoff(
            handoff=Handoff.objects.get(pk=handoff.pk),
            reason=reason[: HandoffReturn._meta.get_field("reason").max_length],
            at=max(at, handoff.submitted_at),
        )
        handoff.refresh_from_db()
    if stage in (vendors.STARTED, vendors.COMPLETED) and not handoff.started_at:
        handoff = start_handoff(handoff=handoff, at=max(at, handoff.submitted_at))
    if stage == vendors.COMPLETED and not handoff.completed_at:
        complete_handoff(handoff=handoff, at=max(at, handoff.started_at))


def apply_generic(delivery: Delivery, payload, context: Context | None = None) -> None:
    rows = payload if isinstance(payload, list) else [payload]
    seams = context.seams if context else None
    result = ingest(list(enumerate(rows)), source=delivery.source.slug, partial=True, seams=seams)
    errors = "; ".join(f"row {e.row}: {e.message}" for e in result.errors)
    if not result.created and not result.updated:
        raise ValueError(f"No handoff taken: {errors}")
    delivery.error = errors[:2000]
    if len(rows) == 1 and isinstance(rows[0].get("external_id"), str):
        delivery.external_id = rows[0]["external_id"][:200]
        found = Handoff.objects.filter(
            source=delivery.source.slug, external_id=delivery.external_id
        ).first()
        delivery.seam_id = found.seam_id if found else None
