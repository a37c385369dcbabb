from celery import shared_task

from common import outbox


# Named as when it lived in `seams`: the beat schedule and messages already queued use the name.
@shared_task(name="seams.tasks.relay_outbox", soft_time_limit=50, time_limit=55)
def relay_outbox() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): send the tasks that waited for the broker."""
    sent = outbox.relay()
    outbox.purge_sent()
    return sent
