"""The named events the core emits when its records change (common.events).

Every way a handoff, calendar or holiday is written passes here: the services, the admin, the
API's serializers, data fixes and tests' factories alike, so a later app that subscribes misses
none. A handoff's events ("handoff.saved", "handoff.deleted") are placed by its seam and
submission time (common.events.emit_on_write). The bulk writers (seams.ingest,
seams.csv_copy) bypass model saves and emit "handoffs.written" themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from common import events
from seams import signals
from seams.models import Calendar, CalendarHoliday, Handoff

# What a calendar's working time is made of: a change to any of these moves its clocks.
WORKING_TIME = ("time_zone", "working_weekdays", "day_start", "day_end", "is_24x7")


def _working_time(calendar: Calendar) -> tuple:
    return tuple(getattr(calendar, name) for name in WORKING_TIME)


def _calendar_saving(sender, instance: Calendar, **kwargs) -> None:
    old = Calendar.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._working_time_before = _working_time(old) if old else None


def _calendar_saved(sender, instance: Calendar, created: bool, **kwargs) -> None:
    before = getattr(instance, "_working_time_before", None)
    if not created and before is not None and before != _working_time(instance):
        events.emit("calendar.changed", calendar_id=instance.pk)


def _holiday_changed(sender, instance: CalendarHoliday, **kwargs) -> None:
    events.emit("calendar.changed", calendar_id=instance.calendar_id)


def handoffs_written(*, seam_ids: set[int], earliest, moved_from: dict) -> None:
    """Handoffs were written in bulk, bypassing model saves: tell the audit log (the
    `handoffs_written` signal, which it receives) and the later apps ("handoffs.written")."""
    signals.handoffs_written.send(
        sender=Handoff, seam_ids=seam_ids, earliest=earliest, moved_from=moved_from
    )
    events.emit("handoffs.written", seam_ids=seam_ids, earliest=earliest, moved_from=moved_from)


def connect() -> None:
    events.emit_on_write(Handoff, at="submitted_at")
    pre_save.connect(_calendar_saving, sender=Calendar, dispatch_uid="seams-calendar-saving")
    post_save.connect(_calendar_saved, sender=Calendar, dispatch_uid="seams-calendar-saved")
    for signal in (post_save, post_delete):
        signal.connect(
            _holiday_changed, sender=CalendarHoliday, dispatch_uid=f"seams-holiday-{signal}"
        )
