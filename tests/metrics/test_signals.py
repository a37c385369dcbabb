"""The leading signals (metrics.signals), worked by hand.

Handoffs are moved through the real services (seams.handoffs), which stamp the business clocks
and the pauses of waiting on the sender. The same numbers hold on SQLite and PostgreSQL.

Unless said otherwise, times are in London, which is on GMT (= UTC) from November on; the
business calendar is Mon-Fri 09:00-17:30 (8.5 h a day), its response SLA 16 h.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from metrics import signals
from seams.business_time import clock_hours
from seams.handoffs import (
    complete_handoff,
    resubmit_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)
from seams.models import Calendar, Handoff, HandoffSpec
from tests.factories import SeamFactory
from tests.metrics.at_risk_data import always_seam

LONDON = ZoneInfo("Europe/London")
STORED = Decimal("0.0001")


def at(day: int, hour: int = 0, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def _clock(handoff: Handoff, instant: datetime) -> Decimal:
    rules = handoff.seam.calendar.working_time()
    return Decimal(str(clock_hours(rules, instant))).quantize(STORED)


def submitted(seam, when: datetime, title: str = "Acme SSO") -> Handoff:
    return submit_handoff(seam=seam, title=title, by=None, at=when)


def started(seam, when: datetime, queue: timedelta, title: str = "x") -> Handoff:
    handoff = submitted(seam, when, title)
    return start_handoff(handoff=handoff, at=when + queue)


def sent_back(handoff: Handoff, when: datetime, resubmitted: datetime | None = None) -> None:
    """Returned before start, pausing the receiver's clock until `resubmitted` (if ever),
    through seams.handoffs (times may not be in the future: the clock is moved past them)."""
    with time_machine.travel(max(resubmitted or when, timezone.now()), tick=False):
        return_handoff(handoff=handoff, reason="No sample payload", at=when)
        if resubmitted:
            resubmit_handoff(handoff=handoff, by=None, at=resubmitted)
    handoff.refresh_from_db()


@pytest.fixture
def always(db, team, other_team):
    """A seam on the 24x7 calendar (business hours = elapsed hours), SLA 10 h."""
    return always_seam("Security sign-off", team, other_team, sla_hours=10)


def mine(seam, when: datetime) -> signals.SeamSignals:
    return signals.signals_for([seam], when)[seam.pk]


# --- Pure rules --------------------------------------------------------------------------------


def test_it_shows_hours_to_a_hundredth_half_up():
    assert signals.shown_hours(12.005) == Decimal("12.01")
    assert signals.shown_hours(Decimal("3.0049")) == Decimal("3.00")
    assert signals.shown_hours(None) is None


def test_it_rounds_the_proposed_sla_up_to_a_whole_hour():
    assert signals.proposed_hours(20, 12.01) == 13
    assert signals.proposed_hours(20, 12.00) == 12
    assert signals.proposed_hours(20, 12.004) == 12  # shown as 12.00
    assert signals.proposed_hours(20, 0.3) == 1
    assert signals.proposed_hours(19, 12.01) is None  # below 20 started
    assert signals.proposed_hours(20, None) is None


def test_it_nulls_every_percentile_of_an_sle_below_twenty():
    values = {"p50": 1, "p70": 2, "p85": 3, "p95": 4}
    assert signals.sle_from(19, values) == signals.Sle(n=19)
    assert signals.sle_from(20, values).as_dict() == {
        "p50": Decimal("1.00"),
        "p70": Decimal("2.00"),
        "p85": Decimal("3.00"),
        "p95": Decimal("4.00"),
        "n": 20,
    }


def test_it_calls_drift_only_when_both_month_ends_are_beyond_the_bounds():
    sla = Decimal(10)  # not met above 12, slack below 5, both strict
    assert signals.drift_status([Decimal("12.01"), Decimal("13")], sla) == signals.NOT_MET
    assert signals.drift_status([Decimal("12.00"), Decimal("13")], sla) is None  # 12 is not above
    assert signals.drift_status([Decimal("11"), Decimal("13")], sla) is None  # one month only
    assert signals.drift_status([Decimal("4.99"), Decimal("1")], sla) == signals.SLACK
    assert signals.drift_status([Decimal("5.00"), Decimal("1")], sla) is None  # 5 is not below
    assert signals.drift_status([None, Decimal("13")], sla) is None
    assert signals.drift_status([Decimal("13"), Decimal("13")], None) is None


def test_it_puts_a_handoff_at_risk_from_exactly_three_quarters_of_its_sla():
    sla = Decimal(16)
    assert signals.at_risk_numbers(Decimal("12.0000"), sla) == (Decimal(12), Decimal(4))
    assert signals.at_risk_numbers(Decimal("11.9999"), sla) is None
    assert signals.at_risk_numbers(Decimal("15.9999"), sla) == (
        Decimal("15.9999"),
        Decimal("0.0001"),
    )
    assert signals.at_risk_numbers(Decimal("16.0000"), sla) is None  # the deadline is T: not after
    assert signals.at_risk_numbers(Decimal("12"), None) is None


def test_it_takes_the_last_two_month_ends():
    assert signals.month_ends(at(28, 12)) == [at(1, month=11), at(1)]
    assert signals.month_ends(at(1)) == [at(1, month=11), at(1)]  # T itself is a month end


def test_it_counts_ninety_days_on_the_organisations_wall_clock():
    # 2 September is in summer time: 00:00 BST is 23:00 UTC the day before.
    assert signals.trailing_window(at(1)) == (datetime(2026, 9, 2, tzinfo=LONDON), at(1))


# --- Work item age and at risk -----------------------------------------------------------------


def test_it_ages_work_across_a_weekend_on_the_first(seam):
    waiting_since_friday = submitted(seam, at(27, 16, month=11), "Over the weekend")
    in_progress = started(seam, at(26, 9, month=11), timedelta(hours=1), "Started Thursday")
    with time_machine.travel(at(1, 10), tick=False):  # Tuesday 1 December, 10:00
        found = signals.signals_for([seam])[seam.pk]
    ages = {item.id: (item.state, item.age_hours) for item in found.open_items}
    # Fri 16:00-17:30 = 1.5, Mon 8.5, Tue 09:00-10:00 = 1: 11 h, 68.75 % of 16: not at risk.
    assert ages[waiting_since_friday.pk] == ("submitted", Decimal("11.00"))
    # Thu 8.5 + Fri 8.5 + Mon 8.5 + Tue 1 = 26.5 h: a started item's age runs from submission.
    assert ages[in_progress.pk] == ("started", Decimal("26.50"))
    assert [item.id for item in found.open_items] == [in_progress.pk, waiting_since_friday.pk]
    assert found.at_risk == []


def test_it_puts_a_handoff_at_risk_at_exactly_75_percent_on_the_third(seam):
    exactly = submitted(seam, at(1, 15), "Exactly three quarters")
    just_below = submitted(seam, at(1, 15, 1), "A minute short")
    with time_machine.travel(at(3, 10), tick=False):  # Thursday 3 December, 10:00
        found = signals.signals_for([seam])[seam.pk]
        today = signals.at_risk_handoffs()
    # Tue 15:00-17:30 = 2.5, Wed 8.5, Thu 1: 12 h = 75 % of 16 (inclusive): breaches in 4 h.
    assert [(r.id, r.elapsed_hours, r.breaches_in_hours) for r in found.at_risk] == [
        (exactly.pk, Decimal("12.00"), Decimal("4.00"))
    ]
    # A minute later: 11 h 59 min = 11.98 h, under 12: not at risk, but open.
    assert just_below.pk in {item.id for item in found.open_items}
    assert [r.id for r in today] == [exactly.pk]


def test_it_sorts_the_at_risk_list_by_time_left(seam, always):
    business = submitted(seam, at(1, 15), "Business: 4 h left")
    clock = submitted(always, at(28, 2), "24x7: 2 h left")  # 8 of 10 h gone at 10:00
    also = submitted(always, at(28, 1, 30), "24x7: 1.5 h left")  # 8.5 of 10 h
    late = submitted(always, at(27, 23), "24x7: breached")  # 11 h: past its deadline
    with time_machine.travel(at(28, 10), tick=False):  # Monday 28 December, 10:00
        today = signals.at_risk_handoffs()
        found = signals.signals_for([seam, always])
    assert [(r.id, r.breaches_in_hours) for r in today] == [
        (also.pk, Decimal("1.50")),
        (clock.pk, Decimal("2.00")),
    ]
    assert late.pk in {item.id for item in found[always.pk].open_items}
    # The business handoff went past its 16 h long ago: 2.5 + 8.5 x 13 + 1 h.
    assert business.pk not in {r.id for r in found[seam.pk].at_risk}
    assert signals.at_risk_handoffs(at(28, 10), seams=[seam]) == []


def test_a_handoff_waiting_on_its_sender_is_not_at_risk_and_its_age_is_frozen(seam):
    handoff = submitted(seam, at(21, 9), "Waiting on Sales")  # Monday
    sent_back(handoff, at(22, 13))  # Tuesday 13:00: Mon 8.5 + Tue 4 = 12.5 h, 78 % of 16
    with time_machine.travel(at(28, 12), tick=False):  # Monday 28 December
        found = signals.signals_for([seam])[seam.pk]
    assert [(i.id, i.state, i.age_hours) for i in found.open_items] == [
        (handoff.pk, "waiting", Decimal("12.50"))
    ]
    assert found.at_risk == []


def test_a_past_instant_counts_only_the_pauses_closed_by_then(seam):
    handoff = submitted(seam, at(21, 9), "Paused then resubmitted")  # Monday
    # Returned Mon 11:00, resubmitted Wed 09:00: Mon 6.5 + Tue 8.5 = 15 h paused.
    sent_back(handoff, at(21, 11), resubmitted=at(23, 9))
    assert handoff.paused_hours == Decimal("15.0000")

    def seen(when):
        item = mine(seam, when).open_items[0]
        return item.state, item.age_hours

    assert seen(at(21, 10)) == ("submitted", Decimal("1.00"))  # before the return
    assert seen(at(22, 12)) == ("waiting", Decimal("2.00"))  # frozen at Mon 11:00
    assert seen(at(23, 12)) == ("submitted", Decimal("5.00"))  # 2 + Wed 3
    # Mon 21 to Fri 25 (5 x 8.5) + Mon 28 09:00-12:00 (3) = 45.5, less 15 paused.
    assert seen(at(28, 12)) == ("submitted", Decimal("30.50"))
    # At risk from 12 h outside pauses: Wed 12:00 + 7 h = Thu 10:30 (2 + 8.5 + 1.5).
    assert [r.breaches_in_hours for r in mine(seam, at(24, 10, 30)).at_risk] == [Decimal("4.00")]
    assert mine(seam, at(24, 10, 29)).at_risk == []


def test_a_started_handoffs_age_runs_from_submission_pauses_and_all(always):
    handoff = submitted(always, at(1, 0), "Paused, then started")
    sent_back(handoff, at(1, 2), resubmitted=at(1, 7))  # 5 h waiting on the sender
    start_handoff(handoff=Handoff.objects.get(pk=handoff.pk), at=at(1, 9))
    # Not started at 08:00: 8 h less the 5 h pause. Started at 10:00: 10 h, the pause counts.
    assert [(i.state, i.age_hours) for i in mine(always, at(1, 8)).open_items] == [
        ("submitted", Decimal("3.00"))
    ]
    assert [(i.state, i.age_hours) for i in mine(always, at(1, 10)).open_items] == [
        ("started", Decimal("10.00"))
    ]


def test_work_completed_or_submitted_after_t_is_not_open_at_t(always):
    done = started(always, at(1, 9), timedelta(hours=1), "Done on the 2nd")
    complete_handoff(handoff=done, at=at(2, 9))
    later = submitted(always, at(3, 9), "Submitted on the 3rd")
    assert [i.id for i in mine(always, at(2, 8)).open_items] == [done.pk]
    # Open = not completed before T (DESIGN.md's wip_open): completed at T is still open at T.
    assert [i.id for i in mine(always, at(2, 9)).open_items] == [done.pk]
    assert mine(always, at(2, 9, 1)).open_items == []
    assert [i.id for i in mine(always, at(3, 10)).open_items] == [later.pk]


# --- SLEs --------------------------------------------------------------------------------------


def _twenty(seam, first: datetime, count: int = 20, complete: bool = True) -> list[Handoff]:
    """Handoffs with queue times 1, 2, … count hours (and lead times one hour longer)."""
    made = []
    for n in range(1, count + 1):
        when = first + timedelta(hours=n)
        handoff = started(seam, when, timedelta(hours=n), f"Item {n}")
        if complete:
            handoff = complete_handoff(handoff=handoff, at=when + timedelta(hours=n + 1))
        made.append(handoff)
    return made


def test_an_sle_below_twenty_items_has_no_percentiles(always):
    _twenty(always, at(1, month=11), count=19)
    with time_machine.travel(at(1, 9), tick=False):
        found = signals.signals_for([always])[always.pk]
    assert found.queue_sle.as_dict() == {
        "p50": None,
        "p70": None,
        "p85": None,
        "p95": None,
        "n": 19,
    }
    assert found.lead_sle == signals.Sle(n=19)
    assert found.proposed_response_sla_hours is None
    assert found.proposed_response_sla.basis == "last_90_days"


def test_an_sle_of_twenty_items_interpolates_linearly(always):
    _twenty(always, at(1, month=11))
    started(always, at(1, month=8), timedelta(hours=500), "Long ago: out of the window")
    with time_machine.travel(at(1, 9), tick=False):
        found = signals.signals_for([always])[always.pk]
    # Queue 1..20 h. Rank (n - 1) x f: p50 9.5 → 10.5; p70 13.3 → 14.3; p85 16.15 → 17.15;
    # p95 18.05 → 19.05.
    assert found.queue_sle.as_dict() == {
        "p50": Decimal("10.50"),
        "p70": Decimal("14.30"),
        "p85": Decimal("17.15"),
        "p95": Decimal("19.05"),
        "n": 20,
    }
    # Lead 2..21 h: one more each.
    assert (found.lead_sle.p50, found.lead_sle.p95, found.lead_sle.n) == (
        Decimal("11.50"),
        Decimal("20.05"),
        20,
    )
    # No pilot: the last 90 days' queue p85, 17.15 → 18.
    assert found.proposed_response_sla_hours == 18


def test_the_sle_window_ends_before_t(always):
    _twenty(always, at(1, month=11), complete=False)
    # Item 20 was submitted 1 Nov 20:00 and started 20 h later, 2 Nov 16:00.
    assert mine(always, at(2, 16, month=11)).queue_sle.n == 19
    assert mine(always, at(2, 16, 1, month=11)).queue_sle.n == 20


# --- Proposed response SLA ---------------------------------------------------------------------


def _pilot(seam, queues: list[timedelta]) -> None:
    seam.start_pilot(at(1, month=11).date())  # 1 November → review on 1 December
    for n, queue in enumerate(queues):
        started(seam, at(2, month=11) + timedelta(hours=n), queue, f"Pilot {n}")
    # After the review date: not part of the pilot.
    started(seam, at(2, 9), timedelta(hours=50), "After the pilot")


@pytest.mark.parametrize(
    ("queues", "proposed"),
    [
        # Sorted ranks 0..19; p85 sits at rank 16.15: 12 h + 0.15 x 4 min (0.0667 h) = 12.01.
        ([timedelta(hours=12)] * 17 + [timedelta(hours=12, minutes=4)] * 3, 13),
        ([timedelta(hours=12)] * 20, 12),  # p85 = 12.00 exactly
        ([timedelta(hours=12)] * 19, None),  # 19 started in the pilot
    ],
)
def test_the_proposed_sla_is_the_pilots_queue_p85_rounded_up(always, queues, proposed):
    _pilot(always, queues)
    with time_machine.travel(at(3, 10), tick=False):
        found = signals.signals_for([always])[always.pk]
    assert found.proposed_response_sla_hours == proposed
    assert found.proposed_response_sla.basis == "pilot"
    assert (found.proposed_response_sla.start, found.proposed_response_sla.end) == (
        at(1, month=11),
        at(1),
    )
    assert found.proposed_response_sla.n == len(queues)


def test_a_pilot_that_starts_after_t_leaves_the_last_90_days(always):
    _pilot(always, [timedelta(hours=12)] * 20)  # the pilot runs through November
    found = mine(always, at(20, month=10))  # 20 October: before it
    assert found.proposed_response_sla.basis == "last_90_days"
    # Halfway through, the pilot so far: [1 November, T).
    found = mine(always, at(16, month=11))
    assert (found.proposed_response_sla.basis, found.proposed_response_sla.end) == (
        "pilot",
        at(16, month=11),
    )
    assert found.proposed_response_sla_hours == 12


# --- Drift -------------------------------------------------------------------------------------


def _started_on(seam, day: datetime, queue_hours: int, count: int = 20) -> None:
    for n in range(count):
        started(seam, day + timedelta(minutes=n), timedelta(hours=queue_hours), f"{day:%b} {n}")


def _seam_with_sla(name: str, team, other_team):
    seam = SeamFactory(
        name=name, from_team=team, to_team=other_team, calendar=Calendar.objects.always()
    )
    HandoffSpec.objects.filter(seam=seam).update(response_sla_hours=Decimal(10))
    seam.refresh_from_db()
    return seam


def test_drift_needs_two_consecutive_month_ends(db, team, other_team):
    # SLA 10 h: not met above 12, slack below 5. At the 28th of December the month ends are
    # 1 November (90 days back: from 3 August) and 1 December (from 2 September).
    one_month = _seam_with_sla("One month above", team, other_team)
    _started_on(one_month, at(10, month=8), 11)  # only before 1 Nov: p85 11, not above 12
    _started_on(one_month, at(10, month=11), 13)  # only before 1 Dec: p85 13
    two_months = _seam_with_sla("Two months above", team, other_team)
    _started_on(two_months, at(10, month=10), 13)  # before both: p85 13 at both ends
    slack = _seam_with_sla("Slack", team, other_team)
    _started_on(slack, at(10, month=10), 4)  # p85 4 at both ends, under 5
    with time_machine.travel(at(28, 12), tick=False):
        found = signals.signals_for([one_month, two_months, slack])
    assert found[one_month.pk].drift.status is None
    assert [p.queue_p85_hours for p in found[one_month.pk].drift.points] == [
        Decimal("11.00"),
        Decimal("13.00"),
    ]
    assert found[two_months.pk].drift.status == signals.NOT_MET
    assert [p.month_end for p in found[two_months.pk].drift.points] == [at(1, month=11), at(1)]
    assert found[slack.pk].drift.status == signals.SLACK
    assert found[slack.pk].drift.response_sla_hours == Decimal(10)


def test_no_drift_below_twenty_started_or_without_an_sla(always):
    _started_on(always, at(10, month=10), 13, count=19)
    with time_machine.travel(at(28, 12), tick=False):
        assert mine(always, at(28, 12)).drift.status is None
    _started_on(always, at(11, month=10), 13, count=1)
    assert mine(always, at(28, 12)).drift.status == signals.NOT_MET
    HandoffSpec.objects.filter(seam=always).update(response_sla_hours=None)
    assert mine(always, at(28, 12)).drift.status is None


# --- Bounded work ------------------------------------------------------------------------------


def test_it_takes_a_fixed_number_of_queries_for_any_number_of_seams(
    seam, always, django_assert_max_num_queries
):
    for other in (seam, always):
        submitted(other, at(1, 10))
        _twenty(other, at(1, month=11), count=3)
    other = SeamFactory(name="Pilot seam", calendar=Calendar.objects.always())
    other.start_pilot(at(1, month=11).date())
    # Seams with calendars and specs (1), holidays (2), open items (3), queue (4), lead (5),
    # pilot (6).
    with django_assert_max_num_queries(6):
        found = signals.signals_for([seam, always, other], at(3, 10))
    assert len(found) == 3
    assert signals.signals_for([], at(3, 10)) == {}
