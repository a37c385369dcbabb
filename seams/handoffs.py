"""Handoff writes: recording one, moving it through submitted → started → completed, and the
stored SLA deadline and business-hour durations that the metrics read."""

import logging
import uuid
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common import events
from common.batch import Batch
from seams import business_time
from seams.models import Calendar, Handoff, HandoffReturn, Seam, User

HOURS = Decimal("0.0001")
log = logging.getLogger(__name__)


class HandoffRefused(Exception):
    """A move the handoff's state doesn't allow; says why."""


def stamp(handoff: Handoff, *, calendar: Calendar, response_sla: Decimal | None) -> Handoff:
    """Fill the deadline (once) and the stored durations from the handoff's timestamps.

    `response_sla` is the spec's response SLA now; it only counts for a handoff that has no
    SLA fixed yet (its first recording).
    """
    rules = calendar.working_time()
    if handoff.pk is None:  # first recording: fix the SLA it is measured against
        handoff.sla_hours = response_sla
        handoff.sla_deadline = (
            business_time.add_business_hours(rules, handoff.submitted_at, response_sla)
            if response_sla
            else None
        )

    def hours(end: datetime | None) -> Decimal | None:
        if end is None:
            return None
        value = business_time.business_hours_between(rules, handoff.submitted_at, end)
        return Decimal(str(value)).quantize(HOURS)

    handoff.queue_hours = hours(handoff.started_at)
    handoff.lead_hours = hours(handoff.completed_at)
    return handoff


def _spec_sla(seam: Seam) -> Decimal | None:
    spec = getattr(seam, "spec", None)
    return spec.response_sla_hours if spec else None


@transaction.atomic
def submit_handoff(
    *,
    seam: Seam,
    title: str,
    by: User | None,
    approval_type: str = "",
    at: datetime | None = None,
    source: str = "app",
    external_id: str = "",
) -> Handoff:
    handoff = Handoff(
        seam=seam,
        title=title,
        approval_type=approval_type,
        source=source,
        external_id=external_id or f"app-{uuid.uuid4().hex[:12]}",
        submitted_at=at or timezone.now(),
    )
    stamp(handoff, calendar=seam.calendar, response_sla=_spec_sla(seam))
    handoff.full_clean(exclude=["seam"])
    handoff.save()
    return handoff


def _move(handoff: Handoff, **changes) -> Handoff:
    handoff = (
        Handoff.objects.select_for_update().select_related("seam__calendar").get(pk=handoff.pk)
    )
    for name, value in changes.items():
        setattr(handoff, name, value)
    try:
        handoff.clean()
    except ValidationError as exc:  # the move is impossible for these timestamps
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise HandoffRefused(" ".join(messages)) from exc
    stamp(handoff, calendar=handoff.seam.calendar, response_sla=None)
    handoff.save()
    return handoff


@transaction.atomic
def start_handoff(*, handoff: Handoff, at: datetime | None = None) -> Handoff:
    if handoff.started_at:
        raise HandoffRefused("It has already started.")
    return _move(handoff, started_at=at or timezone.now())


@transaction.atomic
def complete_handoff(*, handoff: Handoff, at: datetime | None = None) -> Handoff:
    if handoff.completed_at:
        raise HandoffRefused("It is already completed.")
    if not handoff.started_at:
        raise HandoffRefused("Start it before completing it.")
    return _move(handoff, completed_at=at or timezone.now())


@transaction.atomic
def return_handoff(
    *,
    handoff: Handoff,
    reason: str,
    missing_item: str = "",
    by: User | None = None,
    at: datetime | None = None,
) -> Handoff:
    """Send it back to the sender: one more return, recorded with when and why."""
    if handoff.completed_at:
        raise HandoffRefused("A completed handoff can't be returned.")
    handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
    returned = HandoffReturn.objects.create(
        handoff=handoff,
        reason=reason,
        missing_item=missing_item,
        by=by,
        returned_at=at or timezone.now(),
    )
    handoff.returned_count += 1
    handoff.save(update_fields=["returned_count", "updated_at"])
    events.emit("handoff.returned", handoff_id=handoff.pk, return_id=returned.pk)
    return handoff


RESTAMPED = ["sla_deadline", "queue_hours", "lead_hours"]


def restamp_calendar(calendar: Calendar, *, chunk: int = 2000) -> int:
    """After a calendar changes (hours, days, zone, holidays): the stored deadline and durations
    of every handoff on a seam using it, recomputed on the new rules. The SLA hours fixed at
    first recording stay. Returns how many handoffs were rewritten."""
    calendar = Calendar.objects.with_holidays().get(pk=calendar.pk)  # fresh rules
    rules = calendar.working_time()
    handoffs = Handoff.objects.filter(seam__calendar=calendar).order_by("pk")
    changed, written = [], 0
    # Stamping is computation only: a handoff it fails on is logged and keeps its old stamps.
    batch = Batch(f"Restamping calendar {calendar.pk}", log, savepoint=False)
    for handoff in handoffs.iterator(chunk_size=chunk):
        with batch.item(f"handoff {handoff.pk}"):
            before = [getattr(handoff, name) for name in RESTAMPED]
            stamp(handoff, calendar=calendar, response_sla=None)
            if handoff.sla_hours:
                handoff.sla_deadline = business_time.add_business_hours(
                    rules, handoff.submitted_at, handoff.sla_hours
                )
            if [getattr(handoff, name) for name in RESTAMPED] != before:
                changed.append(handoff)
        if len(changed) >= chunk:
            written += _save_stamps(changed)
    batch.report()
    return written + _save_stamps(changed)


def _save_stamps(handoffs: list[Handoff]) -> int:
    count = len(handoffs)
    Handoff.objects.bulk_update(handoffs, RESTAMPED)
    handoffs.clear()
    return count
