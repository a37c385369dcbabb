"""What makes stored metrics stale, and the task that refreshes them after the change commits.

A calendar's rules or holidays change every business-hour duration measured on it; a contract
target changes a seam's RAG statuses. A spec's SLA does not: each handoff keeps the SLA it was
recorded with (DESIGN.md), so editing a spec rewrites no history. A data migration that
restamps stored times does: `migrate` queues the recompute after it.
"""

import contextlib
import threading
from datetime import datetime, time

from django.db import connections, transaction
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save
from django.utils import timezone

from common import outbox
from contracts.models import MetricTarget
from decisions.models import Decision, Dependency, Escalation
from seams.models import Calendar, CalendarHoliday, Handoff
from seams.signals import handoffs_written

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
        outbox.enqueue(calendar_changed, calendar_id)


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
        outbox.enqueue(seam_targets_changed, seam_id)


def _seams_changed(seam_ids, earliest) -> None:
    """Queue a refresh of these seams from `earliest`'s month to now, once the write commits.
    Writes within one transaction gather into one refresh (kept on the connection; what a
    rolled-back transaction left is dropped)."""
    if getattr(_state, "paused", False) or not seam_ids:
        return
    connection = transaction.get_connection()
    registered = any(entry[1] is _refresh_pending for entry in connection.run_on_commit)
    if not registered:
        connection.seamline_pending_refresh = {}
    pending = connection.seamline_pending_refresh
    for seam_id in seam_ids:
        pending[seam_id] = min(pending.get(seam_id, earliest), earliest)
    # The first of these to run drains what is pending; the others find nothing left.
    transaction.on_commit(_refresh_pending)


def _refresh_pending() -> None:
    from metrics import engine
    from metrics.tasks import compute_metrics

    connection = transaction.get_connection()
    pending = getattr(connection, "seamline_pending_refresh", None) or {}
    connection.seamline_pending_refresh = {}
    by_month: dict = {}
    for seam_id, earliest in pending.items():
        month = engine.month_start(timezone.localtime(earliest).date())
        by_month.setdefault(month, set()).add(seam_id)
    for first, seam_ids in by_month.items():
        months = engine.months_between(first, engine.current_month())
        if months:  # none when it counts only from a month still ahead (a needed-by date)
            outbox.enqueue(
                compute_metrics, [f"{m:%Y-%m}" for m in months], seam_ids=sorted(seam_ids)
            )


# What a saved handoff's refresh depends on: every other timestamp is on or after submission.
PLACE = ("seam_id", "submitted_at")


def handoff_saving(sender, instance: Handoff, update_fields=None, **kwargs):
    """Before a handoff is saved over: where it was counted until now (its seam, and its months
    from submission on), so that side is refreshed too when the save moves it."""
    instance._place_before = None
    if instance.pk is None or (
        update_fields is not None and not {"seam", "submitted_at"} & set(update_fields)
    ):
        return
    instance._place_before = Handoff.objects.filter(pk=instance.pk).values_list(*PLACE).first()


def handoff_saved(sender, instance: Handoff, **kwargs):
    _seams_changed({instance.seam_id}, instance.submitted_at)
    before = getattr(instance, "_place_before", None)
    if before is not None and before != (instance.seam_id, instance.submitted_at):
        _seams_changed({before[0]}, before[1])


def handoffs_bulk_written(sender, seam_ids, earliest, moved_from=None, **kwargs):
    _seams_changed(seam_ids, earliest)
    # The other side of an update: seams and months the rows left, which counted them so far.
    for seam_id, since in (moved_from or {}).items():
        _seams_changed({seam_id}, since)


# The other records the snapshots count, and what places one in them: its seam, and the field
# from whose month on it counts (escalations in the month raised; a decision's latency and
# breach from its request on; a dependency in the month it is needed by).
COUNTED_FROM = {Escalation: "raised_at", Decision: "requested_at", Dependency: "needed_by"}


def _counted_place(model, seam_id, when) -> tuple | None:
    if seam_id is None or when is None:
        return None
    if not isinstance(when, datetime):  # a needed-by date: from that day's start
        when = timezone.make_aware(datetime.combine(when, time.min))
    return seam_id, when


def record_saving(sender, instance, **kwargs):
    """Before a decision, escalation or dependency is saved over: where it was counted."""
    instance._place_before = None
    if instance.pk is not None:
        found = sender.objects.filter(pk=instance.pk).values_list("seam_id", COUNTED_FROM[sender])
        instance._place_before = _counted_place(sender, *found.first() or (None, None))


def record_saved(sender, instance, **kwargs):
    """Logged, moved, decided, withdrawn, delivered or deleted: its seam's months from where
    it counts are refreshed, and those it left when it moved."""
    now = _counted_place(sender, instance.seam_id, getattr(instance, COUNTED_FROM[sender]))
    for place in {now, getattr(instance, "_place_before", None)} - {None}:
        _seams_changed({place[0]}, place[1])


# A data migration that changed what past months count: after it, they are recomputed.
RESTAMPS = {("decisions", "0004_restamp_decision_due_times")}


def recompute_after_restamp(sender, app_config, plan=None, using="default", **kwargs) -> None:
    """After `migrate` applied a restamp, queue the recompute of every month with snapshots
    through the outbox (a migration itself doesn't talk to Celery). A fresh database has no
    snapshots, and nothing is queued."""
    from metrics.models import MonthlySeamMetrics
    from metrics.tasks import compute_metrics

    if app_config.label != "metrics" or not plan:
        return
    applied = {(migration.app_label, migration.name) for migration, back in plan if not back}
    if not applied & RESTAMPS:
        return
    # `migrate decisions` alone on a new database runs the restamp before metrics has tables.
    if MonthlySeamMetrics._meta.db_table not in connections[using].introspection.table_names():
        return
    months = MonthlySeamMetrics.objects.using(using).dates("month", "month")
    if months:
        outbox.enqueue(compute_metrics, [f"{month:%Y-%m}" for month in months])


def connect() -> None:
    post_migrate.connect(recompute_after_restamp, dispatch_uid="metrics-recompute-after-restamp")
    pre_save.connect(handoff_saving, sender=Handoff, dispatch_uid="metrics-handoff-saving")
    post_save.connect(handoff_saved, sender=Handoff, dispatch_uid="metrics-handoff-saved")
    # A deleted handoff leaves its seam's months counting it until they are refreshed.
    post_delete.connect(handoff_saved, sender=Handoff, dispatch_uid="metrics-handoff-deleted")
    handoffs_written.connect(handoffs_bulk_written, dispatch_uid="metrics-handoffs-written")
    for model in COUNTED_FROM:
        name = model._meta.model_name
        pre_save.connect(record_saving, sender=model, dispatch_uid=f"metrics-{name}-saving")
        post_save.connect(record_saved, sender=model, dispatch_uid=f"metrics-{name}-saved")
        post_delete.connect(record_saved, sender=model, dispatch_uid=f"metrics-{name}-deleted")
    pre_save.connect(calendar_saving, sender=Calendar, dispatch_uid="metrics-calendar-saving")
    post_save.connect(calendar_saved, sender=Calendar, dispatch_uid="metrics-calendar-saved")
    for signal in (post_save, post_delete):
        signal.connect(
            holiday_changed, sender=CalendarHoliday, dispatch_uid=f"metrics-holiday-{signal}"
        )
        signal.connect(target_changed, sender=MetricTarget, dispatch_uid=f"metrics-target-{signal}")
