"""Handoffs for the pages and the task built on the leading signals' at-risk list, recorded
through seams.handoffs (which stamps their business clocks and pauses)."""

from datetime import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from seams.handoffs import return_handoff, submit_handoff
from seams.models import Calendar, Handoff, HandoffSpec
from tests.factories import SeamFactory


def submitted(seam, when: datetime, title: str = "Acme SSO", external_id: str = "") -> Handoff:
    return submit_handoff(seam=seam, title=title, by=None, at=when, external_id=external_id)


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
    Recorded through seams.handoffs, with the clock at the return (it may not be in the future)."""
    with time_machine.travel(max(when, timezone.now()), tick=False):
        return return_handoff(handoff=handoff, reason="No sample payload", at=when)
