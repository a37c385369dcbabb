"""The named events become notifications, each told once, to the people it concerns and the
channels whose scope covers it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common import events
from connections.models import Channel, Notification, OutboundDelivery
from connections.notify import handoff_at_risk
from contracts.models import Contract, ContractSeam
from contracts.services import publish_revision, sign_revision
from decisions.exception_path import escalate_overdue_handoffs
from seams.handoffs import resubmit_handoff, return_handoff, submit_handoff
from seams.models import HandoffSpec
from tests.connections.conftest import make_channel
from tests.factories import SeamFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
FRI_4PM = datetime(2026, 11, 13, 16, 0, tzinfo=LONDON)


def test_at_risk_is_a_registered_event_with_a_subscriber():
    assert "handoff.at_risk" in events.NAMES
    assert handoff_at_risk in events.subscribers("handoff.at_risk")


def test_at_risk_when_emitted_warns_the_seam_owner_once(seam, owner, receiver):
    channel = make_channel(Channel.Kind.SLACK, receiver.url, events=["handoff.at_risk"])
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner)
    events.emit("handoff.at_risk", handoff_id=handoff.pk)
    events.emit("handoff.at_risk", handoff_id=handoff.pk)
    notification = Notification.objects.get(kind="handoff.at_risk")
    assert notification.title == "At risk: Acme SSO"
    recipients = {(d.channel_id, d.person_id) for d in notification.deliveries.all()}
    assert recipients == {(channel.pk, None), (None, owner.pk)}


def test_a_return_tells_once_per_return(seam, owner):
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner)
    return_handoff(handoff=handoff, reason="No payload", by=owner)
    resubmit_handoff(handoff=handoff, by=owner)  # a waiting handoff is not returned twice
    return_handoff(handoff=handoff, reason="Still no payload", by=owner)
    assert Notification.objects.filter(kind="handoff.returned").count() == 2


def test_a_breach_escalates_and_notifies_once(seam, owner, leader, receiver):
    HandoffSpec.objects.filter(seam=seam).update(escalate_to=leader, escalate_after_hours=8)
    channel = make_channel(Channel.Kind.TEAMS, receiver.url, seam=seam)
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner, at=FRI_4PM)
    later = datetime(2026, 11, 18, 14, 31, tzinfo=LONDON)
    assert escalate_overdue_handoffs(now=later) == 1
    assert escalate_overdue_handoffs(now=later + timedelta(days=1)) == 0
    notification = Notification.objects.get(kind="handoff.breached")
    assert notification.key == f"handoff.breached:{handoff.pk}"
    people = set(notification.deliveries.exclude(person=None).values_list("person", flat=True))
    assert people == {owner.pk}  # the leader (escalate_to) has the escalation's own email
    assert notification.deliveries.filter(channel=channel).exists()


def test_a_rolled_back_write_notifies_no_one(seam, owner, receiver):
    from django.db import transaction

    make_channel(Channel.Kind.SLACK, receiver.url)
    handoff = submit_handoff(seam=seam, title="Acme SSO", by=owner)

    def failing_write():
        with transaction.atomic():
            return_handoff(handoff=handoff, reason="No payload", by=owner)
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not Notification.objects.exists()
    assert not OutboundDelivery.objects.exists()


def test_a_revision_asks_its_binding_leaders_who_have_not_signed(seam, leader):
    other = UserFactory(username="lead2", roles=["leader"])
    seam.from_team.leader = other
    seam.from_team.save()
    contract = Contract.objects.create(slug="launch", title="Launch", scope="x", leader=leader)
    ContractSeam.objects.create(contract=contract, seam=seam)
    revision = publish_revision(contract=contract, changelog="First", by=leader)
    notification = Notification.objects.get(kind="revision.awaiting_signature")
    assert notification.contract == contract
    assert set(notification.deliveries.values_list("person", flat=True)) == {leader.pk, other.pk}
    sign_revision(revision=revision, leader=leader)
    assert Notification.objects.count() == 1  # signing tells no one


@pytest.fixture
def elsewhere():
    return SeamFactory(from_team=TeamFactory(name="Legal"), to_team=TeamFactory(name="Ops"))


def test_a_channel_hears_only_within_its_scope(seam, owner, elsewhere, receiver):
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="x", leader=UserFactory()
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    wanted = ["handoff.returned"]
    everywhere = make_channel(Channel.Kind.SLACK, receiver.url, events=wanted)
    on_seam = make_channel(Channel.Kind.SLACK, receiver.url, events=wanted, seam=seam)
    on_team = make_channel(Channel.Kind.SLACK, receiver.url, events=wanted, team=seam.to_team)
    on_contract = make_channel(Channel.Kind.SLACK, receiver.url, events=wanted, contract=contract)
    make_channel(Channel.Kind.SLACK, receiver.url, events=wanted, seam=elsewhere)
    make_channel(Channel.Kind.SLACK, receiver.url, events=["handoff.breached"])
    make_channel(Channel.Kind.SLACK, receiver.url, events=wanted, active=False)
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    return_handoff(handoff=handoff, reason="No payload", by=owner)
    got = set(OutboundDelivery.objects.exclude(channel=None).values_list("channel", flat=True))
    assert got == {everywhere.pk, on_seam.pk, on_team.pk, on_contract.pk}


def test_a_person_without_an_email_gets_no_delivery(seam, owner):
    owner.email = ""
    owner.save()
    handoff = submit_handoff(seam=seam, title="Acme", by=owner)
    return_handoff(handoff=handoff, reason="No payload", by=owner)
    assert Notification.objects.count() == 1
    assert not OutboundDelivery.objects.exists()
