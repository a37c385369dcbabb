import logging
from datetime import date

from celery import chord, shared_task
from django.db import OperationalError
from django.utils import timezone

from common.batch import Batch
from metrics import engine
from metrics.models import MetricsRun
from metrics.quality import run_data_quality_check
from seams.handoffs import restamp_calendar
from seams.models import Calendar, Seam

log = logging.getLogger(__name__)

RETRIES = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


@shared_task(**RETRIES, soft_time_limit=120, time_limit=180)
def check_data_quality() -> int:
    """Nightly (see CELERY_BEAT_SCHEDULE) and on demand from the home page."""
    return run_data_quality_check().pk


@shared_task(**RETRIES, acks_late=True, soft_time_limit=300, time_limit=360)
def compute_seam_month(seam_id: int, month: str) -> int:
    """One seam's snapshot for one month (YYYY-MM). Safe to run twice: it upserts.

    One of a chord's tasks: if it raised, the chord would never finish its run, and the page
    would show it running for ever. A seam that fails is logged and counts 0."""
    batch = Batch("Metric snapshot", log)
    written = 0
    with batch.item(f"seam {seam_id}, {month}"):
        written = engine.compute([date.fromisoformat(f"{month}-01")], [seam_id])
    batch.report()
    return written


@shared_task(**RETRIES)
def finish_run(results, run_id: int | None = None) -> None:
    """The chord's last step: the run is complete."""
    if run_id is not None:
        MetricsRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


@shared_task(**RETRIES)
def compute_metrics(
    months: list[str] | None = None, run_id: int | None = None, seam_ids: list[int] | None = None
) -> int:
    """Fan out one task per seam and month (a chord that marks the run finished).
    Months are YYYY-MM; none means the current and the previous month. All seams by default."""
    if not months:
        current = engine.current_month()
        months = [f"{engine.previous_month(current):%Y-%m}", f"{current:%Y-%m}"]
    months = _valid_months(months)
    seams = Seam.objects.order_by("pk")
    if seam_ids is not None:
        seams = seams.filter(pk__in=seam_ids)
    seam_ids = list(seams.values_list("pk", flat=True))
    tasks = [compute_seam_month.si(seam_id, month) for month in months for seam_id in seam_ids]
    if not tasks:
        finish_run.delay([], run_id=run_id)
        return 0
    chord(tasks)(finish_run.s(run_id=run_id))
    return len(tasks)


def _valid_months(months: list) -> list[str]:
    """The months that can be computed; any other is logged and skipped, so that one bad
    month never stops the run (or leaves it unfinished)."""
    valid = []
    for month in months:
        try:
            valid.append(f"{engine.parse_month(str(month)):%Y-%m}")
        except (ValueError, TypeError) as exc:
            log.error("Skipped the recompute of month %r: %s", month, exc)
    return valid


@shared_task(**RETRIES)
def close_month() -> int:
    """On the 1st: the month just ended gets its final snapshots."""
    return compute_metrics([f"{engine.previous_month(engine.current_month()):%Y-%m}"])


@shared_task(**RETRIES, acks_late=True, soft_time_limit=1800, time_limit=1860)
def calendar_changed(calendar_id: int) -> int:
    """A calendar's rules changed: restamp the stored durations and deadlines of its seams'
    handoffs and decisions (latencies and due times), then recompute every month of those
    seams' snapshots."""
    from decisions.models import Decision
    from decisions.services import latency_hours, restamp_due_times

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


@shared_task(**RETRIES)
def seam_targets_changed(seam_id: int) -> int:
    """A contract target on the seam changed: its recent months' RAG statuses follow."""
    current = engine.current_month()
    return engine.compute([engine.previous_month(current), current], [seam_id])
