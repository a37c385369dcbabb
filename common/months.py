"""Calendar months as the organisation counts them (DESIGN.md): pure date arithmetic and the
month under review, low enough for every app to use."""

from datetime import date, timedelta

from django.utils import timezone


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return month_start(month_start(month) - timedelta(days=1))


def current_month() -> date:
    return month_start(timezone.localdate())


def month_under_review() -> date:
    """The month the review, the meeting, the pack and the metrics page open on (DESIGN.md):
    the last full month, whatever day of this one it is."""
    return previous_month(current_month())
