"""The named events the core emits when its records change (common.events).

Every way a handoff, calendar or holiday is written passes here: the services, the admin, the
API's serializers, data fixes and tests' factories alike, so a later app that subscribes misses
none. Each event tells what changed and, for a saved handoff, where it was before (its seam and
submission time), so a subscriber can tell what a move left behind. The bulk writers
(seams.ingest, seams.csv_copy) bypass model saves and emit "handoffs.written" themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from common import events
from seams import signals
from seams.models import Calendar, CalendarHoliday, Handoff

# What a calendar's working time is made of: a change to any of these moves its clocks.
WORKING_TIME = ("time_zone", "working_weekdays", "day_start", "day_end", "is_24x7")


def _handoff_saving(sender, instance: Handoff, update_fields=None, **kwargs) -> None:
    instance._place_before = None
    if instance.pk is None or (
        update_fields is not None and not {"seam", "submitted_at"} & set(update_fields)
    ):
        return
    found = Handoff.objects.filter(pk=instance.pk).values_list("seam_id", "submitted_at")
    instance._place_before = found.first()


def _handoff_saved(sender, instance: Handoff, **kwargs) -> None:
    was_seam_id, was_submitted_at = getattr(instance, "_place_before", None) or (None, None)
    events.emit(
        "handoff.saved",
        seam_id=instance.seam_id,
        submitted_at=instance.submitted_at,
        was_seam_id=was_seam_id,
        was_submitted_at=was_submitted_at,
    )


def _handoff_deleted(sender, instance: Handoff, **kwargs) -> None:
    events.emit("handoff.deleted", seam_id=instance.seam_id, submitted_at=instance.submitted_at)


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
    pre_save.connect(_handoff_saving, sender=Handoff, dispatch_uid="seams-handoff-saving")
    post_save.connect(_handoff_saved, sender=Handoff, dispatch_uid="seams-handoff-saved")
    post_delete.connect(_handoff_deleted, sender=Handoff, dispatch_uid="seams-handoff-deleted")
    pre_save.connect(_calendar_saving, sender=Calendar, dispatch_uid="seams-calendar-saving")
    post_save.connect(_calendar_saved, sender=Calendar, dispatch_uid="seams-calendar-saved")
    for signal in (post_save, post_delete):
        signal.connect(
            _holiday_changed, sender=CalendarHoliday, dispatch_uid=f"seams-holiday-{signal}"
        )
