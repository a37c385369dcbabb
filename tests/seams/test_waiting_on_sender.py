"""Waiting on the sender (DESIGN.md, Returns and waiting on the sender): pauses of the receiver's
clock, hand-computed on the UK business calendar (Mon–Fri 09:00–17:30, 8.5 h a day) with the
spring bank holiday, Monday 25 May 2026, and a 16-hour response SLA."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from seams import business_time
from seams.handoffs import (
    HandoffInputRefused,
    HandoffRefused,
    restamp_calendar,
    resubmit_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)
from seams.models import CalendarHoliday, Handoff, HandoffReturn, Seam

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 3, 12, 0, tzinfo=LONDON)  # the 3rd of the next month


def may(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=LONDON)


THU_10 = may(21, 10)  # submitted
ORIGINAL_DEADLINE = may(22, 17, 30)  # 16 h: Thu 10:00–17:30 = 7.5, Fri 09:00–17:30 = 8.5


@pytest.fixture(autouse=True)
def _june():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bank_holiday(seam) -> Seam:
    CalendarHoliday.objects.create(calendar=seam.calendar, date=date(2026, 5, 25), name="Spring")
    return Seam.objects.select_related("calendar", "spec").get(pk=seam.pk)  # fresh rules


def fresh(handoff: Handoff) -> Handoff:
    return Handoff.objects.get(pk=handoff.pk)


def test_it_moves_the_deadline_and_queue_time_by_the_paused_hours_across_weekend_and_holiday(
    bank_holiday, owner
):
    seam = bank_holiday
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner, at=THU_10)
    assert handoff.sla_deadline == ORIGINAL_DEADLINE
    handoff = return_handoff(
        handoff=handoff,
        reason="No sample payload",
        missing_item="Sample payload attached",
        by=owner,
        at=may(21, 15),  # Thu 15:00: 5 h of the 16 used
    )
    assert handoff.waiting_since == may(21, 15)
    assert handoff.sla_deadline is None  # unknown while it waits: not due, can't breach
    handoff = resubmit_handoff(handoff=handoff, by=owner, at=may(26, 11))  # Tue 11:00
    # Paused: Thu 15:00–17:30 = 2.5, Fri 8.5, weekend 0, Mon (bank holiday) 0, Tue 09–11 = 2
    # → 13 h. Remaining 11 h from Tue 11:00: Tue 6.5 to 17:30, Wed 09:00 + 4.5 = 13:30.
    assert handoff.waiting_since is None
    assert handoff.paused_hours == Decimal("13.0000")
    assert handoff.sla_deadline == may(27, 13, 30)
    moved = business_time.business_hours_between(
        seam.calendar.working_time(), ORIGINAL_DEADLINE, handoff.sla_deadline
    )
    assert moved == 13.0  # exactly the paused business hours (Tue 8.5 + Wed 4.5)
    handoff = start_handoff(handoff=handoff, at=may(27, 10))  # Wed 10:00
    # Queue: Thu 7.5 + Fri 8.5 + Tue 8.5 + Wed 1 = 25.5 business hours, minus 13 paused = 12.5
    assert handoff.queue_hours == Decimal("12.5000")
    assert not handoff.is_breached(NOW)
    returned = HandoffReturn.objects.get(handoff=handoff)
    assert (returned.pauses, returned.pause_hours) == (True, Decimal("13.0000"))
    assert returned.resubmitted_at == may(26, 11)
    rules = seam.calendar.working_time()
    assert returned.returned_clock == Decimal(
        str(business_time.clock_hours(rules, may(21, 15)))
    ).quantize(Decimal("0.0001"))
    assert handoff.submitted_clock == Decimal(
        str(business_time.clock_hours(rules, THU_10))
    ).quantize(Decimal("0.0001"))
    # The clocks' difference is the business time between: Thu 10:00 → 15:00 = 5 h.
    assert returned.returned_clock - handoff.submitted_clock == Decimal("5.0000")


def test_two_returns_pause_twice(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))  # Mon 09:00
    # No pauses: Mon 8.5 + Tue 7.5 → Tue 16:30.
    assert handoff.sla_deadline == may(19, 16, 30)
    return_handoff(handoff=handoff, reason="No use case", missing_item="", at=may(18, 10))
    resubmit_handoff(handoff=handoff, by=owner, at=may(18, 12))  # paused Mon 10–12 = 2 h
    return_handoff(
        handoff=handoff,
        reason="Still no payload",
        missing_item="other",
        other_item="Signed NDA",
        at=may(19, 9),
    )
    handoff = resubmit_handoff(handoff=handoff, by=owner, at=may(19, 12))  # Tue 09–12 = 3 h
    # 16 + 5 = 21 h from Mon 09:00: Mon 8.5, Tue 8.5 (17), Wed 09:00 + 4 = 13:00.
    assert handoff.paused_hours == Decimal("5.0000")
    assert handoff.sla_deadline == may(20, 13)
    assert handoff.returned_count == 2
    items = list(handoff.returns.values_list("missing_item", "pause_hours"))
    assert items == [("", Decimal("2.0000")), ("Other: Signed NDA", Decimal("3.0000"))]
    handoff = start_handoff(handoff=handoff, at=may(20, 10))
    # Queue: Mon 8.5 + Tue 8.5 + Wed 1 = 18, minus 5 paused = 13.
    assert handoff.queue_hours == Decimal("13.0000")


def test_a_return_after_start_pauses_nothing(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    start_handoff(handoff=handoff, at=may(18, 11))
    handoff = return_handoff(handoff=handoff, reason="Rework", at=may(18, 12))
    assert handoff.waiting_since is None
    assert handoff.sla_deadline == may(19, 16, 30)  # unchanged
    assert handoff.queue_hours == Decimal("2.0000")  # Mon 09–11, nothing paused
    assert not HandoffReturn.objects.get(handoff=handoff).pauses
    with pytest.raises(HandoffRefused, match="not waiting"):
        resubmit_handoff(handoff=handoff, by=owner)


@pytest.mark.parametrize("returned_at", [may(19, 16, 30), may(20, 10)])
def test_a_return_at_or_after_the_deadline_pauses_nothing(seam, owner, returned_at):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    deadline = handoff.sla_deadline
    assert deadline == may(19, 16, 30)
    handoff = return_handoff(handoff=handoff, reason="Late look", at=returned_at)
    assert (handoff.waiting_since, handoff.sla_deadline) == (None, deadline)  # the deadline stays
    assert handoff.is_breached(NOW)  # still not started after it
    assert not HandoffReturn.objects.get(handoff=handoff).pauses


def test_a_resubmission_after_the_original_deadline_moves_it_by_the_pause(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))  # due Tue 16:30
    return_handoff(handoff=handoff, reason="No payload", at=may(19, 16))  # 15.5 h used
    # Resubmitted Thu 10:00, after the original deadline. Paused: Tue 16:00–17:30 = 1.5,
    # Wed 8.5, Thu 09–10 = 1 → 11 h. Remaining 0.5 h from Thu 10:00 → Thu 10:30.
    handoff = resubmit_handoff(handoff=handoff, by=owner, at=may(21, 10))
    assert handoff.paused_hours == Decimal("11.0000")
    assert handoff.sla_deadline == may(21, 10, 30)
    assert not handoff.is_breached(may(21, 10, 30))
    assert handoff.is_breached(may(21, 10, 31))


def test_starting_while_waiting_ends_the_pause_at_the_start(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    return_handoff(handoff=handoff, reason="No payload", at=may(18, 10))
    handoff = start_handoff(handoff=handoff, at=may(18, 13))
    # Paused Mon 10–13 = 3 h; queue Mon 09–13 = 4 h minus 3 = 1 h.
    assert handoff.waiting_since is None
    assert handoff.queue_hours == Decimal("1.0000")
    assert HandoffReturn.objects.get(handoff=handoff).resubmitted_at == may(18, 13)


def test_a_seam_without_an_sla_still_pauses_queue_time(seam, owner):
    seam.spec.response_sla_hours = None
    seam.spec.save(update_fields=["response_sla_hours"])
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    return_handoff(handoff=handoff, reason="No payload", at=may(18, 10))
    resubmit_handoff(handoff=handoff, by=owner, at=may(18, 12))
    handoff = start_handoff(handoff=handoff, at=may(18, 15))
    assert (handoff.sla_deadline, handoff.queue_hours) == (None, Decimal("4.0000"))  # 6 - 2


def test_it_refuses_what_cannot_be(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    with pytest.raises(HandoffInputRefused, match="not in the seam's definition of ready"):
        return_handoff(handoff=handoff, reason="x", missing_item="A unicorn", at=may(18, 10))
    with pytest.raises(HandoffInputRefused, match="Say what is missing"):
        return_handoff(handoff=handoff, reason="x", missing_item="other", at=may(18, 10))
    with pytest.raises(HandoffInputRefused, match="in the future"):
        return_handoff(handoff=handoff, reason="x", at=NOW + timedelta(hours=1))
    with pytest.raises(HandoffInputRefused, match="before the handoff was submitted"):
        return_handoff(handoff=handoff, reason="x", at=may(18, 8))
    with pytest.raises(HandoffRefused, match="not waiting"):
        resubmit_handoff(handoff=handoff, by=owner)
    return_handoff(handoff=handoff, reason="x", at=may(18, 10))
    with pytest.raises(HandoffRefused, match="already waiting"):
        return_handoff(handoff=handoff, reason="again", at=may(18, 11))
    with pytest.raises(HandoffInputRefused, match="before it was returned"):
        resubmit_handoff(handoff=handoff, by=owner, at=may(18, 9, 30))
    assert HandoffReturn.objects.filter(handoff=handoff).count() == 1
    assert fresh(handoff).returned_count == 1


def test_a_calendar_change_restamps_pauses(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(21, 10))
    return_handoff(handoff=handoff, reason="x", at=may(21, 15))
    resubmit_handoff(handoff=handoff, by=owner, at=may(26, 11))
    assert fresh(handoff).paused_hours == Decimal("21.5000")  # 2.5 + 8.5 + Mon 8.5 + 2
    CalendarHoliday.objects.create(calendar=seam.calendar, date=date(2026, 5, 25))
    restamp_calendar(seam.calendar)
    handoff = fresh(handoff)
    assert handoff.paused_hours == Decimal("13.0000")  # the bank holiday no longer counts
    assert handoff.sla_deadline == may(27, 13, 30)
    assert HandoffReturn.objects.get(handoff=handoff).pause_hours == Decimal("13.0000")


def test_the_data_migration_fills_clocks_and_closes_old_returns_where_they_happened(seam, owner):
    from importlib import import_module

    from django.apps import apps

    fill = import_module("seams.migrations.0017_fill_business_clocks").fill
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=may(18, 9))
    return_handoff(handoff=handoff, reason="Old return", at=may(18, 10))
    clock = fresh(handoff).submitted_clock
    # As recorded before waiting on the sender existed: no clocks, no pause, no resubmission.
    Handoff.objects.update(submitted_clock=None, waiting_since=None, sla_deadline=may(19, 16, 30))
    HandoffReturn.objects.update(returned_clock=None, pauses=False, resubmitted_at=None)
    fill(apps, None)
    handoff = fresh(handoff)
    returned = HandoffReturn.objects.get()
    assert handoff.submitted_clock == clock
    assert returned.returned_clock - clock == Decimal("1.0000")  # Mon 09:00 → 10:00
    # A pause of no length: nothing recorded until now moves, and a later restamp agrees.
    assert (returned.resubmitted_at, returned.pauses, returned.pause_hours) == (
        may(18, 10),
        True,
        Decimal("0.0000"),
    )
    handoff = start_handoff(handoff=handoff, at=may(18, 12))
    assert (handoff.queue_hours, handoff.sla_deadline) == (Decimal("3.0000"), may(19, 16, 30))
