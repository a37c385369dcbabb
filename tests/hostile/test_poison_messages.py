"""Poison messages: one bad item (a title that breaks an email header, a row that makes its
code raise) must not stop a batch run. It is logged with its id and skipped; the rest go on."""

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from common import outbox
from common.models import OutboxMessage
from decisions import digest, exception_path
from decisions.exception_path import escalate_overdue_handoffs
from decisions.models import Decision, DigestSent, Escalation
from decisions.tasks import escalate_handoffs, send_digests
from metrics import engine, quality
from metrics.models import DataQualityReport
from metrics.tasks import calendar_changed, check_data_quality, compute_seam_month
from seams import handoffs
from seams.handoffs import start_handoff, submit_handoff
from seams.models import Calendar, Handoff, HandoffSpec
from tests.factories import TeamFactory

LONDON = ZoneInfo("Europe/London")
FRI_4PM = datetime(2026, 11, 13, 16, 0, tzinfo=LONDON)  # escalation due Wed 18 Nov 14:30
INJECTED = "x\r\nBcc: evil@example.com"


@pytest.fixture
def patient(seam, leader):
    HandoffSpec.objects.filter(seam=seam).update(
        escalate_to=leader, escalate_after_hours=Decimal(8)
    )
    seam.spec.refresh_from_db()
    return seam


def raising_for(function, bad_id, *, key=lambda *args, **kwargs: args[0].pk):
    """`function`, except that it raises for the item whose id is `bad_id`."""

    def wrapper(*args, **kwargs):
        if key(*args, **kwargs) == bad_id:
            raise RuntimeError(f"item {bad_id} is poisoned")
        return function(*args, **kwargs)

    return wrapper


# --- The escalation run -------------------------------------------------------------------


def test_a_title_with_a_line_break_escalates_with_a_one_line_subject_and_the_run_goes_on(
    patient, owner, leader
):
    poisoned = submit_handoff(seam=patient, title=INJECTED, by=owner, at=FRI_4PM)
    plain = submit_handoff(seam=patient, title="Acme SSO", by=owner, at=FRI_4PM)

    assert escalate_overdue_handoffs(now=FRI_4PM + timedelta(days=10)) == 2

    by_subject = {m.subject: m for m in mail.outbox}
    subject = f"Escalation: x Bcc: evil@example.com is waiting on {patient.name}"
    assert set(by_subject) == {subject, f"Escalation: Acme SSO is waiting on {patient.name}"}
    message = by_subject[subject]
    assert (message.to, message.bcc, message.cc) == ([leader.email], [], [])
    rendered = message.message()
    assert rendered["Bcc"] is None
    assert "\n" not in rendered["Subject"]
    assert "\r" not in rendered["Subject"]
    assert INJECTED in message.body  # the body keeps the title as written
    assert set(Escalation.objects.values_list("handoff", flat=True)) == {poisoned.pk, plain.pk}


@pytest.mark.parametrize("day", [1, 3, 28])
def test_the_celery_task_escalates_past_a_poisoned_title_whatever_the_day(patient, owner, day):
    submit_handoff(seam=patient, title=INJECTED, by=owner, at=FRI_4PM)
    submit_handoff(seam=patient, title="Acme SSO", by=owner, at=FRI_4PM)
    with time_machine.travel(datetime(2026, 12, day, 10, 0, tzinfo=LONDON), tick=False):
        assert escalate_handoffs.apply().get() == 2
    assert len(mail.outbox) == 2
    assert Handoff.objects.filter(escalated_at__isnull=True).count() == 0


def test_one_handoff_that_fails_is_logged_and_skipped_and_the_others_escalated(
    patient, owner, monkeypatch, caplog
):
    first = submit_handoff(seam=patient, title="First", by=owner, at=FRI_4PM)
    bad = submit_handoff(seam=patient, title="Bad", by=owner, at=FRI_4PM)
    last = submit_handoff(seam=patient, title="Last", by=owner, at=FRI_4PM)
    monkeypatch.setattr(exception_path, "_escalate", raising_for(exception_path._escalate, bad.pk))

    with caplog.at_level(logging.ERROR, logger="decisions.exception_path"):
        assert escalate_overdue_handoffs(now=FRI_4PM + timedelta(days=10)) == 2

    assert set(Escalation.objects.values_list("handoff", flat=True)) == {first.pk, last.pk}
    assert Handoff.objects.get(pk=bad.pk).escalated_at is None  # the next run tries again
    [failure] = [r for r in caplog.records if r.exc_info]
    assert failure.getMessage() == f"Escalation run: handoff {bad.pk} failed and was skipped."
    assert "is poisoned" in str(failure.exc_info[1])
    assert any("1 of 3 failed" in r.getMessage() for r in caplog.records)


# --- The daily digest ---------------------------------------------------------------------


@pytest.fixture
def two_deciders(seam, owner, other_owner):
    now = timezone.now()
    for decider in (owner, other_owner):
        Decision.objects.create(
            question=f"Scope for {decider.username}",
            decision_type="Scope",
            seam=seam,
            requested_by=owner,
            decider=decider,
            due_at=now - timedelta(hours=5),
            requested_at=now - timedelta(days=5),
        )
    return owner, other_owner


def test_one_persons_digest_that_fails_does_not_stop_the_others(two_deciders, monkeypatch, caplog):
    owner, other_owner = two_deciders
    monkeypatch.setattr(
        digest, "_send", raising_for(digest._send, owner.pk, key=lambda user, *a: user.pk)
    )
    with caplog.at_level(logging.ERROR, logger="decisions.digest"):
        assert send_digests.apply().get() == 1
    assert [m.to for m in mail.outbox] == [[other_owner.email]]
    assert list(DigestSent.objects.values_list("user", flat=True)) == [other_owner.pk]
    assert f"user {owner.pk} failed" in caplog.text
    assert "1 of 2 failed" in caplog.text


# --- The outbox relay ---------------------------------------------------------------------


def test_the_relay_skips_a_message_that_fails_and_sends_the_ones_behind_it(
    db, celery_eager, monkeypatch, caplog
):
    unknown = OutboxMessage.objects.create(task="nowhere.tasks.gone")
    poisoned = OutboxMessage.objects.create(task=check_data_quality.name)
    good = OutboxMessage.objects.create(task=check_data_quality.name)
    monkeypatch.setattr(
        outbox, "_publish", raising_for(outbox._publish, poisoned.pk, key=lambda m: m.pk)
    )

    with caplog.at_level(logging.ERROR, logger="common.outbox"):
        assert outbox.relay() == 1

    assert OutboxMessage.objects.get(pk=good.pk).sent_at is not None
    assert DataQualityReport.objects.count() == 1
    for waiting in (unknown, poisoned):
        waiting.refresh_from_db()
        assert (waiting.sent_at, waiting.attempts) == (None, 1)
    assert unknown.last_error == "No task named nowhere.tasks.gone."
    assert f"message {poisoned.pk}" in caplog.text


# --- The data-quality check ---------------------------------------------------------------


def test_a_team_whose_check_fails_is_reported_and_the_others_checked(db, monkeypatch, caplog):
    bad = TeamFactory(name="Broken")
    TeamFactory(name="Ownerless")
    monkeypatch.setattr(quality, "team_findings", raising_for(quality.team_findings, bad.pk))

    with caplog.at_level(logging.ERROR, logger="metrics.quality"):
        report = DataQualityReport.objects.get(pk=check_data_quality.apply().get())

    messages = [f["message"] for f in report.findings]
    assert "Ownerless has no owner, so only leaders can edit the handoff specs of its seams." in (
        messages
    )
    assert not any(m.startswith("Broken") for m in messages)
    assert [f["code"] for f in report.findings].count("check-failed") == 1
    assert f"team {bad.pk} failed" in caplog.text


# --- Recomputations -----------------------------------------------------------------------


def test_restamping_skips_a_handoff_it_fails_on_and_restamps_the_rest(
    seam, owner, monkeypatch, caplog
):
    good = submit_handoff(seam=seam, title="Good", by=owner, at=FRI_4PM)
    bad = submit_handoff(seam=seam, title="Bad", by=owner, at=FRI_4PM)
    for handoff in (good, bad):
        start_handoff(handoff=handoff, at=FRI_4PM + timedelta(days=3))
    before = {h.pk: h.queue_hours for h in Handoff.objects.all()}
    Calendar.objects.filter(pk=seam.calendar_id).update(day_end=time(18, 30))
    monkeypatch.setattr(handoffs, "stamp", raising_for(handoffs.stamp, bad.pk))

    with caplog.at_level(logging.ERROR, logger="seams.handoffs"):
        assert calendar_changed.apply(args=[seam.calendar_id]).get() == 1

    after = {h.pk: h.queue_hours for h in Handoff.objects.all()}
    assert after[bad.pk] == before[bad.pk]
    assert after[good.pk] > before[good.pk]  # an hour more of each working day
    assert f"handoff {bad.pk} failed" in caplog.text


def test_a_seams_snapshot_that_fails_lets_the_run_finish(seam, monkeypatch, caplog):
    def broken(months, seam_ids):
        raise ZeroDivisionError("odd data")

    monkeypatch.setattr(engine, "compute", broken)
    with caplog.at_level(logging.ERROR, logger="metrics.tasks"):
        assert compute_seam_month.apply(args=[seam.pk, "2026-11"]).get() == 0
    assert f"seam {seam.pk}, 2026-11 failed" in caplog.text
