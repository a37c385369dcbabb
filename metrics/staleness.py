"""What makes stored metrics stale, and the refresh queued after the change commits.

The rule, in one function (`mark_stale`): a snapshot counts a record from its seam's month in
which the record is placed on; when a record is written, moved or deleted, its seam's months
from that place on are stale, and so are those of the place a move left. The writes that
change a place reach it as named events (common.events) which the writing apps emit: a
handoff (from its submission on), an escalation (raised), a decision (requested) and a
dependency (needed by). Writes in one transaction gather into one refresh per month range.

Two writes change more than a place. A calendar's working hours or holidays change every
business-hour duration measured on it (the whole calendar is restamped and recomputed); a
contract target changes a seam's RAG statuses (its recent months are recomputed). A spec's
SLA does not: each handoff keeps the SLA it was recorded with (DESIGN.md), so editing a spec
rewrites no history. A data migration that restamps stored times does: `migrate` queues the
recompute after it.
"""

import contextlib
import threading
from datetime import date, datetime, time

from django.db import connections, transaction
from django.db.models.signals import post_migrate
from django.utils import timezone

from common import events, outbox

_state = threading.local()


@contextlib.contextmanager
def paused():
    """Bulk writers that recompute everything at the end themselves (the demo) pause this."""
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = False


def _is_paused() -> bool:
    return getattr(_state, "paused", False)


def mark_stale(places) -> None:
    """THE RULE: each (seam id, from when) place given is stale from its month on. Queue a
    refresh of those seams' months up to now once the write commits; writes within one
    transaction gather into one refresh (kept on the connection; what a rolled-back
    transaction left is dropped). A place without a seam or a time counts nowhere."""
    places = [(seam_id, _instant(when)) for seam_id, when in places if seam_id and when]
    if _is_paused() or not places:
        return
    connection = transaction.get_connection()
    registered = any(entry[1] is _refresh_pending for entry in connection.run_on_commit)
    if not registered:
        connection.seamline_pending_refresh = {}
    pending = connection.seamline_pending_refresh
    for seam_id, earliest in places:
        pending[seam_id] = min(pending.get(seam_id, earliest), earliest)
    # The first of these to run drains what is pending; the others find nothing left.
    transaction.on_commit(_refresh_pending)


def _instant(when: datetime | date) -> datetime:
    """A needed-by date counts from that day's start."""
    if isinstance(when, datetime):
        return when
    return timezone.make_aware(datetime.combine(when, time.min))


def _refresh_pending() -> None:
    from metrics import engine
    from metrics.tasks import compute_metrics

    connection = transaction.get_connection()
    pending = getattr(connection, "seamline_pending_refresh", None) or {}
    connection.seamline_pending_refresh = {}
    # The writes behind this refresh have committed: any computation from now on counts them.
    stale_since = timezone.now().isoformat()
    by_month: dict = {}
    for seam_id, earliest in pending.items():
        month = engine.month_start(timezone.localtime(earliest).date())
        by_month.setdefault(month, set()).add(seam_id)
    for first, seam_ids in by_month.items():
        months = engine.months_between(first, engine.current_month())
        if months:  # none when it counts only from a month still ahead (a needed-by date)
            outbox.enqueue(
                compute_metrics,
                [f"{m:%Y-%m}" for m in months],
                seam_ids=sorted(seam_ids),
                stale_since=stale_since,
            )


# --- What the events say -------------------------------------------------------------------


def handoffs_written(*, seam_ids, earliest, moved_from=None) -> None:
    # The other side of an update: seams and months the rows left, which counted them so far.
    places = [(seam_id, earliest) for seam_id in seam_ids]
    mark_stale(places + list((moved_from or {}).items()))


def record_saved(*, seam_id, at, was_seam_id=None, was_at=None) -> None:
    """A handoff, decision, escalation or dependency written, moved, decided, withdrawn or
    delivered: stale from where it is and from where it was."""
    mark_stale({(seam_id, at), (was_seam_id, was_at)})


def record_deleted(*, seam_id, at) -> None:
    mark_stale([(seam_id, at)])


def calendar_changed(*, calendar_id: int) -> None:
    from metrics.tasks import calendar_changed as restamp_and_recompute

    if not _is_paused():
        outbox.enqueue(restamp_and_recompute, calendar_id)


def target_changed(*, seam_id: int) -> None:
    from metrics.tasks import seam_targets_changed

    if not _is_paused():
        outbox.enqueue(seam_targets_changed, seam_id)


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


# The records placed by a seam and a time (common.events.emit_on_write).
PLACED = ("handoff", "escalation", "decision", "dependency")
SUBSCRIPTIONS = {
    "handoffs.written": handoffs_written,
    "calendar.changed": calendar_changed,
    "target.changed": target_changed,
    **{f"{noun}.saved": record_saved for noun in PLACED},
    **{f"{noun}.deleted": record_deleted for noun in PLACED},
}


def subscribe() -> None:
    post_migrate.connect(recompute_after_restamp, dispatch_uid="metrics-recompute-after-restamp")
    for name, handler in SUBSCRIPTIONS.items():
        events.subscribe(name, handler)
