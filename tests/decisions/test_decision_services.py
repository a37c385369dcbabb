from datetime import datetime, timedelta

import pytest

from decisions.models import Decision, DecisionEvent
from decisions.services import (
    DecisionRefused,
    decide,
    find_decision_right,
    log_decision,
    reopen,
    withdraw,
)
from tests.decisions.conftest import LONDON, friday_4pm


def test_the_decider_and_due_time_come_from_the_decision_right(seam, right, owner, other_owner):
    decision = log_decision(
        question="Scope the Acme connector?",
        decision_type="integration scope",
        seam=seam,
        requested_by=owner,
        requested_at=friday_4pm(),
    )
    # 16 business hours from Friday 16:00: 1.5 h Fri + 8.5 h Mon + 6 h Tue → Tuesday 15:00.
    assert decision.due_at == datetime(2026, 11, 24, 15, 0, tzinfo=LONDON)
    assert decision.decider == other_owner
    assert decision.decision_type == "Integration scope"  # the right's spelling
    assert decision.contract == right.contract
    assert list(decision.events.values_list("kind", flat=True)) == ["logged"]


def test_a_holiday_pushes_the_due_time(seam, right, owner):
    seam.calendar.holidays.create(date=datetime(2026, 11, 23).date(), name="Company day")
    decision = log_decision(
        question="Q",
        decision_type="Integration scope",
        seam=seam,
        requested_by=owner,
        requested_at=friday_4pm(),
    )
    assert decision.due_at == datetime(2026, 11, 25, 15, 0, tzinfo=LONDON)


def test_without_a_right_a_named_decider_decides_with_no_due_time(seam, owner, leader):
    assert find_decision_right(seam=seam, decision_type="Budget") is None
    with pytest.raises(ValueError, match="name the decider"):
        log_decision(question="Q", decision_type="Budget", seam=seam, requested_by=owner)
    decision = log_decision(
        question="Q", decision_type="Budget", seam=seam, requested_by=owner, decider=leader
    )
    assert (decision.decider, decision.due_at) == (leader, None)


def test_a_right_at_the_seam_wins_over_a_contract_wide_one(seam, right, leader):
    from decimal import Decimal

    from contracts.models import DecisionRight

    other = right.contract.__class__.objects.create(
        slug="other", title="Other", scope="s", leader=leader
    )
    other.covered.create(seam=seam)
    DecisionRight.objects.create(
        contract=other,
        seam=None,
        decision_type="Integration scope",
        decider=leader,
        decision_sla_hours=Decimal(8),
    )
    assert find_decision_right(seam=seam, decision_type="Integration scope") == right


class TestRules:
    @pytest.fixture
    def decision(self, seam, right, owner):
        return log_decision(
            question="Q",
            decision_type="Integration scope",
            seam=seam,
            requested_by=owner,
            requested_at=friday_4pm(),
        )

    def test_decide_then_reopen_counts_relitigation_and_keeps_the_first_clock(
        self, decision, other_owner, owner
    ):
        decided_at = friday_4pm() + timedelta(days=3)
        decide(decision=decision, by=other_owner, outcome="Yes", at=decided_at)
        decision.refresh_from_db()
        assert (decision.status, decision.decided_at, decision.outcome) == (
            "decided",
            decided_at,
            "Yes",
        )
        reopened_at = datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)  # Thursday
        reopen(decision=decision, by=owner, reason="New facts", at=reopened_at)
        decision.refresh_from_db()
        assert (decision.status, decision.times_reopened, decision.decided_at) == (
            "reopened",
            1,
            None,
        )
        # The clock of the first request stays (DESIGN.md): still due Tuesday 15:00.
        assert (decision.requested_at, decision.due_at) == (
            friday_4pm(),
            datetime(2026, 11, 24, 15, 0, tzinfo=LONDON),
        )
        note = decision.events.get(kind="reopened").note
        assert "New facts" in note
        assert "Was: Yes" in note

    @pytest.mark.parametrize(
        ("setup", "action", "message"),
        [
            ("decided", "decide", "reopen it first"),
            ("withdrawn", "decide", "can't be decided"),
            ("open", "reopen", "Only a decided decision"),
            ("decided", "withdraw", "Only an open or reopened"),
            ("open", "decide_before", "before it was asked"),
        ],
    )
    def test_actions_the_state_doesnt_allow_are_refused(
        self, decision, other_owner, setup, action, message
    ):
        if setup == "decided":
            decide(decision=decision, by=other_owner, outcome="Yes")
        elif setup == "withdrawn":
            withdraw(decision=decision, by=other_owner, reason="Moot")
        before = (Decision.objects.get(pk=decision.pk).status, DecisionEvent.objects.count())
        attempts = {
            "decide": lambda: decide(decision=decision, by=other_owner, outcome="Again"),
            "decide_before": lambda: decide(
                decision=decision, by=other_owner, outcome="x", at=friday_4pm() - timedelta(hours=1)
            ),
            "reopen": lambda: reopen(decision=decision, by=other_owner, reason="x"),
            "withdraw": lambda: withdraw(decision=decision, by=other_owner, reason="x"),
        }
        with pytest.raises(DecisionRefused, match=message):
            attempts[action]()
        assert (
            Decision.objects.get(pk=decision.pk).status,
            DecisionEvent.objects.count(),
        ) == before


def test_overdue_means_pending_and_past_due(seam, right, owner, other_owner):
    now = datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)
    late = log_decision(
        question="Late",
        decision_type="Integration scope",
        seam=seam,
        requested_by=owner,
        requested_at=friday_4pm(),
    )
    decided_late = log_decision(
        question="Decided late",
        decision_type="Integration scope",
        seam=seam,
        requested_by=owner,
        requested_at=friday_4pm(),
    )
    decide(decision=decided_late, by=other_owner, outcome="Yes", at=now)
    log_decision(
        question="Fresh",
        decision_type="Integration scope",
        seam=seam,
        requested_by=owner,
        requested_at=now,
    )
    assert list(Decision.objects.overdue(now)) == [late]
    assert set(Decision.objects.breached(now)) == {late, decided_late}
