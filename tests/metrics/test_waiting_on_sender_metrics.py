"""Monthly metrics with handoffs that waited on their sender, computed by hand.

The seam works Mon–Fri 09:00–17:30 Europe/London (8.5 h a day, no holidays in May 2026) with a
16-business-hour response SLA. May 2026:

- A: submitted Mon 18 09:00, started 11:00, completed 15:00. No return: ready the first time.
  Queue 2 h; due Tue 19 16:30 (Mon 8.5 + Tue 7.5), on time.
- B: submitted Mon 18 09:00, returned 10:00, resubmitted 12:00 (paused 2 h), started Wed 20
  10:00. Not ready. Due after 16 + 2 = 18 h: Mon 8.5, Tue 8.5, Wed 09:00 + 1 = 10:00, and it
  started exactly then: on time. Queue Mon 8.5 + Tue 8.5 + Wed 1 = 18, minus 2 = 16 h.
- C: submitted Mon 18 09:00, started 12:00, returned 13:00 (rework: pauses nothing). Ready the
  first time (no return before its start). Queue 3 h; due Tue 19 16:30, on time.
- D: submitted Thu 28 10:00, returned Fri 29 10:00 (8.5 h used, before its deadline Fri 17:30)
  and never resubmitted: still waiting on its sender when May ends. Open, not due.
"""

import datetime as dt
from csv import DictReader
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contracts import catalogue
from contracts.models import MetricTarget
from metrics import engine
from metrics.models import MonthlySeamMetrics
from seams.handoffs import (
    complete_handoff,
    resubmit_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)

LONDON = ZoneInfo("Europe/London")
APR, MAY, JUN = dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)


def may(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 5, day, hour, minute, tzinfo=LONDON)


def build_may(seam, owner) -> dict:
    a = submit_handoff(seam=seam, title="A", by=owner, at=may(18, 9))
    a = start_handoff(handoff=a, at=may(18, 11))
    complete_handoff(handoff=a, at=may(18, 15))
    b = submit_handoff(seam=seam, title="B", by=owner, at=may(18, 9))
    return_handoff(
        handoff=b, reason="No payload", missing_item="Sample payload attached", at=may(18, 10)
    )
    resubmit_handoff(handoff=b, by=owner, at=may(18, 12))
    start_handoff(handoff=b, at=may(20, 10))
    c = submit_handoff(seam=seam, title="C", by=owner, at=may(18, 9))
    start_handoff(handoff=c, at=may(18, 12))
    return_handoff(handoff=c, reason="Rework", at=may(18, 13))
    d = submit_handoff(seam=seam, title="D", by=owner, at=may(28, 10))
    return_handoff(
        handoff=d, reason="No use case", missing_item="Use case in one paragraph", at=may(29, 10)
    )
    return {"a": a, "b": b, "c": c, "d": d}


@pytest.mark.parametrize("today", [dt.date(2026, 6, 1), dt.date(2026, 6, 3), dt.date(2026, 6, 28)])
def test_may_with_pauses_matches_the_hand_computation(seam, owner, today):
    with time_machine.travel(dt.datetime.combine(today, dt.time(9), tzinfo=LONDON), tick=False):
        made = build_may(seam, owner)
        engine.compute([APR, MAY, JUN], [seam.pk])
    snap = MonthlySeamMetrics.objects.get(seam=seam, month=MAY)
    assert (snap.submitted, snap.started, snap.throughput) == (4, 3, 1)
    # Due in May: A (Tue 16:30), B (Wed 10:00, moved by its pause), C (Tue 16:30); D waits on
    # its sender, so its deadline is unknown: not due, no breach (it would have been one).
    assert (snap.sla_due, snap.sla_breaches) == (3, 0)
    assert snap.sla_breach_rate == Decimal("0.0000")
    # Queue times 2, 16 (paused 2 h), 3 → p50 = 3; p85 at rank 0.85 × 2 = 1.7: 3 + 0.7 × 13.
    assert snap.queue_time_p50_hours == Decimal("3.0000")
    assert snap.queue_time_p85_hours == Decimal("12.1000")
    # Started in May: A, B, C; B was returned before its start → 2 / 3.
    assert snap.first_time_ready_rate == Decimal("0.6667")
    # Open at the end of May: B, C (started), D (waiting on its sender) → 3.
    assert snap.wip_open == 3
    # The oldest open (B and C, Mon 18 09:00) counts from submission to the end of May:
    # ten working days of 8.5 h = 85 h, pauses or not.
    assert snap.oldest_open_age_hours == Decimal("85.0000")
    assert snap.rework_rate == Decimal("0.0000")  # A, the only one completed, never went back
    june = MonthlySeamMetrics.objects.get(seam=seam, month=JUN)
    # D still waits in June: open, and no deadline to fall due.
    assert (june.wip_open, june.sla_due, june.started) == (3, 0, 0)
    assert june.first_time_ready_rate is None  # nothing started: null, never 0
    assert MonthlySeamMetrics.objects.get(seam=seam, month=APR).first_time_ready_rate is None
    d = made["d"]
    d.refresh_from_db()
    assert d.waiting_since == may(29, 10)
    assert d.sla_deadline is None


def test_a_resubmission_brings_the_deadline_back_and_the_month_recomputes(seam, owner):
    with time_machine.travel(dt.datetime(2026, 6, 3, 9, tzinfo=LONDON), tick=False):
        made = build_may(seam, owner)
        # D resubmitted Mon 1 June 09:00: paused Fri 10:00–17:30 = 7.5 h; 16 - 8.5 = 7.5 h left
        # from Mon 09:00 → Mon 16:30, June's deadline, passed by Wed 3 June: a breach.
        resubmit_handoff(handoff=made["d"], by=owner, at=dt.datetime(2026, 6, 1, 9, tzinfo=LONDON))
        engine.compute([MAY, JUN], [seam.pk])
    june = MonthlySeamMetrics.objects.get(seam=seam, month=JUN)
    assert (june.sla_due, june.sla_breaches) == (1, 1)
    made["d"].refresh_from_db()
    assert made["d"].sla_deadline == dt.datetime(2026, 6, 1, 16, 30, tzinfo=LONDON)


def test_first_time_ready_is_a_rate_where_higher_is_better():
    metric = catalogue.BY_NAME["first_time_ready_rate"]
    assert (metric.is_rate, metric.higher_is_better) == (True, True)
    assert "first_time_ready_rate" in catalogue.FIELDS
    goal = engine.Goal(
        "first_time_ready_rate", Decimal(80), MetricTarget.Direction.HIGHER, Decimal(20)
    )
    # Target 80 %, tolerance 20 % of it (16 points): green from 80, amber from 64, red below.
    assert engine.rag_status(Decimal("0.80"), goal) == "green"
    assert engine.rag_status(Decimal("0.6667"), goal) == "amber"
    assert engine.rag_status(Decimal("0.60"), goal) == "red"
    assert engine.rag_status(None, goal) is None


def test_the_api_and_the_csv_export_carry_it(seam, owner, viewer_client):
    with time_machine.travel(dt.datetime(2026, 6, 3, 9, tzinfo=LONDON), tick=False):
        build_may(seam, owner)
        engine.compute([MAY], [seam.pk])
        api = viewer_client.get("/api/v1/metrics/", {"month": "2026-05", "seam": seam.slug})
        csv = viewer_client.get("/metrics/export.csv", {"month": "2026-05"})
    assert api.status_code == 200
    body = api.json()
    snapshot = body[0] if isinstance(body, list) else body["results"][0]
    assert Decimal(str(snapshot["first_time_ready_rate"])) == Decimal("0.6667")
    [row] = DictReader(StringIO(b"".join(csv.streaming_content).decode()))
    assert row["first_time_ready_rate"] == "0.6667"
