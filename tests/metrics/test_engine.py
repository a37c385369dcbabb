"""Every metric of DESIGN.md on a small dataset computed by hand.

The seam works Mon–Fri 09:00–17:30 Europe/London (8.5 h a day), with Monday 12 October 2026 a
holiday, and a response SLA of 8 business hours. British Summer Time ends on Sunday 25 October.
The suite runs on SQLite and PostgreSQL with the same expectations: both give these numbers.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts.models import Contract, ContractSeam, MetricTarget
from decisions import services as decisions
from decisions.models import Dependency, Escalation
from metrics import engine
from metrics.models import MonthlySeamMetrics
from seams.handoffs import stamp
from seams.models import Calendar, CalendarHoliday, Handoff
from tests.factories import SeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
OCT, NOV, SEP = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 9, 1)


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def handoff(seam, key, submitted, started=None, completed=None, returned=0, kind=""):
    row = Handoff(
        seam=seam,
        source="test",
        external_id=key,
        title=key,
        approval_type=kind,
        submitted_at=submitted,
        started_at=started,
        completed_at=completed,
        returned_count=returned,
    )
    stamp(row, calendar=seam.calendar, response_sla=seam.spec.response_sla_hours)
    row.save()
    return row


@pytest.fixture
def seam(db):
    seam = SeamFactory(name="Sales to Product")
    CalendarHoliday.objects.create(calendar=seam.calendar, date=dt.date(2026, 10, 12), name="Hol")
    seam.calendar.refresh_from_db()
    seam.spec.response_sla_hours = Decimal(8)
    seam.spec.save()
    return seam


@pytest.fixture
def october(seam):
    handoff(seam, "H1", at(2, 16), at(5, 10), at(5, 16), kind="standard")  # q 2.5, lead 8.5
    handoff(seam, "H2", at(7, 9), at(9, 9), at(9, 17), returned=2)  # q 17, lead 25, breach
    # Friday evening, a weekend and a holiday before it starts: q 1.0, lead 2.5
    handoff(seam, "H3", at(9, 17), at(13, 9, 30), at(13, 11), returned=1, kind="standard ")
    handoff(seam, "H4", at(23, 17), at(26, 9))  # across the clocks going back: q 0.5
    handoff(seam, "H5", at(28, 9))  # never started: its deadline passes in October, a breach
    # Deadline Monday 2 November 15:30; started at 16:00: November's breach, not October's
    handoff(seam, "H6", at(30, 16), at(2, 16, month=11))
    return seam


def snapshot(seam, month) -> MonthlySeamMetrics:
    return MonthlySeamMetrics.objects.get(seam=seam, month=month)


def test_handoff_metrics_match_the_hand_computation(october):
    engine.compute([SEP, OCT, NOV])
    got = snapshot(october, OCT)
    assert (got.submitted, got.started, got.throughput) == (6, 4, 3)
    # queue times [0.5, 1.0, 2.5, 17]: p50 between 1.0 and 2.5, p85 at rank 2.55
    assert got.queue_time_p50_hours == Decimal("1.7500")
    assert got.queue_time_p85_hours == Decimal("10.4750")
    # lead times [2.5, 8.5, 25]
    assert got.lead_time_p50_hours == Decimal("8.5000")
    assert got.lead_time_p85_hours == Decimal("20.0500")
    assert got.lead_time_by_approval_type == {
        "standard": {"p50": 5.5, "p85": 7.6, "n": 2},
        "unspecified": {"p50": 25.0, "p85": 25.0, "n": 1},
    }
    # Rework counts H2 once for its two returns, and H3.
    assert got.rework_rate == Decimal("0.6667")
    # Due in October: H1, H2, H3, H4, H5; breached: H2 (late) and H5 (never started).
    assert (got.sla_due, got.sla_breaches, got.sla_breach_rate) == (5, 2, Decimal("0.4000"))
    # Open at the end of October: H4, H5, H6; H4 is oldest: Fri 0.5 h + 5 × 8.5 h.
    assert (got.wip_open, got.oldest_open_age_hours) == (3, Decimal("43.0000"))

    november = snapshot(october, NOV)
    assert (november.sla_due, november.sla_breaches, november.sla_breach_rate) == (
        1,
        1,
        Decimal("1.0000"),
    )
    assert (november.submitted, november.started, november.queue_time_p50_hours) == (
        0,
        1,
        Decimal("8.5000"),
    )


def test_a_month_without_data_is_null_not_zero(october):
    engine.compute([SEP])
    got = snapshot(october, SEP)
    assert (got.submitted, got.started, got.throughput, got.sla_due, got.wip_open) == (0,) * 5
    nulls = [
        "queue_time_p50_hours",
        "queue_time_p85_hours",
        "lead_time_p50_hours",
        "lead_time_p85_hours",
        "lead_time_by_approval_type",
        "sla_breach_rate",
        "rework_rate",
        "oldest_open_age_hours",
        "decision_latency_p85_hours",
    ]
    assert {name: getattr(got, name) for name in nulls} == dict.fromkeys(nulls)


def test_elapsed_hours_on_a_24x7_seam_count_the_extra_hour_when_clocks_go_back(db):
    seam = SeamFactory(name="Always on", calendar=Calendar.objects.always())
    # Saturday noon BST to Sunday noon GMT: 24 hours on the wall clock, 25 in real time.
    handoff(seam, "D1", at(24, 12), at(25, 12))
    engine.compute([OCT], [seam.pk])
    assert snapshot(seam, OCT).queue_time_p50_hours == Decimal("25.0000")


# Long: one hand-computed month; its numbers are read against the records above them.
def test_decision_escalation_and_dependency_metrics(october):
    asker, decider = UserFactory(), UserFactory()

    def decision(requested, decided=None, due=None):
        made = decisions.log_decision(
            question="Which tier?",
            decision_type="pricing",
            seam=october,
            requested_by=asker,
            decider=decider,
            requested_at=requested,
        )
        if due:
            made.due_at = due
            made.save()
        if decided:
            made = decisions.decide(decision=made, by=decider, outcome="Gold", at=decided)
        return made

    decision(at(5, 9), at(5, 13), due=at(5, 17))  # 4 h, on time
    decision(at(6, 9), at(8, 9), due=at(7, 9))  # 17 h, decided after it was due
    reopened = decision(at(14, 9), at(14, 10))  # decided in 1 h, then reopened ...
    decisions.reopen(decision=reopened, by=decider, reason="New facts", at=at(15, 9))
    decisions.decide(decision=reopened, by=decider, outcome="Silver", at=at(16, 9))  # ... 17 h
    decision(at(19, 9), due=at(20, 9))  # never decided, past due
    for raised in (at(1, 10), at(30, 10), at(30, 9, month=9)):
        Escalation.objects.create(
            seam=october, summary="Stuck", cause="sla_breach", raised_at=raised
        )
    owner = UserFactory()
    for needed, delivered in (
        (dt.date(2026, 10, 10), dt.date(2026, 10, 9)),
        (dt.date(2026, 10, 20), dt.date(2026, 10, 22)),
        (dt.date(2026, 10, 31), None),
        (dt.date(2026, 11, 3), dt.date(2026, 11, 3)),
    ):
        Dependency.objects.create(
            title="API",
            consumer=october.from_team,
            provider=october.to_team,
            seam=october,
            owner=owner,
            needed_by=needed,
            delivered_at=delivered,
        )
    engine.compute([SEP, OCT, NOV])
    got = snapshot(october, OCT)
    # Latencies [4, 17, 17]: the reopened one counts from its request to its final decision.
    assert got.decision_latency_p85_hours == Decimal("17.0000")
    assert got.decision_sla_breaches == 2
    assert (got.escalations, snapshot(october, SEP).escalations) == (2, 1)
    assert (got.dependencies_due, got.dependencies_on_time) == (3, 1)
    november = snapshot(october, NOV)
    assert (november.dependencies_due, november.dependencies_on_time) == (1, 1)


def test_recomputing_is_idempotent_and_follows_the_data(october):
    engine.compute([OCT])
    first = MonthlySeamMetrics.objects.values().get(seam=october, month=OCT)
    engine.compute([OCT])
    again = MonthlySeamMetrics.objects.values().get(seam=october, month=OCT)
    assert MonthlySeamMetrics.objects.count() == 1
    assert {k: v for k, v in again.items() if k != "computed_at"} == {
        k: v for k, v in first.items() if k != "computed_at"
    }
    Handoff.objects.filter(external_id="H5").delete()
    engine.compute([OCT])
    assert snapshot(october, OCT).sla_due == 4


def test_rag_status_against_the_contract_targets(october, leader):
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )
    ContractSeam.objects.create(contract=contract, seam=october)
    for metric, target, direction in (
        ("sla_breach_rate", 35, "lower"),
        ("queue_time_p85_hours", 4, "lower"),
        ("throughput", 3, "higher"),
    ):
        MetricTarget.objects.create(
            contract=contract, seam=october, metric=metric, target=target, direction=direction
        )
    engine.compute([OCT])
    # breach rate 40 % vs 35 % (+20 % tolerance: 42 %) amber; queue p85 10.5 h vs 4 h red;
    # throughput 3 vs at least 3 green.
    assert snapshot(october, OCT).rag == {
        "sla_breach_rate": "amber",
        "queue_time_p85_hours": "red",
        "throughput": "green",
    }
