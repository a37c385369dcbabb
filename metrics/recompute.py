"""What the metrics tasks do, as plain functions (each task calls exactly one of them)."""

import logging
from datetime import date, datetime

from django.utils import timezone

from common.batch import Batch
from decisions.models import Decision
from decisions.services import latency_hours, restamp_due_times
from metrics import engine
from metrics.models import MetricsRun, MonthlySeamMetrics
from seams.handoffs import restamp_calendar
from seams.models import Calendar, Seam

log = logging.getLogger(__name__)


def compute_one(seam_id: int, month: str) -> int:
    """One seam's snapshot for one month (YYYY-MM); a failure is logged and counts 0, so that a
    run of many never stops on one."""
    batch = Batch("Metric snapshot", log)
    written = 0
    with batch.item(f"seam {seam_id}, {month}"):
        written = engine.compute([date.fromisoformat(f"{month}-01")], [seam_id])
    batch.report()
    return written


def finish_run(run_id: int | None) -> None:
    """A run's snapshots are all written: it is complete."""
    if run_id is not None:
        MetricsRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


def run_cells(
    months: list[str] | None, seam_ids: list[int] | None, *, stale_since: str | None = None
) -> list[tuple[int, str]]:
    """The (seam, month) snapshots a run computes: months are YYYY-MM, none meaning the current
    and the previous month; all seams by default. A month that can't be computed is logged and
    skipped, so that one bad month never stops the run (or leaves it unfinished).

    With `stale_since` (the ISO time a write committed and asked for this refresh), snapshots
    computed after it are left out: a computation stamps its start before it reads, so
    it already counted that write. A burst of writes then costs a few computations, not one
    each."""
    if not months:
        current = engine.current_month()
        months = [f"{engine.previous_month(current):%Y-%m}", f"{current:%Y-%m}"]
    months = _valid_months(months)
    seams = Seam.objects.order_by("pk")
    if seam_ids is not None:
        seams = seams.filter(pk__in=seam_ids)
    ids = list(seams.values_list("pk", flat=True))
    cells = [(seam_id, month) for month in months for seam_id in ids]
    fresh = _fresh_since(stale_since, ids, months) if stale_since and cells else set()
    return [cell for cell in cells if cell not in fresh]


def _fresh_since(stale_since: str, seam_ids: list[int], months: list[str]) -> set:
    """The (seam, month) snapshots computed after `stale_since` (strictly: a frozen clock
    in a test stamps a computation before the write with the same time)."""
    try:
        since = datetime.fromisoformat(stale_since)
    except (TypeError, ValueError):
        log.error(
            "Refresh asked with an unreadable time %r: every snapshot recomputed.", stale_since
        )
        return set()
    found = MonthlySeamMetrics.objects.filter(
        seam_id__in=seam_ids,
        month__in=[date.fromisoformat(f"{month}-01") for month in months],
        computed_at__gt=since,
    ).values_list("seam_id", "month")
    return {(seam_id, f"{month:%Y-%m}") for seam_id, month in found}


def _valid_months(months: list) -> list[str]:
    valid = []
    for month in months:
        try:
            valid.append(f"{engine.parse_month(str(month)):%Y-%m}")
        except (ValueError, TypeError) as exc:
            log.error("Skipped the recompute of month %r: %s", month, exc)
    return valid


def last_month() -> str:
    """The month just ended, YYYY-MM."""
    return f"{engine.previous_month(engine.current_month()):%Y-%m}"


def recompute_calendar(calendar_id: int) -> int:
    """A calendar's rules changed: restamp the stored durations and deadlines of its seams'
    handoffs and decisions (latencies and due times), then recompute every month of those
    seams' snapshots. The number of handoffs restamped."""
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return 0
    written = restamp_calendar(calendar)
    restamp_due_times(decisions=Decision.objects.filter(seam__calendar=calendar))
    decided = Decision.objects.filter(seam__calendar=calendar, decided_at__isnull=False)
    batch = Batch(f"Decision latencies on calendar {calendar_id}", log)
    for decision in decided.select_related("seam__calendar").iterator(chunk_size=500):
        with batch.item(f"decision {decision.pk}"):
            latency = latency_hours(decision)
            if latency != decision.latency_hours:
                Decision.objects.filter(pk=decision.pk).update(latency_hours=latency)
    batch.report()
    seam_ids = list(Seam.objects.filter(calendar=calendar).values_list("pk", flat=True))
    if seam_ids:
        engine.compute(engine.all_months(), seam_ids)
    return written


def recompute_targets(seam_id: int) -> int:
    """A contract target on the seam changed: its recent months' RAG statuses follow."""
    current = engine.current_month()
    return engine.compute([engine.previous_month(current), current], [seam_id])
