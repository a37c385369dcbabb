"""What makes a snapshot stale is one rule (metrics.staleness.mark_stale), reached by the named
events the writing apps emit; writes in one transaction gather into one refresh."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from common import events
from common.models import OutboxMessage
from metrics import engine, staleness
from tests.factories import SeamFactory

LONDON = ZoneInfo("Europe/London")


def _refreshes():
    return list(
        OutboxMessage.objects.filter(task="metrics.tasks.compute_metrics").values_list(
            "args", "kwargs"
        )
    )


def test_events_in_one_transaction_gather_into_one_refresh(db, django_capture_on_commit_callbacks):
    one, two = SeamFactory(), SeamFactory()
    month = engine.current_month()
    at = dt.datetime.combine(month, dt.time(12), tzinfo=LONDON)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.emit("handoff.saved", seam_id=one.pk, at=at)
        events.emit("escalation.saved", seam_id=two.pk, at=at + dt.timedelta(hours=1))
        events.emit("dependency.saved", seam_id=one.pk, at=month)
    [(args, kwargs)] = _refreshes()
    assert args == [[f"{month:%Y-%m}"]]
    assert kwargs.pop("stale_since")  # when the writes committed: see run_cells
    assert kwargs == {"seam_ids": sorted([one.pk, two.pk])}


def test_a_move_refreshes_where_it_was_too(db, django_capture_on_commit_callbacks):
    one, two = SeamFactory(), SeamFactory()
    month = engine.current_month()
    at = dt.datetime.combine(month, dt.time(12), tzinfo=LONDON)
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(
            "handoff.saved",
            seam_id=one.pk,
            at=at,
            was_seam_id=two.pk,
            was_at=at,
        )
    [(_, kwargs)] = _refreshes()
    assert kwargs.pop("stale_since")  # when the writes committed: see run_cells
    assert kwargs == {"seam_ids": sorted([one.pk, two.pk])}


def test_nothing_is_queued_while_paused(db, django_capture_on_commit_callbacks):
    seam = SeamFactory()
    at = dt.datetime.now(tz=LONDON)
    with django_capture_on_commit_callbacks(execute=True), staleness.paused():
        events.emit("handoff.saved", seam_id=seam.pk, at=at)
        events.emit("target.changed", seam_id=seam.pk)
    assert not OutboxMessage.objects.exists()


def test_a_place_without_seam_or_time_counts_nowhere(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staleness.mark_stale([(None, dt.datetime.now(tz=LONDON)), (1, None)])
    assert not OutboxMessage.objects.exists()
