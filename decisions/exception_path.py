"""The SLA clock's exception path: escalate handoffs left waiting past their spec's patience.

A handoff not started by its response deadline plus the spec's `escalate_after_hours`
(business hours, on the seam's calendar) is escalated once: the spec's `escalate_to` gets an
email, and an escalation tagged to the seam (cause: SLA breach) is recorded. The handoff is
claimed with a conditional UPDATE before anything is sent, so concurrent or repeated runs never
notify twice. A handoff that fails (its email refused) is logged and left for the next run;
the others are escalated.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from common import events
from common.batch import Batch
from common.mail import header_text
from decisions.models import Escalation
from seams.models import Handoff

log = logging.getLogger(__name__)


def escalation_due(handoff: Handoff) -> datetime:
    """When the handoff's wait becomes an escalation."""
    after = handoff.seam.spec.escalate_after_hours
    if not after:
        return handoff.sla_deadline
    return handoff.seam.calendar.add_business_hours(handoff.sla_deadline, after)


def escalate_overdue_handoffs(*, now: datetime | None = None) -> int:
    """Escalate every handoff past its escalation time; returns how many this run escalated."""
    now = now or timezone.now()
    waiting = (
        Handoff.objects.filter(
            started_at__isnull=True,
            completed_at__isnull=True,
            escalated_at__isnull=True,
            sla_deadline__lt=now,
        )
        .select_related("seam__calendar", "seam__spec__escalate_to")
        .prefetch_related("seam__calendar__holidays")
    )
    escalated = 0
    batch = Batch("Escalation run", log)
    for handoff in waiting.iterator(chunk_size=500):
        with batch.item(f"handoff {handoff.pk}"):
            if escalation_due(handoff) <= now and _escalate(handoff, now):
                escalated += 1
    batch.report()
    return escalated


@transaction.atomic
def _escalate(handoff: Handoff, now: datetime) -> bool:
    claimed = Handoff.objects.filter(pk=handoff.pk, escalated_at__isnull=True).update(
        escalated_at=now
    )
    if not claimed:
        return False  # another run got there first
    spec = handoff.seam.spec
    hours_late = handoff.seam.calendar.business_hours_between(handoff.sla_deadline, now)
    Escalation.objects.create(
        seam=handoff.seam,
        handoff=handoff,
        cause=Escalation.Cause.SLA_BREACH,
        severity="high",
        raised_by=None,
        raised_at=now,
        summary=f"“{handoff.title}” not started {hours_late:.0f} business hours after its "
        f"response deadline"[:300],
    )
    events.emit("handoff.breached", handoff_id=handoff.pk)
    person = spec.escalate_to
    if person and person.email:
        # Sent inside the claim's transaction: if the mail server fails, the claim rolls back
        # and the next run tries again.
        submitted = timezone.localtime(handoff.submitted_at)
        due = timezone.localtime(handoff.sla_deadline)
        forum = f" in {spec.forum}" if spec.forum else ""
        send_mail(
            subject=header_text(
                f"Escalation: {header_text(handoff.title, max_length=120)} is waiting on "
                f"{handoff.seam.name}"
            ),
            message=(
                f"{handoff.title} ({handoff.source}/{handoff.external_id}) was submitted "
                f"{submitted:%a %-d %b %H:%M} and is still not started. Its response was due "
                f"{due:%a %-d %b %H:%M}.\n\nThe spec of {handoff.seam.name} names you for its "
                f"exception path{forum}."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[person.email],
        )
    return True
