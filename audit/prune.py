"""Keeping: what the audit's records forget, and when."""

from datetime import datetime, timedelta

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.models import RefusedWrite
from identity.services import forget_ended_sessions


def prune(now: datetime | None = None) -> dict[str, int]:
    """Forget what is past its keeping time (settings: the *_KEEP_DAYS), and say how much.

    Refused writes and sign-ins (django-axes' access log) are kept AUDIT_REFUSED_KEEP_DAYS and
    SIGN_IN_LOG_KEEP_DAYS; the changes themselves for AUDIT_LOG_KEEP_DAYS, which is 0 (for
    ever) unless set. Expired sign-in failures go too: past the lockout they count for nothing,
    and so do expired sessions.
    """
    now = now or timezone.now()
    lockout_days = settings.AXES_COOLOFF_TIME / timedelta(days=1)
    return {
        "refused writes": _older_than(RefusedWrite, "at", settings.AUDIT_REFUSED_KEEP_DAYS, now),
        "changes": _older_than(LogEntry, "timestamp", settings.AUDIT_LOG_KEEP_DAYS, now),
        "sign-ins": _older_than(AccessLog, "attempt_time", settings.SIGN_IN_LOG_KEEP_DAYS, now),
        "expired sign-in failures": _older_than(AccessAttempt, "attempt_time", lockout_days, now),
        "ended sessions": forget_ended_sessions(now),
    }


def _older_than(model: type[models.Model], field: str, days: float, now: datetime) -> int:
    if not days:
        return 0
    cutoff = now - timedelta(days=days)
    return model.objects.filter(**{f"{field}__lt": cutoff}).delete()[0]
