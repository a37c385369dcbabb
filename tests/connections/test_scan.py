"""The periodic scan: decisions and corrective actions due or overdue, review packs ready on
the review day; each told once however often the scan runs. Run on the 1st, 3rd and 28th."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from connections.models import Notification, OutboundDelivery
from connections.outbound_scan import scan
from contracts.models import Contract
from decisions.models import Decision
from metrics.models import CorrectiveAction, Review

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/London")
DAYS = [date(2026, 3, 1), date(2026, 3, 3), date(2026, 2, 28)]


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def decision(seam, leader, owner, due: datetime, **fields) -> Decision:
    return Decision.objects.create(
        question="Which SSO provider first?",
        decision_type="scope",
        seam=seam,
        requested_by=owner,
        requested_at=due - timedelta(days=5),
        decider=leader,
        due_at=due,
        **fields,
    )


@pytest.mark.parametrize("day", DAYS)
def test_decisions_overdue_or_due_within_a_day_tell_their_decider_once(day, seam, leader, owner):
    with time_machine.travel(at(day), tick=False):
        now = timezone.now()
        late = decision(seam, leader, owner, now - timedelta(hours=1))
        soon = decision(seam, leader, owner, now + timedelta(hours=3))
        later = decision(seam, leader, owner, now + timedelta(days=9))
        decided = decision(
            seam,
            leader,
            owner,
            now - timedelta(hours=2),
            status="decided",
            decided_at=now - timedelta(hours=3),
        )
        assert scan() == 2
        assert scan() == 0
    kinds = dict(Notification.objects.values_list("key", "kind"))
    assert kinds == {
        f"decision.overdue:{late.pk}": "decision.overdue",
        f"decision.due:{soon.pk}": "decision.due",
    }
    assert set(OutboundDelivery.objects.values_list("person", flat=True)) == {leader.pk}
    assert not Notification.objects.filter(key__endswith=f":{later.pk}").exists()
    assert not Notification.objects.filter(key__endswith=f":{decided.pk}").exists()


def test_an_overdue_decision_after_its_due_warning_is_told_again_as_overdue(seam, leader, owner):
    start = at(date(2026, 3, 3))
    with time_machine.travel(start, tick=False) as clock:
        decision(seam, leader, owner, start + timedelta(hours=2))
        assert scan() == 1
        clock.move_to(start + timedelta(hours=3))
        assert scan() == 1
        assert scan() == 0
    assert sorted(Notification.objects.values_list("kind", flat=True)) == [
        "decision.due",
        "decision.overdue",
    ]


@pytest.fixture
def contract(leader, seam):
    return Contract.objects.create(
        slug="launch", title="Launch", scope="x", leader=leader, status="active", review_day=3
    )


def action(contract, seam, owner, leader, due_on) -> CorrectiveAction:
    review = Review.objects.get_or_create(
        month=date(2026, 1, 1), contract=contract, defaults={"started_by": leader}
    )[0]
    return CorrectiveAction.objects.create(
        review=review,
        seam=seam,
        title="Add a ready checklist",
        owner=owner,
        due_on=due_on,
        metric="rework_rate",
        created_by=leader,
    )


@pytest.mark.parametrize("day", DAYS)
def test_actions_due_or_overdue_tell_their_owner_once(day, contract, seam, owner, leader):
    overdue = action(contract, seam, owner, leader, day - timedelta(days=1))
    due = action(contract, seam, owner, leader, day)
    action(contract, seam, owner, leader, day + timedelta(days=5))
    done = action(contract, seam, owner, leader, day - timedelta(days=3))
    done.status = "done"
    done.save()
    with time_machine.travel(at(day), tick=False):
        scan()
        scan()
    keys = set(
        Notification.objects.filter(kind__startswith="action.").values_list("key", flat=True)
    )
    assert keys == {f"action.overdue:{overdue.pk}", f"action.due:{due.pk}"}
    people = set(
        OutboundDelivery.objects.filter(notification__kind__startswith="action.").values_list(
            "person", flat=True
        )
    )
    assert people == {owner.pk}


@pytest.mark.parametrize(("day", "ready"), [(DAYS[0], False), (DAYS[1], True), (DAYS[2], False)])
def test_the_review_pack_is_ready_on_the_review_day(day, ready, contract, leader):
    Contract.objects.create(
        slug="draft", title="Draft", scope="x", leader=leader, status="draft", review_day=3
    )
    with time_machine.travel(at(day), tick=False):
        scan()
        scan()
    packs = Notification.objects.filter(kind="review_pack.ready")
    assert packs.count() == (1 if ready else 0)
    if ready:
        pack = packs.get()
        assert pack.contract == contract
        assert "pack=1" in pack.link
        assert "contract=launch" in pack.link


def test_a_review_on_the_28th_and_next_month_again(leader):
    contract = Contract.objects.create(
        slug="c28", title="C28", scope="x", leader=leader, status="pilot", review_day=28
    )
    for day in (date(2026, 2, 28), date(2026, 3, 28)):
        with time_machine.travel(at(day), tick=False):
            scan()
    assert Notification.objects.filter(contract=contract).count() == 2


def test_one_bad_item_is_skipped_and_the_rest_told(seam, leader, owner, monkeypatch):
    import connections.outbound_scan as module

    now = at(date(2026, 3, 3))
    with time_machine.travel(now, tick=False):
        first = decision(seam, leader, owner, now - timedelta(hours=1))
        second = decision(seam, leader, owner, now - timedelta(hours=2))
        real = module._tell_decision

        def flaky(d, kind, word):
            if d.pk == first.pk:
                raise ValueError("bad data")
            return real(d, kind, word)

        monkeypatch.setattr(module, "_tell_decision", flaky)
        assert scan() == 1
    assert Notification.objects.get().key == f"decision.overdue:{second.pk}"
