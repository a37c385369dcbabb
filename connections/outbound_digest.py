"""What connections adds to the one daily digest (decisions.digest): corrective actions due
or overdue, and yesterday's notifications that concern the person (those they get by email,
so their subscriptions choose these too)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from connections.models import OutboundDelivery
from decisions.digest import add_section
from metrics.models import CorrectiveAction


def actions_due(today: date) -> dict:
    """Open corrective actions due by tomorrow, per owner."""
    lines = defaultdict(list)
    due = CorrectiveAction.objects.open().filter(due_on__lte=today + timedelta(days=1))
    for action in due.select_related("owner", "seam").order_by("due_on", "pk"):
        when = "overdue since" if action.due_on < today else "due"
        lines[action.owner].append(
            f"{action.title} ({action.seam.name}), {when} {action.due_on:%a %-d %b}"
        )
    return lines


def yesterdays_notifications(today: date) -> dict:
    """The notifications of the day before that were for the person."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(today - timedelta(days=1), time.min, tzinfo=tz)
    end = start + timedelta(days=1)
    lines = defaultdict(list)
    deliveries = OutboundDelivery.objects.filter(
        person__isnull=False, notification__created_at__gte=start, notification__created_at__lt=end
    ).select_related("person", "notification")
    for delivery in deliveries.order_by("notification__created_at", "pk"):
        lines[delivery.person].append(delivery.notification.title)
    return lines


def add_digest_sections() -> None:
    add_section("Corrective actions you own, due or overdue:", "actions due", actions_due)
    add_section("Yesterday, for you:", "new for you", yesterdays_notifications)
