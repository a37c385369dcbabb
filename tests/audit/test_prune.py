"""Nightly pruning: what the audit's records forget, and when."""

from datetime import timedelta

from auditlog.models import LogEntry
from django.utils import timezone

from audit.models import RefusedWrite


def test_nightly_pruning_forgets_only_what_is_past_its_keeping_time(settings, seam, leader):
    from axes.models import AccessAttempt, AccessLog

    from audit.tasks import prune_records

    settings.AUDIT_REFUSED_KEEP_DAYS = 30
    settings.SIGN_IN_LOG_KEEP_DAYS = 30
    settings.AUDIT_LOG_KEEP_DAYS = 0  # changes: for ever
    now = timezone.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    for at in (old, recent):
        RefusedWrite.objects.create(at=at, method="POST", path="/x/", status=403)
        AccessLog.objects.create(username="elena", ip_address="10.0.0.1", user_agent="")
        AccessLog.objects.filter(attempt_time__gt=at).update(attempt_time=at)
    for at in (now - settings.AXES_COOLOFF_TIME - timedelta(minutes=1), now):
        AccessAttempt.objects.create(
            username="elena", ip_address="10.0.0.1", user_agent=str(at), failures_since_start=1
        )
        AccessAttempt.objects.filter(attempt_time__gt=at).update(attempt_time=at)
    LogEntry.objects.update(timestamp=now - timedelta(days=4000))
    changes = LogEntry.objects.count()
    assert changes > 0

    assert prune_records() == {
        "refused writes": 1,
        "changes": 0,
        "sign-ins": 1,
        "expired sign-in failures": 1,
        "ended sessions": 0,
    }
    assert list(RefusedWrite.objects.values_list("at", flat=True)) == [recent]
    assert list(AccessLog.objects.values_list("attempt_time", flat=True)) == [recent]
    assert AccessAttempt.objects.get().attempt_time == now
    assert LogEntry.objects.count() == changes

    settings.AUDIT_LOG_KEEP_DAYS = 3650
    assert prune_records()["changes"] == changes
    assert not LogEntry.objects.exists()


def test_nightly_pruning_forgets_expired_sessions_and_whose_they_were(viewer, leader):
    from django.contrib.sessions.models import Session

    from audit.tasks import prune_records
    from identity.models import SignedInSession
    from tests.conftest import client_for

    ended, live = client_for(viewer), client_for(leader)
    Session.objects.filter(session_key=ended.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert prune_records()["ended sessions"] == 1
    assert list(SignedInSession.objects.values_list("user", flat=True)) == [leader.pk]
    assert Session.objects.filter(session_key=live.session.session_key).exists()
    assert not Session.objects.filter(session_key=ended.session.session_key).exists()
