from celery import shared_task
from django.db import OperationalError

from metrics.quality import run_data_quality_check


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)
def check_data_quality() -> int:
    """Nightly (see CELERY_BEAT_SCHEDULE) and on demand from the home page."""
    return run_data_quality_check().pk
