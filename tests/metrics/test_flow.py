"""The seam's flow for a month: work item age at the cut-off on a business calendar and the
queue-time SLE (the leading signals at that instant), what was completed, and the cumulative
flow by day (metrics.flow). Hand-computed
on the UK calendar (Mon–Fri 09:00–17:30 Europe/London, 8.5 h a day)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from metrics import flow, signals
from seams.handoffs import (
    complete_handoff,
    resubmit_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)
from seams.models import Handoff

NOVEMBER = date(2026, 11, 1)  # Sunday 1st to Monday 30th, GMT throughout
END = datetime(2026, 12, 1, tzinfo=UTC)  # its cut-off, once it is over


def at(day: int, hour: float, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, tzinfo=UTC) + timedelta(hours=hour)


def handoff(seam, key: str, submitted: datetime, **fields) -> Handoff:
    return Handoff.objects.create(
        seam=seam,
        source="test",
        external_id=key,
        title=f"Item {key}",
        submitted_at=submitted,
        **fields,
    )


@pytest.fixture
def november(seam):
    """Through the real services, which stamp the clocks and the pauses the signals read."""
    submit(seam, "weekend", at(27, 16))  # Fri 16:00, not started
    start_handoff(handoff=submit(seam, "started", at(30, 9)), at=at(30, 10))
    return_handoff(handoff=submit(seam, "waiting", at(26, 9)), reason="No payload", at=at(26, 13))
    paused = submit(seam, "paused", at(25, 9))
    return_handoff(handoff=paused, reason="No payload", at=at(25, 10))
    resubmit_handoff(handoff=paused, by=None, at=at(25, 12))  # 2 h with its sender
    done = start_handoff(handoff=submit(seam, "done", at(30, 9)), at=at(30, 9))
    complete_handoff(handoff=done, at=at(30, 12))
    late = start_handoff(handoff=submit(seam, "late", at(30, 9)), at=at(30, 9.5))
    complete_handoff(handoff=late, at=at(2, 10, month=12))
    submit(seam, "after", at(1, 9, month=12))
    later = submit(seam, "back-later", at(30, 13))
    return_handoff(handoff=later, reason="No payload", at=at(2, 10, month=12))
    return seam


def submit(seam, key: str, when: datetime) -> Handoff:
    return submit_handoff(seam=seam, title=f"Item {key}", by=None, at=when, external_id=key)


def test_the_aging_chart_ages_what_was_open_at_the_months_end_on_the_seams_calendar(november):
    items = signals.signals_for([november], END)[november.pk].open_items
    ages = {i.external_id: (i.state, i.age_hours) for i in items}
    assert ages == {
        "paused": ("submitted", Decimal("32.00")),  # Wed, Thu, Fri, Mon at 8.5 h, less 2 h
        "waiting": ("waiting", Decimal("4.00")),  # sent back at 13:00: stops ageing
        "weekend": ("submitted", Decimal("10.00")),  # Fri 16:00–17:30, no weekend, Mon 8.5 h
        "started": ("started", Decimal("8.50")),
        "late": ("started", Decimal("8.50")),  # completed after the cut-off: open at it
        "back-later": ("submitted", Decimal("4.50")),  # sent back only after the cut-off
    }
    assert [i.external_id for i in items][:2] == ["paused", "weekend"]  # the oldest first


def test_the_aging_bands_need_20_handoffs_started_in_90_days(seam):
    for hours in range(1, 20):
        handoff(seam, f"q{hours}", at(10, 9), started_at=at(10, 10), queue_hours=Decimal(hours))
    handoff(
        seam,
        "too-old",
        END - timedelta(days=92),
        started_at=END - timedelta(days=91),
        queue_hours=Decimal(500),
    )
    handoff(seam, "at-cut-off", at(30, 9), started_at=END, queue_hours=Decimal(500))

    def sle():
        return signals.signals_for([seam], END)[seam.pk].queue_sle.as_dict()

    assert sle() == {"p50": None, "p70": None, "p85": None, "p95": None, "n": 19}
    handoff(seam, "q20", at(10, 9), started_at=at(10, 10), queue_hours=Decimal(20))
    # 1..20 h: p50 between 10 and 11; p70 at rank 13.3; p85 at 16.15; p95 at 18.05.
    assert sle() == {
        "p50": Decimal("10.50"),
        "p70": Decimal("14.30"),
        "p85": Decimal("17.15"),
        "p95": Decimal("19.05"),
        "n": 20,
    }


def test_it_lists_what_was_completed_in_the_month_with_its_lead_time(seam):
    handoff(
        seam, "a", at(2, 9), started_at=at(2, 9), completed_at=at(3, 9), lead_hours=Decimal("8.5")
    )
    handoff(
        seam,
        "b",
        at(2, 9),
        started_at=at(2, 9),
        completed_at=at(30, 23.5),
        lead_hours=Decimal("120.25"),
    )
    handoff(
        seam,
        "october",
        at(30, 9, month=10),
        started_at=at(30, 9, month=10),
        completed_at=at(31, 23, month=10),
        lead_hours=Decimal(3),
    )
    handoff(seam, "no-lead", at(2, 9), started_at=at(2, 9), completed_at=at(4, 9))
    done = flow.completions(seam, NOVEMBER)
    assert [(c.external_id, c.lead_hours) for c in done] == [("a", 8.5), ("b", 120.25)]


def test_it_counts_the_cumulative_flow_by_local_day_in_four_queries(
    seam, django_assert_num_queries
):
    # Carried into November: open on the 1st, started in October.
    handoff(seam, "carried", at(20, 9, month=10), started_at=at(21, 9, month=10))
    handoff(
        seam,
        "closed",
        at(20, 9, month=10),
        started_at=at(21, 9, month=10),
        completed_at=at(22, 9, month=10),
    )  # done before November: not in its flow
    handoff(seam, "x", at(2, 9), started_at=at(3, 9), completed_at=at(30, 23.5))
    handoff(seam, "y", at(2, 10))
    with django_assert_num_queries(4):
        cfd = flow.cumulative_flow(seam, NOVEMBER, at(4, 9, month=12))
    assert len(cfd.days) == 30
    assert cfd.days[0] == date(2026, 11, 1)
    assert cfd.days[-1] == date(2026, 11, 30)
    assert cfd.arrived[:3] == [1, 3, 3]
    assert cfd.arrived[-1] == 3
    assert cfd.started[:3] == [1, 1, 2]
    assert cfd.completed[28:] == [0, 1]  # 23:30 on the 30th is still the 30th


def test_it_counts_a_summer_day_in_the_organisations_time_zone(seam):
    # 23:30 UTC on 10 October is 00:30 on the 11th in London (BST).
    handoff(seam, "late-night", datetime(2026, 10, 10, 23, 30, tzinfo=UTC))
    cfd = flow.cumulative_flow(seam, date(2026, 10, 1), END)
    assert cfd.arrived[9] == 0
    assert cfd.arrived[10] == 1


@pytest.mark.parametrize(
    ("today", "days", "age"),
    [
        (datetime(2027, 2, 1, 10, tzinfo=UTC), 1, 1.0),  # Monday the 1st, an hour in
        (datetime(2027, 2, 3, 10, tzinfo=UTC), 3, 18.0),  # Mon, Tue and an hour of Wednesday
        (datetime(2027, 2, 28, 10, tzinfo=UTC), 28, 170.0),  # Sunday: 20 working days
    ],
)
def test_the_current_month_is_cut_off_now(seam, today, days, age):
    with time_machine.travel(today, tick=False):
        submit(seam, "open", datetime(2027, 2, 1, 9, tzinfo=UTC))
        now = timezone.now()
        february = date(2027, 2, 1)
        cut = flow.cut_off(february, now)
        assert cut == now
        items = signals.signals_for([seam], cut)[seam.pk].open_items
        assert [(i.external_id, i.age_hours) for i in items] == [("open", Decimal(str(age)))]
        cfd = flow.cumulative_flow(seam, february, now)
    assert len(cfd.days) == days
    assert cfd.arrived == [1] * days


def test_a_month_that_has_not_begun_has_no_flow(seam):
    assert flow.cumulative_flow(seam, date(2027, 1, 1), END) == flow.CumulativeFlow([], [], [], [])
    assert flow.cut_off(NOVEMBER, at(4, 9, month=12)) == END
