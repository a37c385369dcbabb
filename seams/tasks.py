from celery import shared_task
from django.db import OperationalError

from seams.csv_import import run_import


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=3600,
    time_limit=3660,
)
def import_handoffs(import_id: int) -> None:
    """Import an uploaded handoff CSV (a HandoffImport), reporting progress as it goes."""
    run_import(import_id)
