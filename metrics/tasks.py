"""The metrics app's Celery tasks: each calls one plain function (metrics.recompute, …)."""

from celery import chord, shared_task
from django.db import OperationalError

from metrics import recompute, warnings
from metrics.quality import run_data_quality_check

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
    return recompute.compute_one(seam_id, month)


@shared_task(**RETRIES)
def finish_run(results, run_id: int | None = None) -> None:
    """The chord's last step: the run is complete."""
    recompute.finish_run(run_id)


@shared_task(**RETRIES)
def compute_metrics(
    months: list[str] | None = None,
    run_id: int | None = None,
    seam_ids: list[int] | None = None,
    stale_since: str | None = None,
) -> int:
    """Fan out one task per seam and month (a chord that marks the run finished).
    Months are YYYY-MM; none means the current and the previous month. All seams by default.
    `stale_since` (ISO time): a refresh after a write, which skips the snapshots already
    computed since then. (The chord is Celery's own plumbing; what to compute is
    recompute.run_cells'.)"""
    tasks = [
        compute_seam_month.si(seam_id, month)
        for seam_id, month in recompute.run_cells(months, seam_ids, stale_since=stale_since)
    ]
    if not tasks:
        finish_run.delay([], run_id=run_id)
        return 0
    chord(tasks)(finish_run.s(run_id=run_id))
    return len(tasks)


@shared_task(**RETRIES)
def close_month() -> int:
    """On the 1st: the month just ended gets its final snapshots."""
    return compute_metrics([recompute.last_month()])


@shared_task(**RETRIES, acks_late=True, soft_time_limit=1800, time_limit=1860)
def calendar_changed(calendar_id: int) -> int:
    """A calendar's rules changed: restamp its seams' stored times and recompute them."""
    return recompute.recompute_calendar(calendar_id)


@shared_task(**RETRIES)
def seam_targets_changed(seam_id: int) -> int:
    """A contract target on the seam changed: its recent months' RAG statuses follow."""
    return recompute.recompute_targets(seam_id)


@shared_task(**RETRIES, soft_time_limit=240, time_limit=300)
def warn_at_risk_handoffs() -> int:
    """Every 5 minutes (see CELERY_BEAT_SCHEDULE): each handoff newly at risk warns once."""
    return warnings.warn_at_risk_handoffs()
