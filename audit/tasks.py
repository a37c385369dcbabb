from celery import shared_task

from audit.prune import prune


# Named as it was when it lived in the seams app: the beat entry and queued messages use it.
@shared_task(name="seams.tasks.prune_records", soft_time_limit=600, time_limit=660)
def prune_records() -> dict[str, int]:
    """Every night (CELERY_BEAT_SCHEDULE): forget refused writes, sign-ins and, if set,
    changes past their keeping time (audit.prune)."""
    return prune()
