from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from decisions.digest import send_daily_digests
from decisions.models import Decision, Dependency, DigestSent
from decisions.tasks import send_digests
from tests.factories import UserFactory


@pytest.fixture
def waiting(seam, owner, other_owner, team, other_team):
    now = timezone.now()
    tomorrow_noon = timezone.make_aware(
        datetime.combine(
            timezone.localdate() + timedelta(days=1), datetime.min.time().replace(hour=12)
        )
    )

    def decision(question, due, **kwargs):
        return Decision.objects.create(
            question=question,
            decision_type="Scope",
            seam=seam,
            requested_by=owner,
            decider=other_owner,
            due_at=due,
            requested_at=now - timedelta(days=5),
            **kwargs,
        )

    decision("Overdue one", now - timedelta(hours=5))
    decision("Due tomorrow", tomorrow_noon)
    decision("Due next week", now + timedelta(days=7))
    decision("Decided already", now - timedelta(days=1), status="decided", decided_at=now)
    risky_owner = UserFactory(username="risky", email="risky@example.com")
    Dependency.objects.create(
        title="Sandbox tenant",
        provider=other_team,
        consumer=team,
        owner=risky_owner,
        needed_by=timezone.localdate(),
        status="at_risk",
    )
    Dependency.objects.create(
        title="On track",
        provider=other_team,
        consumer=team,
        owner=risky_owner,
        needed_by=timezone.localdate(),
        status="committed",
    )


def test_each_person_gets_what_they_must_decide_or_unblock(waiting):
    assert send_daily_digests() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    decider = by_recipient["other_owner@example.com"]
    assert decider.subject == "Seamline today: 1 overdue, 1 due tomorrow"
    assert "Overdue one" in decider.body
    assert "Due tomorrow" in decider.body
    assert "Due next week" not in decider.body
    assert "Decided already" not in decider.body
    risky = by_recipient["risky@example.com"]
    assert risky.subject == "Seamline today: 1 at risk"
    assert "Sandbox tenant" in risky.body
    assert "On track" not in risky.body


def test_a_rerun_the_same_day_sends_nothing_twice(waiting):
    send_daily_digests()
    assert send_digests.apply().get() == 0  # the task, run again today
    assert len(mail.outbox) == 2
    assert DigestSent.objects.count() == 2


def test_tomorrow_sends_again(waiting):
    send_daily_digests()
    send_daily_digests(today=timezone.localdate() + timedelta(days=1))
    assert len(mail.outbox) == 4


def test_a_failed_send_claims_nothing_so_a_retry_sends_it(waiting, monkeypatch):
    import decisions.digest as digest

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(digest, "send_mail", broken)
    assert send_daily_digests() == 0  # each failure logged and skipped, not raised
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert send_daily_digests() == 2
