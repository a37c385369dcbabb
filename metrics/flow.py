"""Flow on one seam for a month, for the drill-down's flow charts (metrics.flow_charts draws
them): the month's cut-off, what was completed in the month and its lead time, and the
cumulative flow by day. What was open at the cut-off and its age against the queue-time service
level expectation are the leading signals at that instant (metrics.signals).

Every function here reads with a fixed number of queries whatever the month holds: the cumulative
flow is counted per series grouped by day, never a query per day, and runs the same on SQLite
and PostgreSQL.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from metrics.engine import month_bounds
from seams.models import Handoff, Seam


def cut_off(month: date, now: datetime) -> datetime:
    """The instant the month is looked at: its end, or now if that is earlier."""
    return min(month_bounds(month)[1], now)


# --- Cycle time and cumulative flow -------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """A handoff completed in the month: when, and its lead time (submitted → completed)."""

    title: str
    external_id: str
    completed_at: datetime
    lead_hours: float


def completions(seam: Seam, month: date) -> list[Completion]:
    """The seam's handoffs completed in the month with a lead time, in completion order. One
    query."""
    start, end = month_bounds(month)
    rows = (
        Handoff.objects.filter(
            seam=seam, completed_at__gte=start, completed_at__lt=end, lead_hours__isnull=False
        )
        .order_by("completed_at", "pk")
        .values_list("title", "external_id", "completed_at", "lead_hours")
    )
    return [Completion(t, e, c, float(h)) for t, e, c, h in rows]


@dataclass(frozen=True)
class CumulativeFlow:
    """Per day of the month (to today in the current month), how many of the seam's handoffs
    had, by the end of that day, arrived, been started and been completed. Arrived counts what
    was still open when the month began plus what was submitted since; the bands between the
    lines are what was waiting to start, what was in progress, and what was done in the month."""

    days: list[date]
    arrived: list[int]
    started: list[int]
    completed: list[int]


def cumulative_flow(seam: Seam, month: date, now: datetime) -> CumulativeFlow:
    """The month's cumulative flow (see CumulativeFlow). Four queries: what was open when the
    month began, then arrivals, starts and completions in the month, each grouped by local day."""
    start, end = month_bounds(month)
    last = min(end, now)
    if last <= start:
        return CumulativeFlow([], [], [], [])
    zone = timezone.get_default_timezone()
    first_day = start.astimezone(zone).date()
    # The last day drawn holds `last` (the instant just before it, so a month ended shows its
    # last day and not the next month's first).
    last_day = (last - timedelta(microseconds=1)).astimezone(zone).date()
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    handoffs = Handoff.objects.filter(seam=seam).order_by()
    carried = handoffs.filter(submitted_at__lt=start).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=start)
    )
    base = carried.aggregate(
        arrived=Count("pk"), started=Count("pk", filter=Q(started_at__lt=start))
    )

    def by_day(field: str) -> dict[date, int]:
        rows = (
            handoffs.filter(**{f"{field}__gte": start, f"{field}__lt": last})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values("day")
            .annotate(n=Count("pk"))
            .values_list("day", "n")
        )
        return dict(rows)

    return CumulativeFlow(
        days=days,
        arrived=_running(days, by_day("submitted_at"), base["arrived"]),
        started=_running(days, by_day("started_at"), base["started"]),
        completed=_running(days, by_day("completed_at"), 0),
    )


def _running(days: list[date], counts: dict[date, int], total: int) -> list[int]:
    """Running totals by day, from `total` before the first day."""
    totals = []
    for day in days:
        total += counts.get(day, 0)
        totals.append(total)
    return totals
