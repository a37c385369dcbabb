"""Each at-risk handoff warns once (metrics.warnings, run by the periodic task)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from connections.deliveries import send_due_deliveries
from connections.models import Notification
from metrics.models import AtRiskWarning
from metrics.tasks import warn_at_risk_handoffs
from seams.handoffs import start_handoff
from seams.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.metrics.at_risk_data import always_seam, submitted, waiting_on_sender

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# The 1st, the 3rd and the 28th of a month.
STARTS = [
    datetime(2026, 3, 1, 8, 0, tzinfo=LONDON),
    datetime(2026, 3, 3, 8, 0, tzinfo=LONDON),
    datetime(2026, 2, 28, 8, 0, tzinfo=LONDON),
]


@pytest.fixture
def seam(team, other_team, owner):
    """Sales → Product on the 24x7 clock, response SLA 10 h, spec owned by Sales' owner."""
    return always_seam("Security sign-off", team, other_team, owner=owner)


def test_the_task_is_scheduled_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["warn-at-risk-handoffs"]
    assert entry["task"] == "metrics.tasks.warn_at_risk_handoffs"
    assert entry["schedule"].minute == set(range(0, 60, 5))


@pytest.mark.parametrize("start", STARTS)
def test_a_handoff_crossing_75_percent_warns_once_across_runs(seam, start):
    with time_machine.travel(start, tick=False) as clock:
        crossing = submitted(seam, start, "Acme SSO")
        clock.move_to(start + timedelta(hours=7))  # 70 %: not yet at risk
        later = submitted(seam, start + timedelta(hours=7), "Globex SSO")
        assert warn_at_risk_handoffs() == 0
        assert not AtRiskWarning.objects.exists()

        clock.move_to(start + timedelta(hours=8))  # 80 %: at risk, 2 h left
        assert warn_at_risk_handoffs() == 1
        clock.move_to(start + timedelta(hours=9))  # still at risk: already warned
        assert warn_at_risk_handoffs() == 0

    warning = AtRiskWarning.objects.get()
    assert warning.handoff_id == crossing.pk
    assert warning.warned_at == start + timedelta(hours=8)
    assert warning.breaches_in_hours == 2
    notes = Notification.objects.filter(kind="handoff.at_risk")
    assert list(notes.values_list("key", flat=True)) == [f"handoff.at_risk:{crossing.pk}"]
    assert not AtRiskWarning.objects.filter(handoff=later).exists()


def test_a_handoff_waiting_on_its_sender_does_not_warn(seam):
    start = STARTS[1]
    with time_machine.travel(start, tick=False) as clock:
        handoff = submitted(seam, start, "Acme SSO")
        waiting_on_sender(handoff, start + timedelta(hours=1))
        clock.move_to(start + timedelta(hours=9))  # 9 h since submission, but paused after 1
        assert warn_at_risk_handoffs() == 0
    assert not AtRiskWarning.objects.exists()
    assert not Notification.objects.filter(kind="handoff.at_risk").exists()


def test_a_started_handoff_does_not_warn(seam):
    start = STARTS[0]
    with time_machine.travel(start, tick=False) as clock:
        handoff = submitted(seam, start, "Acme SSO")
        start_handoff(handoff=handoff, at=start + timedelta(hours=2))
        clock.move_to(start + timedelta(hours=9))
        assert warn_at_risk_handoffs() == 0


def test_it_emails_the_spec_owner_and_the_receiving_team_s_owners(
    seam, owner, other_owner, other_team
):
    second = UserFactory(username="second_owner")
    MembershipFactory(team=other_team, user=second, role=Membership.Role.OWNER)
    member = UserFactory(username="product_member")
    MembershipFactory(team=other_team, user=member, role=Membership.Role.MEMBER)
    start = STARTS[2]
    with time_machine.travel(start, tick=False) as clock:
        submitted(seam, start, "Acme SSO")
        clock.move_to(start + timedelta(hours=8))
        assert warn_at_risk_handoffs() == 1
        send_due_deliveries()  # the sweep that sends deliveries due now
    notification = Notification.objects.get(kind="handoff.at_risk")
    people = set(notification.deliveries.exclude(person=None).values_list("person", flat=True))
    assert people == {owner.pk, other_owner.pk, second.pk}
    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert sent_to == sorted([owner.email, other_owner.email, second.email])
    assert all("Acme SSO" in message.subject for message in mail.outbox)
