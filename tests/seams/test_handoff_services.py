from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from seams.handoffs import (
    HandoffRefused,
    complete_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)
from seams.models import Handoff, HandoffSpec
from tests.factories import write_spec

LONDON = ZoneInfo("Europe/London")
FRI_4PM = datetime(2026, 11, 20, 16, 0, tzinfo=LONDON)


def test_the_deadline_is_fixed_at_submission_from_the_specs_response_sla(seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner, at=FRI_4PM)
    assert handoff.sla_hours == Decimal("16.00")
    assert handoff.sla_deadline == datetime(2026, 11, 24, 15, 0, tzinfo=LONDON)  # Tue 15:00
    write_spec(seam, by=owner, note="Faster", response_sla_hours=Decimal(4))
    start_handoff(handoff=handoff, at=FRI_4PM + timedelta(days=5))
    handoff.refresh_from_db()
    assert handoff.sla_hours == Decimal("16.00")  # the later spec edit doesn't rewrite history


def test_business_hour_durations_are_stored_when_timestamps_are_set(seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner, at=FRI_4PM)
    start_handoff(handoff=handoff, at=datetime(2026, 11, 23, 10, 0, tzinfo=LONDON))  # Mon 10:00
    complete_handoff(
        handoff=Handoff.objects.get(pk=handoff.pk), at=datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
    )  # Tue 12:00
    handoff.refresh_from_db()
    assert handoff.queue_hours == Decimal("2.5000")  # 1.5 Fri + 1 Mon
    assert handoff.lead_hours == Decimal("13.0000")  # 1.5 + 8.5 + 3
    assert not handoff.is_breached(FRI_4PM + timedelta(days=10))


def test_a_seam_without_a_response_sla_gives_no_deadline(seam, owner):
    HandoffSpec.objects.filter(seam=seam).update(response_sla_hours=None)
    seam.spec.refresh_from_db()
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=FRI_4PM)
    assert (handoff.sla_hours, handoff.sla_deadline) == (None, None)
    assert not handoff.is_breached(FRI_4PM + timedelta(days=30))


def test_never_started_past_the_deadline_is_a_breach(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=FRI_4PM)
    assert not handoff.is_breached(datetime(2026, 11, 24, 15, 0, tzinfo=LONDON))  # at the deadline
    assert handoff.is_breached(datetime(2026, 11, 24, 15, 1, tzinfo=LONDON))
    assert list(Handoff.objects.breached(datetime(2026, 11, 25, tzinfo=LONDON))) == [handoff]


def test_returning_adds_one_and_records_when_and_why(seam, owner):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=FRI_4PM)
    return_handoff(
        handoff=handoff,
        reason="No sample payload",
        missing_item="Sample payload attached",
        by=owner,
    )
    return_handoff(handoff=handoff, reason="Still no payload", by=owner)
    handoff.refresh_from_db()
    assert handoff.returned_count == 2
    assert list(handoff.returns.values_list("missing_item", flat=True)) == [
        "Sample payload attached",
        "",
    ]


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        (["complete"], "Start it before completing it."),
        (["start", "start"], "already started"),
        (["start", "complete", "return"], "can't be returned"),
        (["start_early"], "Started before it was submitted."),
    ],
)
def test_impossible_moves_are_refused_and_change_nothing(seam, owner, moves, message):
    handoff = submit_handoff(seam=seam, title="x", by=owner, at=FRI_4PM)
    actions = {
        "start": lambda h: start_handoff(handoff=h, at=FRI_4PM + timedelta(hours=1)),
        "start_early": lambda h: start_handoff(handoff=h, at=FRI_4PM - timedelta(hours=1)),
        "complete": lambda h: complete_handoff(handoff=h, at=FRI_4PM + timedelta(hours=2)),
        "return": lambda h: return_handoff(handoff=h, reason="x"),
    }
    *setup, last = moves
    for name in setup:
        actions[name](Handoff.objects.get(pk=handoff.pk))
    before = Handoff.objects.filter(pk=handoff.pk).values().get()
    with pytest.raises(HandoffRefused, match=message):
        actions[last](Handoff.objects.get(pk=handoff.pk))
    assert Handoff.objects.filter(pk=handoff.pk).values().get() == before
