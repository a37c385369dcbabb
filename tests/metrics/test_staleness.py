"""Changes that make stored durations or snapshots stale refresh them once they commit."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts.models import Contract, ContractSeam, MetricTarget
from metrics import engine
from metrics.models import MonthlySeamMetrics
from seams.handoffs import stamp
from seams.models import CalendarHoliday, Handoff
from tests.factories import SeamFactory

LONDON = ZoneInfo("Europe/London")
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def seam(db):
    seam = SeamFactory(name="Sales to Product")
    seam.spec.response_sla_hours = Decimal(8)
    seam.spec.save()
    handoff = Handoff(
        seam=seam,
        source="t",
        external_id="H1",
        title="H1",
        submitted_at=dt.datetime(2026, 10, 9, 17, tzinfo=LONDON),  # a Friday, 17:00
        started_at=dt.datetime(2026, 10, 13, 9, 30, tzinfo=LONDON),  # the Tuesday after
    )
    stamp(handoff, calendar=seam.calendar, response_sla=Decimal(8))
    handoff.save()
    engine.compute([OCT], [seam.pk])
    return seam


def test_a_new_holiday_restamps_durations_and_deadlines_and_recomputes(
    seam, django_capture_on_commit_callbacks, celery_eager
):
    handoff = Handoff.objects.get()
    assert handoff.queue_hours == Decimal("9.5000")  # Fri 0.5 + Mon 8.5 + Tue 0.5
    with django_capture_on_commit_callbacks(execute=True):
        CalendarHoliday.objects.create(calendar=seam.calendar, date=dt.date(2026, 10, 12))
    handoff.refresh_from_db()
    assert handoff.queue_hours == Decimal("1.0000")  # Friday's half hour and Tuesday's
    # 8 h from Friday 17:00: 0.5 h Friday, then 7.5 h on Tuesday (Monday is now a holiday).
    assert handoff.sla_deadline == dt.datetime(2026, 10, 13, 16, 30, tzinfo=LONDON)
    assert MonthlySeamMetrics.objects.get(seam=seam, month=OCT).queue_time_p50_hours == Decimal(
        "1.0000"
    )


def test_changing_working_hours_restamps_but_renaming_does_not(
    seam, django_capture_on_commit_callbacks, celery_eager, monkeypatch
):
    calendar = seam.calendar
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar.name = "Renamed"
        calendar.save()
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        calendar.day_end = dt.time(17, 0)
        calendar.save()
    assert Handoff.objects.get().queue_hours == Decimal("8.5000")  # Fri 0 + Mon 8 + Tue 0.5


def test_a_new_target_recolours_the_seams_recent_months(
    seam, leader, django_capture_on_commit_callbacks, celery_eager
):
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    Handoff.objects.update(
        submitted_at=dt.datetime.now(tz=LONDON) - dt.timedelta(days=1), started_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        MetricTarget.objects.create(contract=contract, seam=seam, metric="wip_open", target=0)
    snapshot = MonthlySeamMetrics.objects.get(seam=seam, month=engine.current_month())
    assert snapshot.rag == {"wip_open": "red"}


def test_imported_handoffs_refresh_their_seams_months_once_committed(
    seam, django_capture_on_commit_callbacks, celery_eager, csv_path
):
    from io import BytesIO

    from seams.csv_import import import_csv
    from seams.handoff_rules import CSV_COLUMNS

    MonthlySeamMetrics.objects.all().delete()
    rows = [f"{seam.slug},X-{n},Imported,standard,2026-10-0{n}T10:00:00,,,0" for n in range(1, 4)]
    content = ("\n".join([",".join(CSV_COLUMNS), *rows]) + "\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        import_csv(BytesIO(content), source="csv", partial=False)
    october = MonthlySeamMetrics.objects.get(seam=seam, month=OCT)
    assert october.submitted == 4  # the fixture's handoff and the three imported
    months = set(MonthlySeamMetrics.objects.filter(seam=seam).values_list("month", flat=True))
    assert months == set(engine.months_between(OCT, engine.current_month()))


def test_a_handoff_moved_in_the_app_refreshes_its_month(
    seam, django_capture_on_commit_callbacks, celery_eager
):
    from seams.handoffs import complete_handoff

    with django_capture_on_commit_callbacks(execute=True):
        complete_handoff(
            handoff=Handoff.objects.get(), at=dt.datetime(2026, 10, 14, 10, tzinfo=LONDON)
        )
    assert MonthlySeamMetrics.objects.get(seam=seam, month=OCT).throughput == 1


def test_a_refresh_skips_snapshots_computed_after_its_write_committed(seam):
    """A burst of writes queues a refresh each; those asked before a computation began are
    answered by it and skipped, the others still compute."""
    from metrics.recompute import run_cells

    computed = MonthlySeamMetrics.objects.get(seam=seam, month=OCT).computed_at
    before = (computed - dt.timedelta(seconds=1)).isoformat()
    same = computed.isoformat()  # a frozen clock: not proof the write was counted
    after = (computed + dt.timedelta(seconds=1)).isoformat()
    nov = (seam.pk, "2026-11")
    assert run_cells(["2026-10", "2026-11"], [seam.pk], stale_since=before) == [nov]
    assert run_cells(["2026-10", "2026-11"], [seam.pk], stale_since=same) == [
        (seam.pk, "2026-10"),
        nov,
    ]
    assert run_cells(["2026-10"], [seam.pk], stale_since=after) == [(seam.pk, "2026-10")]
    assert run_cells(["2026-10"], [seam.pk], stale_since="not a time") == [(seam.pk, "2026-10")]


def test_a_write_after_a_computation_still_refreshes_it(
    seam, django_capture_on_commit_callbacks, celery_eager
):
    handoff = Handoff.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        handoff.title = "Renamed"
        handoff.started_at = dt.datetime(2026, 10, 12, 9, 30, tzinfo=LONDON)  # a day sooner
        stamp(handoff, calendar=seam.calendar, response_sla=Decimal(8))
        handoff.save()
    snapshot = MonthlySeamMetrics.objects.get(seam=seam, month=OCT)
    assert snapshot.queue_time_p50_hours == Decimal("1.0000")  # Fri 0.5 + Mon 0.5
