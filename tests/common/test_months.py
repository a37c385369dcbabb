from datetime import date

import time_machine

from common.months import month_start, month_under_review, next_month, previous_month


def test_it_steps_months_across_the_year_end():
    assert month_start(date(2026, 12, 31)) == date(2026, 12, 1)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2027, 1, 15)) == date(2026, 12, 1)


@time_machine.travel("2026-03-01 09:00 +00:00", tick=False)
def test_it_reviews_the_last_full_month():
    assert month_under_review() == date(2026, 2, 1)
