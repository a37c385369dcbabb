"""Warning once about each at-risk handoff (DESIGN.md, Leading signals: "each at-risk handoff
warns once").

The periodic task (metrics.tasks.warn_at_risk_handoffs) asks the signals for the handoffs at
risk now and, for each not warned before, records an AtRiskWarning and emits
"handoff.at_risk" in the same transaction: the connections app turns the event into email,
Slack and Teams notifications. The warning row is claimed first, so repeated or concurrent runs
never warn twice; a handoff that fails is logged and left for the next run.
"""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from common import events
from common.batch import Batch
from metrics import signals
from metrics.models import AtRiskWarning

log = logging.getLogger(__name__)


def warn_at_risk_handoffs(*, now: datetime | None = None) -> int:
    """Warn about every handoff at risk at `now` (now when None) not warned yet; returns how
    many this run warned."""
    now = now or timezone.now()
    at_risk = signals.at_risk_handoffs(at=now)
    warned_before = set(
        AtRiskWarning.objects.filter(handoff_id__in=[item.id for item in at_risk]).values_list(
            "handoff_id", flat=True
        )
    )
    warned = 0
    batch = Batch("At-risk warnings", log)
    for item in at_risk:
        if item.id in warned_before:
            continue
        with batch.item(f"handoff {item.id}"):
            if _warn(item, now):
                warned += 1
    batch.report()
    return warned


def _warn(item: signals.AtRiskItem, now: datetime) -> bool:
    try:
        with transaction.atomic():
            AtRiskWarning.objects.create(
                handoff_id=item.id, warned_at=now, breaches_in_hours=item.breaches_in_hours
            )
            events.emit("handoff.at_risk", handoff_id=item.id)
    except IntegrityError:
        return False  # another run warned first
    return True
