"""What makes stored metrics stale, and the task that refreshes them after the change commits.

A calendar's rules or holidays change every business-hour duration measured on it; a contract
target changes a seam's RAG statuses. A spec's SLA does not: each handoff keeps the SLA it was
recorded with (DESIGN.md), so editing a spec rewrites no history.
"""

import contextlib
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from contracts.models import MetricTarget
from seams.models import Calendar, CalendarHoliday

RULES = ("time_zone", "working_weekdays", "day_start", "day_end", "is_24x7")
_state = threading.local()


@contextlib.contextmanager
def paused():
    """Bulk writers that recompute everything at the end themselves (the demo) pause this."""
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = False


def _calendar_changed(calendar_id: int) -> None:
    from metrics.tasks import calendar_changed

    if not getattr(_state, "paused", False):
        transaction.on_commit(lambda: calendar_changed.delay(calendar_id))


def _rules(calendar: Calendar) -> tuple:
    return tuple(getattr(calendar, name) for name in RULES)


def calendar_saving(sender, instance: Calendar, **kwargs):
    old = Calendar.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._rules_before = _rules(old) if old else None


def calendar_saved(sender, instance: Calendar, created: bool, **kwargs):
    before = getattr(instance, "_rules_before", None)
    if not created and before is not None and before != _rules(instance):
        _calendar_changed(instance.pk)


def holiday_changed(sender, instance: CalendarHoliday, **kwargs):
    _calendar_changed(instance.calendar_id)


def target_changed(sender, instance: MetricTarget, **kwargs):
    from metrics.tasks import seam_targets_changed

    seam_id = instance.seam_id
    if not getattr(_state, "paused", False):
        transaction.on_commit(lambda: seam_targets_changed.delay(seam_id))


def connect() -> None:
    pre_save.connect(calendar_saving, sender=Calendar, dispatch_uid="metrics-calendar-saving")
    post_save.connect(calendar_saved, sender=Calendar, dispatch_uid="metrics-calendar-saved")
    for signal in (post_save, post_delete):
        signal.connect(
            holiday_changed, sender=CalendarHoliday, dispatch_uid=f"metrics-holiday-{signal}"
        )
        signal.connect(target_changed, sender=MetricTarget, dispatch_uid=f"metrics-target-{signal}")
