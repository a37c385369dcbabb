"""The monthly seam metrics of DESIGN.md, computed set-based and stored as snapshots.

One query per metric family covers every seam and month asked for (grouped by seam and month in
SQL); percentiles use `Percentile`, the same aggregate on PostgreSQL and SQLite. Business-hour
durations are read from the rows, where they were stored when the timestamps were set. The only
per-row Python is the oldest open item's age: one business-time sum per seam and month.

A month is [first day 00:00, next month's first day 00:00) in the organisation's time zone.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf, Trim, TruncMonth
from django.utils import timezone

from common.months import (  # noqa: F401  (re-exported: engine.month_start, …)
    current_month,
    month_start,
    month_under_review,
    next_month,
    previous_month,
)
from contracts import catalogue
from contracts.models import Contract, MetricTarget
from decisions.models import ON_TIME_Q, Decision, Dependency, Escalation
from metrics.models import MonthlySeamMetrics
from metrics.percentile import Percentile
from seams.models import Handoff, HandoffReturn, Seam

PLACES = Decimal("0.0001")
UNSPECIFIED = "unspecified"
# What the snapshot stores besides the seam, month, rag and computed_at: the catalogue says.


# --- Months ------------------------------------------------------------------------------------
# The arithmetic lives in common.months (decisions' board needs it too); these names stay here.


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the month as aware instants in the organisation's time zone."""
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(month, time.min, tzinfo=zone),
        datetime.combine(next_month(month), time.min, tzinfo=zone),
    )


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


# Seamline takes no handoff before 2000 (seams.ingest.EARLIEST), so no month before it has data;
# asking for one is a typing slip, and month arithmetic near year 1 overflows.
FIRST_MONTH = date(2000, 1, 1)
# The last month a query may name (the API's month pattern is 2xxx-MM).
LAST_MONTH = date(2999, 12, 1)


def parse_month(text: str | None, *, ahead_ok: bool = False) -> date | None:
    """A YYYY-MM text as its month's first day; None for none. ValueError says what's wrong:
    not YYYY-MM, no such month, before January 2000 or (unless `ahead_ok`, for a query that
    simply finds nothing there) after the current month."""
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}", text.strip()):
        raise ValueError(f"A month is written YYYY-MM, like 2026-10; “{text[:20]}” isn't.")
    try:
        month = date.fromisoformat(f"{text.strip()}-01")
    except ValueError as exc:
        raise ValueError(f"There is no month “{text}”.") from exc
    if month < FIRST_MONTH:
        raise ValueError(f"Seamline keeps months from January 2000 on; “{text}” is before that.")
    if month > LAST_MONTH:
        raise ValueError(f"Seamline keeps months up to December 2999; “{text}” is after that.")
    if month > current_month() and not ahead_ok:
        raise ValueError(f"{month:%B %Y} hasn't started yet.")
    return month


@dataclass(frozen=True)
class MonthProgress:
    """How far the current month has run: today is day `day` of its `days`."""

    day: int
    days: int

    @property
    def label(self) -> str:
        return f"so far (day {self.day} of {self.days})"


def month_progress(month: date) -> MonthProgress | None:
    """None for a month that has ended; for the current month, which day of it today is. Its
    numbers are provisional, and counts where higher is better are not judged yet."""
    if month_start(month) != current_month():
        return None
    days = (next_month(month) - month_start(month)).days
    return MonthProgress(day=timezone.localdate().day, days=days)


def all_months() -> list[date]:
    """Every month from the first with data (a handoff, decision, escalation or dependency)
    to the current one."""
    today = timezone.localdate()
    starts = [
        Handoff.objects.aggregate(first=Min("submitted_at"))["first"],
        Decision.objects.aggregate(first=Min("requested_at"))["first"],
        Escalation.objects.aggregate(first=Min("raised_at"))["first"],
    ]
    days = [timezone.localdate(instant) for instant in starts if instant]
    days.append(Dependency.objects.aggregate(first=Min("needed_by"))["first"] or today)
    return months_between(min(min(days), today), today)


# --- Computation -------------------------------------------------------------------------------


def _empty() -> dict:
    """The metrics of one seam and month before any are gathered."""
    return dict.fromkeys(catalogue.COUNTS, 0) | dict.fromkeys(catalogue.VALUES)


def _hours(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(PLACES)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(PLACES) if whole else None


class _Grid:
    """Cells by (seam id, month), for the seams and months being computed."""

    def __init__(self, seam_ids: list[int], months: list[date]):
        self.months = set(months)
        self.cells = {(s, m): _empty() for s in seam_ids for m in months}
        self.zone = timezone.get_default_timezone()

    def cell(self, seam_id: int, bucket) -> dict | None:
        month = bucket if isinstance(bucket, date) and not isinstance(bucket, datetime) else None
        if month is None:
            month = timezone.localtime(bucket, self.zone).date()
        return self.cells.get((seam_id, month_start(month)))


def _by_month(queryset, field: str, seam_ids, months):
    """Rows whose `field` falls in the months, with a `bucket` (their month) and `seam_id`."""
    start, _ = month_bounds(min(months))
    _, end = month_bounds(max(months))
    rows = queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    if seam_ids is not None:
        rows = rows.filter(seam_id__in=seam_ids)
    zone = timezone.get_default_timezone()
    return rows.annotate(bucket=TruncMonth(field, tzinfo=zone)).values("seam_id", "bucket")


def compute(months: Iterable[date], seam_ids: Iterable[int] | None = None) -> int:
    """Compute and store the snapshots of these months for these seams (all seams when None).
    Returns how many snapshots were written. Safe to run again: it upserts."""
    months = sorted({month_start(m) for m in months if month_start(m) <= current_month()})
    seams = Seam.objects.all() if seam_ids is None else Seam.objects.filter(pk__in=seam_ids)
    seams = list(seams.select_related("calendar").prefetch_related("calendar__holidays"))
    if not months or not seams:
        return 0
    # Naming the seams, even all of them, lets PostgreSQL walk the (seam, time) indexes for a
    # month or two instead of reading the whole table.
    only = [seam.pk for seam in seams]
    grid = _Grid([seam.pk for seam in seams], months)
    now = timezone.now()
    _handoff_flow(grid, only, months)
    _lead_by_type(grid, only, months)
    _sla(grid, only, months, now)
    _open_work(grid, {seam.pk: seam for seam in seams}, only, months, now)
    _escalations(grid, only, months)
    _decisions(grid, only, months, now)
    _dependencies(grid, only, months)
    return _store(grid, now)


def _handoff_flow(grid: _Grid, only, months) -> None:
    handoffs = Handoff.objects.all()
    for row in _by_month(handoffs, "submitted_at", only, months).annotate(n=Count("pk")):
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell["submitted"] = row["n"]
    # Ready the first time: no return before the start (the sender's side of the seam).
    returned_before_start = Exists(
        HandoffReturn.objects.filter(
            handoff_id=OuterRef("pk"), returned_at__lt=OuterRef("started_at")
        )
    )
    started = (
        _by_month(handoffs, "started_at", only, months)
        .annotate(returned_first=returned_before_start)
        .values("seam_id", "bucket")
        .annotate(
            n=Count("pk"),
            ready=Count("pk", filter=Q(returned_first=False)),
            p50=Percentile("queue_hours", 0.5),
            p85=Percentile("queue_hours", 0.85),
        )
    )
    for row in started:
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell |= {
                "started": row["n"],
                "queue_time_p50_hours": _hours(row["p50"]),
                "queue_time_p85_hours": _hours(row["p85"]),
                "first_time_ready_rate": _rate(row["ready"], row["n"]),
            }
    completed = _by_month(handoffs, "completed_at", only, months).annotate(
        n=Count("pk"),
        returned=Count("pk", filter=Q(returned_count__gt=0)),
        p50=Percentile("lead_hours", 0.5),
        p85=Percentile("lead_hours", 0.85),
    )
    for row in completed:
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell |= {
                "throughput": row["n"],
                "rework_rate": _rate(row["returned"], row["n"]),
                "lead_time_p50_hours": _hours(row["p50"]),
                "lead_time_p85_hours": _hours(row["p85"]),
            }


def _lead_by_type(grid: _Grid, only, months) -> None:
    kind = Coalesce(NullIf(Trim("approval_type"), Value("")), Value(UNSPECIFIED))
    rows = (
        _by_month(Handoff.objects.all(), "completed_at", only, months)
        .annotate(kind=kind)
        .values("seam_id", "bucket", "kind")
        .annotate(
            n=Count("pk"),
            p50=Percentile("lead_hours", 0.5),
            p85=Percentile("lead_hours", 0.85),
        )
    )
    found = defaultdict(dict)
    for row in rows:
        found[row["seam_id"], row["bucket"]][row["kind"]] = {
            "p50": float(_hours(row["p50"])),
            "p85": float(_hours(row["p85"])),
            "n": row["n"],
        }
    for (seam_id, bucket), kinds in found.items():
        if cell := grid.cell(seam_id, bucket):
            cell["lead_time_by_approval_type"] = dict(sorted(kinds.items()))


def _sla(grid: _Grid, only, months, now: datetime) -> None:
    due = Handoff.objects.filter(sla_deadline__isnull=False, sla_deadline__lt=now)
    rows = _by_month(due, "sla_deadline", only, months).annotate(
        n=Count("pk"),
        breaches=Count(
            "pk", filter=Q(started_at__isnull=True) | Q(started_at__gt=F("sla_deadline"))
        ),
    )
    for row in rows:
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell |= {
                "sla_due": row["n"],
                "sla_breaches": row["breaches"],
                "sla_breach_rate": _rate(row["breaches"], row["n"]),
            }


def _open_work(grid: _Grid, seams: dict[int, Seam], only, months, now: datetime) -> None:
    """WIP at the cut-off T (the month's end, or now if earlier) and the oldest item's age.

    Everything completed before T was submitted before it, so WIP moves by each month's
    submitted minus its throughput (already in the grid) from what was open when the first
    month began. The oldest open item is one index walk (seam, submitted_at) per seam and month.
    """
    first = month_bounds(months[0])[0]
    # Open when the first month began: still open, or completed since (few, recent rows).
    open_then = Handoff.objects.filter(seam_id__in=only, submitted_at__lt=first).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=first)
    )
    base = dict(open_then.values("seam_id").annotate(n=Count("pk")).values_list("seam_id", "n"))
    for seam_id in seams:
        open_now = base.get(seam_id, 0)
        for month in months:
            cell = grid.cells[seam_id, month]
            open_now += cell["submitted"] - cell["throughput"]
            cell["wip_open"] = open_now
    for month in months:
        cutoff = min(month_bounds(month)[1], now)
        oldest = (
            Handoff.objects.filter(seam_id=OuterRef("pk"), submitted_at__lt=cutoff)
            .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=cutoff))
            .order_by("submitted_at")
            .values("submitted_at")[:1]
        )
        rows = Seam.objects.filter(pk__in=list(seams)).annotate(oldest=Subquery(oldest))
        for seam_id, submitted in rows.filter(oldest__isnull=False).values_list("pk", "oldest"):
            age = seams[seam_id].calendar.business_hours_between(submitted, cutoff)
            grid.cells[seam_id, month]["oldest_open_age_hours"] = _hours(age)


def _escalations(grid: _Grid, only, months) -> None:
    for row in _by_month(Escalation.objects.all(), "raised_at", only, months).annotate(
        n=Count("pk")
    ):
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell["escalations"] = row["n"]


def _decisions(grid: _Grid, only, months, now: datetime) -> None:
    tagged = Decision.objects.filter(seam__isnull=False)
    decided = _by_month(tagged.filter(latency_hours__isnull=False), "decided_at", only, months)
    for row in decided.annotate(p85=Percentile("latency_hours", 0.85)):
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell["decision_latency_p85_hours"] = _hours(row["p85"])
    # The decision log's own rule (DecisionQuerySet.breached), in the month of the due time.
    breached = _by_month(tagged.breached(now), "due_at", only, months)
    for row in breached.annotate(n=Count("pk")):
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell["decision_sla_breaches"] = row["n"]


def _dependencies(grid: _Grid, only, months) -> None:
    rows = Dependency.objects.filter(seam__isnull=False).due_between(
        min(months), next_month(max(months))
    )
    if only is not None:
        rows = rows.filter(seam_id__in=only)
    rows = (
        rows.annotate(bucket=TruncMonth("needed_by"))
        .values("seam_id", "bucket")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=ON_TIME_Q),
        )
    )
    for row in rows:
        if cell := grid.cell(row["seam_id"], row["bucket"]):
            cell |= {"dependencies_due": row["n"], "dependencies_on_time": row["on_time"]}


# --- RAG and storage ---------------------------------------------------------------------------


def rag_status(value, target: "Goal | MetricTarget") -> str | None:
    """green within target, amber within its tolerance, red beyond; None without a value.

    Rates are stored as fractions and targeted in percent."""
    if value is None:
        return None
    value = Decimal(str(value))
    if catalogue.BY_NAME[target.metric].is_rate:
        value *= 100
    band = target.target * target.tolerance_pct / 100
    if target.direction == MetricTarget.Direction.HIGHER:
        low, high = target.target - band, target.target
        return "green" if value >= high else "amber" if value >= low else "red"
    return (
        "green" if value <= target.target else "amber" if value <= target.target + band else "red"
    )


@dataclass(frozen=True)
class Goal:
    """A target as `rag_status` reads it, without a model instance per row."""

    metric: str
    target: Decimal
    direction: str
    tolerance_pct: Decimal


def targets_for(seams=None, contract: Contract | None = None) -> dict[int, dict[str, Goal]]:
    """Each seam's targets: a contract's, or those of every contract in force (pilot or
    active), the first contract's winning where two target the same metric. `seams` narrows
    it: seam ids or a queryset of them."""
    targets = MetricTarget.objects.all()
    if seams is not None:
        targets = targets.filter(seam_id__in=seams)
    if contract is not None:
        targets = targets.filter(contract=contract)
    else:
        targets = targets.filter(contract__status__in=Contract.IN_FORCE)
    found: dict[int, dict[str, Goal]] = defaultdict(dict)
    for seam_id, metric, target, direction, tolerance in targets.order_by(
        "contract_id", "pk"
    ).values_list("seam_id", "metric", "target", "direction", "tolerance_pct"):
        found[seam_id].setdefault(metric, Goal(metric, target, direction, tolerance))
    return found


@transaction.atomic
def _store(grid: _Grid, now: datetime) -> int:
    targets = targets_for({seam_id for seam_id, _ in grid.cells})
    snapshots = []
    for (seam_id, month), cell in grid.cells.items():
        rag = {
            metric: rag_status(cell.get(metric), target)
            for metric, target in targets.get(seam_id, {}).items()
        }
        snapshots.append(
            MonthlySeamMetrics(
                seam_id=seam_id,
                month=month,
                rag={metric: status for metric, status in rag.items() if status},
                computed_at=now,
                **cell,
            )
        )
    MonthlySeamMetrics.objects.bulk_create(
        snapshots,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["seam", "month"],
        update_fields=[*catalogue.FIELDS, "rag", "computed_at"],
    )
    return len(snapshots)
