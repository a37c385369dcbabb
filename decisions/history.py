"""History from other tools (DESIGN.md, Public interfaces): the checks on a time someone gives
instead of "now", shared by the API, the services and the CSV import.

A given time must not be in the future (a clock may run `FUTURE_SLACK` ahead), not before 2000
(a typing slip, and business hours counted across decades cost minutes a row), and not before
the record's own start: a decision's request (and each step after it: decided ≥ requested,
reopened ≥ decided, …), an escalation's raising, a dependency's creation (`created_at`, which
leaders and ops may give in the past too). Only leaders and ops give past times: a time more
than `FUTURE_SLACK` before now is a past one.
"""

from datetime import date, datetime, time

from django.utils import timezone

from seams import permissions
from seams.ingest import EARLIEST, FUTURE_SLACK

PAST_TIMES_ONLY = (
    "Only leaders and ops give past times (history from other tools); leave the time out "
    "to record it now."
)


class TimeRefused(ValueError):
    """A given time that is impossible for its record; says why, for people."""


def may_give_past_times(user) -> bool:
    return permissions.can_import_handoffs(user)


def is_past(moment: datetime | date | None) -> bool:
    """Whether a given time is a past one (a date: before today)."""
    if moment is None:
        return False
    if isinstance(moment, datetime):
        return moment < timezone.now() - FUTURE_SLACK
    return moment < timezone.localdate()


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def check_time(moment: datetime, *, not_before: datetime | None = None, start: str = "") -> None:
    """Refuse a time in the future, before 2000 or before `not_before` (the record's own start,
    named `start` in the message)."""
    if moment > timezone.now() + FUTURE_SLACK:
        raise TimeRefused("That is in the future.")
    if moment < EARLIEST:
        raise TimeRefused("That is before 2000.")
    if not_before is not None and moment < not_before:
        raise TimeRefused(f"That is before {start} ({_when(not_before)}).")


def check_day(day: date, *, not_before: date | None = None, start: str = "") -> None:
    """`check_time` for a date (a dependency's delivery)."""
    if day > timezone.localdate():
        raise TimeRefused("That is in the future.")
    if day < EARLIEST.date():
        raise TimeRefused("That is before 2000.")
    if not_before is not None and day < not_before:
        raise TimeRefused(f"That is before {start} ({not_before:%-d %b %Y}).")


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y %H:%M}"
