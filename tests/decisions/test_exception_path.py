import os
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from decisions.exception_path import escalate_overdue_handoffs
from decisions.models import Escalation
from seams.handoffs import start_handoff, submit_handoff
from seams.models import Handoff, HandoffSpec

LONDON = ZoneInfo("Europe/London")
FRI_4PM = datetime(2026, 11, 13, 16, 0, tzinfo=LONDON)  # due Tue 17 Nov 15:00 (16 business h)


@pytest.fixture
def patient(seam, leader):
    """Escalate 8 business hours after the deadline, to the leader."""
    HandoffSpec.objects.filter(seam=seam).update(
        escalate_to=leader, escalate_after_hours=Decimal(8)
    )
    seam.spec.refresh_from_db()
    return seam


def test_it_escalates_once_after_the_deadline_plus_the_specs_patience(patient, owner, leader):
    handoff = submit_handoff(seam=patient, title="Acme SSO", by=owner, at=FRI_4PM)
    # Deadline Tue 15:00 + 8 business hours = Wed 14:30.
    assert escalate_overdue_handoffs(now=datetime(2026, 11, 18, 14, 29, tzinfo=LONDON)) == 0
    assert escalate_overdue_handoffs(now=datetime(2026, 11, 18, 14, 31, tzinfo=LONDON)) == 1
    assert escalate_overdue_handoffs(now=datetime(2026, 11, 19, 10, 0, tzinfo=LONDON)) == 0
    [message] = mail.outbox
    assert message.to == [leader.email]
    assert "Acme SSO" in message.subject
    escalation = Escalation.objects.get()
    assert (escalation.seam, escalation.cause, escalation.handoff, escalation.raised_by) == (
        patient,
        "sla_breach",
        handoff,
        None,
    )
    assert Handoff.objects.get().escalated_at is not None


def test_a_started_handoff_or_one_without_a_deadline_is_never_escalated(patient, owner):
    started = submit_handoff(seam=patient, title="Started", by=owner, at=FRI_4PM)
    start_handoff(handoff=started, at=FRI_4PM + timedelta(days=6))
    HandoffSpec.objects.filter(seam=patient).update(response_sla_hours=None)
    patient.spec.refresh_from_db()
    submit_handoff(seam=patient, title="No SLA", by=owner, at=FRI_4PM)
    assert escalate_overdue_handoffs(now=FRI_4PM + timedelta(days=30)) == 0
    assert not mail.outbox


def test_a_failed_email_leaves_it_for_the_next_run(patient, owner, monkeypatch):
    import decisions.exception_path as path

    submit_handoff(seam=patient, title="Acme", by=owner, at=FRI_4PM)
    monkeypatch.setattr(
        path, "send_mail", lambda **kw: (_ for _ in ()).throw(ConnectionError("SMTP down"))
    )
    # Logged and skipped, not raised: one refused email must not stop the run's other handoffs.
    assert escalate_overdue_handoffs(now=FRI_4PM + timedelta(days=10)) == 0
    assert not Escalation.objects.exists()
    assert Handoff.objects.get().escalated_at is None
    monkeypatch.undo()
    assert escalate_overdue_handoffs(now=FRI_4PM + timedelta(days=10)) == 1


@pytest.mark.celery_worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)")
@pytest.mark.django_db(transaction=True)
def test_the_task_on_a_real_worker_notifies_once(django_db_blocker, settings):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app as celery_app
    from decisions.tasks import escalate_handoffs
    from tests.factories import MembershipFactory, SeamFactory, TeamFactory, UserFactory, write_spec

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    boss = UserFactory(username="boss", email="boss@example.com")
    owner = UserFactory(username="o")
    seam = SeamFactory(
        name="Intake", from_team=TeamFactory(name="A"), to_team=TeamFactory(name="B")
    )
    MembershipFactory(team=seam.from_team, user=owner, role="owner")
    write_spec(seam, by=owner, escalate_to=boss, escalate_after_hours=Decimal(1))
    submit_handoff(seam=seam, title="Stuck", by=owner, at=FRI_4PM)

    with (
        django_db_blocker.unblock(),
        start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"),
    ):
        first = escalate_handoffs.delay().get(timeout=30)
        second = escalate_handoffs.delay().get(timeout=30)

    assert (first, second) == (1, 0)
    assert Escalation.objects.filter(cause="sla_breach", handoff__title="Stuck").count() == 1
    escalation_mails = [m for m in mail.outbox if m.subject.startswith("Escalation")]
    assert [m.to for m in escalation_mails] == [["boss@example.com"]]
