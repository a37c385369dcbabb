"""Flow on one seam for a month, for the drill-down's three flow charts (metrics.charts draws
them): what was open at the month's cut-off and how old it was, against the queue-time service
level expectation; what was completed in the month and its lead time; and the cumulative flow
by day.

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
from metrics.percentile import Percentile
from seams.models import Handoff, Seam

# The aging chart's columns, left to right: the receiver has not started it, it is back with its
# sender for missing inputs, the receiver has started it.
SUBMITTED, WAITING, STARTED = "submitted", "waiting", "started"
STATES = (SUBMITTED, WAITING, STARTED)
SLE_DAYS = 90  # the service level expectation looks back this far from the cut-off
SLE_MIN_N = 20  # below this many handoffs started in the window, no percentile is given
SLE_FRACTIONS = {"p50": 0.5, "p70": 0.7, "p85": 0.85, "p95": 0.95}


def cut_off(month: date, now: datetime) -> datetime:
    """The instant the month is looked at: its end, or now if that is earlier."""
    return min(month_bounds(month)[1], now)


# --- Work item age and the queue-time SLE -------------------------------------------------------
# DESIGN.md, "Leading signals". These two functions stand in for metrics.signals, which computes
# the same figures for the signals API; when it lands the drill-down reads them from there and
# these go.


@dataclass(frozen=True)
class OpenItem:
    """A handoff open at the cut-off: its aging-chart column and its age in business hours."""

    pk: int
    title: str
    external_id: str
    state: str  # SUBMITTED, WAITING or STARTED
    age_hours: float


def open_items(seam: Seam, at: datetime) -> list[OpenItem]:
    """The seam's handoffs open at `at` (submitted before it, not completed before it), oldest
    first, each with its work item age at `at` on the seam's calendar: not started, the business
    hours from submission outside its pauses (one still waiting on its sender at `at` stops
    ageing when it was sent back); started, the business hours from submission. One query, and
    one for the calendar's holidays unless its rules are already built."""
    rows = (
        Handoff.objects.filter(seam=seam, submitted_at__lt=at)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=at))
        .order_by("submitted_at", "pk")
        .values_list(
            "pk",
            "title",
            "external_id",
            "submitted_at",
            "started_at",
            "waiting_since",
            "paused_hours",
        )
    )
    calendar = seam.calendar
    items = []
    for pk, title, external_id, submitted, started, waiting_since, paused in rows:
        if started is not None and started < at:
            state, age = STARTED, calendar.business_hours_between(submitted, at)
        else:
            waiting = waiting_since is not None and waiting_since < at
            state = WAITING if waiting else SUBMITTED
            until = waiting_since if waiting else at
            age = calendar.business_hours_between(submitted, until) - float(paused or 0)
        items.append(OpenItem(pk, title, external_id, state, round(max(age, 0.0), 4)))
    return items


def queue_sle(seam: Seam, at: datetime) -> dict:
    """`queue_sle_hours`: {p50, p70, p85, p95, n} of queue time over the seam's handoffs started
    in [at - 90 days, at); every percentile None when n < 20. One query."""
    row = Handoff.objects.filter(
        seam=seam,
        started_at__gte=at - timedelta(days=SLE_DAYS),
        started_at__lt=at,
        queue_hours__isnull=False,
    ).aggregate(
        n=Count("pk"),
        **{name: Percentile("queue_hours", fraction) for name, fraction in SLE_FRACTIONS.items()},
    )
    enough = row["n"] >= SLE_MIN_N
    return {
        **{name: round(row[name], 2) if enough else None for name in SLE_FRACTIONS},
        "n": row["n"],
    }


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
