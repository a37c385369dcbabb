from celery import shared_task
from django.db import OperationalError

from decisions.digest import send_daily_digests
from decisions.exception_path import escalate_overdue_handoffs
from decisions.history_import import run_history_import


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=360,
)
def send_digests() -> int:
    """Daily (see CELERY_BEAT_SCHEDULE); safe to run twice: a person gets one digest a day."""
    return send_daily_digests()


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def escalate_handoffs() -> int:
    """Every 15 minutes (see CELERY_BEAT_SCHEDULE); a handoff is escalated at most once."""
    return escalate_overdue_handoffs()


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=3600,
    time_limit=3660,
)
def import_history(import_id: int) -> None:
    """A CSV of decisions, escalations or dependencies uploaded on the import page; safe to
    run twice: a finished import is left as it is."""
    run_history_import(import_id)
