"""The month under review (DESIGN.md): the last full month, on any day of the current one."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from metrics import engine


@pytest.mark.parametrize(
    ("today", "review", "progress"),
    [
        (datetime(2026, 12, 1, 9, tzinfo=UTC), date(2026, 11, 1), "so far (day 1 of 31)"),
        (datetime(2026, 12, 3, 9, tzinfo=UTC), date(2026, 11, 1), "so far (day 3 of 31)"),
        (datetime(2026, 12, 28, 9, tzinfo=UTC), date(2026, 11, 1), "so far (day 28 of 31)"),
        (datetime(2027, 1, 1, 9, tzinfo=UTC), date(2026, 12, 1), "so far (day 1 of 31)"),
        (datetime(2028, 2, 3, 9, tzinfo=UTC), date(2028, 1, 1), "so far (day 3 of 29)"),
    ],
)
def test_it_is_the_last_full_month_and_the_current_one_runs_so_far(today, review, progress):
    with time_machine.travel(today, tick=False):
        assert engine.month_under_review() == review
        assert engine.month_progress(review) is None  # ended: nothing provisional
        assert engine.month_progress(engine.current_month()).label == progress
