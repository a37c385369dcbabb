from celery import shared_task
from django.db import OperationalError

from connections import inbound


@shared_task(
    name="connections.tasks.process_delivery",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def process_delivery(delivery_id: int) -> str:
    """Apply one delivery received by an inbound source (connections.inbound)."""
    return inbound.process_delivery(delivery_id)
