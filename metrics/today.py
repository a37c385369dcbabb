"""What ops act on today: the handoffs about to breach, the decisions due today and the
escalations raised since yesterday began. Days are the organisation's (the TIME_ZONE setting)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from decisions.models import Decision, Escalation
from metrics import signals
from seams.models import Seam


@dataclass(frozen=True)
class Day:
    """The organisation's today, as instants: [start, end), and yesterday's start."""

    start: datetime
    end: datetime
    yesterday: datetime


def day_of(now: datetime) -> Day:
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()

    def midnight(day) -> datetime:
        return timezone.make_aware(datetime(day.year, day.month, day.day), zone)

    return Day(
        start=midnight(today),
        end=midnight(today + timedelta(days=1)),
        yesterday=midnight(today - timedelta(days=1)),
    )


@dataclass(frozen=True)
class AtRiskRow:
    item: signals.AtRiskItem
    seam: Seam


def at_risk_rows(seams: QuerySet, now: datetime) -> list[AtRiskRow]:
    """Every at-risk handoff on these seams, soonest to breach first, with its seam."""
    items = signals.at_risk_handoffs(at=now, seams=seams)
    by_id = Seam.objects.select_related("from_team", "to_team").in_bulk(
        {item.seam_id for item in items}
    )
    return [AtRiskRow(item=item, seam=by_id[item.seam_id]) for item in items]


def decisions_due_today(now: datetime) -> QuerySet:
    """Waiting for a decision (open or reopened) with a due time today; earliest due first."""
    day = day_of(now)
    return (
        Decision.objects.pending()
        .filter(due_at__gte=day.start, due_at__lt=day.end)
        .with_related()
        .order_by("due_at", "pk")
    )


def new_escalations(now: datetime) -> QuerySet:
    """Raised since the start of yesterday (and not after now), newest first."""
    day = day_of(now)
    return (
        Escalation.objects.filter(raised_at__gte=day.yesterday, raised_at__lte=now)
        .select_related("seam__from_team", "seam__to_team", "raised_by", "handoff")
        .order_by("-raised_at", "-pk")
    )
