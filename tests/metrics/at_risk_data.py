"""Handoffs for the pages and the task built on the leading signals' at-risk list.

Handoffs go through seams.handoffs; `submitted_clock` (the stamping's business clock) is set
here where the service doesn't fill it yet, as seams.business_time.clock_hours defines it."""

from datetime import datetime
from decimal import Decimal

from seams.business_time import clock_hours
from seams.handoffs import return_handoff, submit_handoff
from seams.models import Calendar, Handoff, HandoffSpec
from tests.factories import SeamFactory

STORED = Decimal("0.0001")


def submitted(seam, when: datetime, title: str = "Acme SSO", external_id: str = "") -> Handoff:
    handoff = submit_handoff(seam=seam, title=title, by=None, at=when, external_id=external_id)
    if handoff.submitted_clock is None:
        rules = seam.calendar.working_time()
        handoff.submitted_clock = Decimal(str(clock_hours(rules, when))).quantize(STORED)
        handoff.save(update_fields=["submitted_clock"])
    return handoff


def always_seam(name: str, from_team, to_team, sla_hours: int = 10, owner=None):
    """A seam on the 24x7 calendar (business hours = elapsed hours) with this response SLA."""
    seam = SeamFactory(
        name=name, from_team=from_team, to_team=to_team, calendar=Calendar.objects.always()
    )
    HandoffSpec.objects.filter(seam=seam).update(response_sla_hours=Decimal(sla_hours), owner=owner)
    seam.refresh_from_db()
    return seam


def waiting_on_sender(handoff: Handoff, when: datetime) -> Handoff:
    """Returned to its sender before start and not resubmitted: the receiver's clock pauses.
    The return is recorded by seams.handoffs; its pause fields (`pauses`, `returned_clock`)
    and the handoff's `waiting_since` are set here as the stamping defines them."""
    return_handoff(handoff=handoff, reason="No sample payload", at=when)
    back = handoff.returns.get(returned_at=when)
    rules = handoff.seam.calendar.working_time()
    back.pauses = True
    back.returned_clock = Decimal(str(clock_hours(rules, when))).quantize(STORED)
    back.save()
    handoff.refresh_from_db()
    handoff.waiting_since, handoff.sla_deadline = when, None
    handoff.save()
    return handoff
