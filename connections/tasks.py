from celery import shared_task
from django.db import OperationalError

from connections import inbound
from connections.deliveries import send_delivery, send_due_deliveries
from connections.outbound_scan import scan

# A lost database connection is worth retrying; anything else is recorded where it happened.
RETRIES = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(
    name="connections.tasks.process_delivery", **RETRIES, soft_time_limit=120, time_limit=150
)
def process_delivery(delivery_id: int) -> str:
    """Apply one delivery received by an inbound source (connections.inbound)."""
    return inbound.process_delivery(delivery_id)


@shared_task(**RETRIES, soft_time_limit=120, time_limit=150)
def send_deliveries(delivery_ids: list[int]) -> list[str | None]:
    """Sent through the outbox after a write commits: one attempt at each delivery. A failure
    is not retried here: the delivery's own backoff schedules it for the sweep."""
    return [send_delivery(delivery_id) for delivery_id in delivery_ids]


@shared_task(**RETRIES, soft_time_limit=540, time_limit=600)
def send_due() -> int:
    """Every minute (see CELERY_BEAT_SCHEDULE): new deliveries and retries whose time came."""
    return send_due_deliveries()


@shared_task(**RETRIES, soft_time_limit=300, time_limit=360)
def scan_due_events() -> int:
    """Every 15 minutes (see CELERY_BEAT_SCHEDULE); each object and event is told once."""
    return scan()
