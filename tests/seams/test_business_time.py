"""Business-hours arithmetic, checked against a minute-by-minute reference of the definition.

The reference walks real time one UTC minute at a time and asks, for each minute, whether its
local wall clock falls in a working window. With inputs and window boundaries on whole minutes
(and DST transitions on whole minutes, as in every zone used here) the working status is
constant within each minute, so the reference is exact.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from seams.business_time import (
    WorkingTime,
    add_business_hours,
    business_hours_between,
    business_time_between,
    is_working_instant,
    next_working_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
KOLKATA = ZoneInfo("Asia/Kolkata")
ZONES = [LONDON, NEW_YORK, LORD_HOWE, KOLKATA, ZoneInfo("UTC")]

MINUTE = timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)
MONDAY_TO_FRIDAY = frozenset(range(1, 6))
EVERY_DAY = frozenset(range(1, 8))
OFFICE = WorkingTime(LONDON, MONDAY_TO_FRIDAY, time(9), time(17, 30))


def london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LONDON, fold=fold)


def every_day(tz: ZoneInfo, start: time, end: time) -> WorkingTime:
    return WorkingTime(tz, EVERY_DAY, start, end)


def utc(instant: datetime) -> datetime:
    # Aware datetimes in a fold compare unequal to every other zone: compare in UTC.
    return instant.astimezone(UTC)


# --- The reference ---------------------------------------------------------------------------


def reference_is_working(rules: WorkingTime, instant: datetime) -> bool:
    local = instant.astimezone(rules.tz)
    day = local.date()
    return (
        day.isoweekday() in rules.weekdays
        and day not in rules.holidays
        and rules.start <= local.time() < rules.end
    )


def reference_minutes(rules: WorkingTime, start: datetime, end: datetime) -> int:
    """Working minutes in [start, end), two instants on whole UTC minutes."""
    moment, finish = utc(start), utc(end)
    assert moment.second == moment.microsecond == finish.second == finish.microsecond == 0
    count = 0
    while moment < finish:
        count += reference_is_working(rules, moment)
        moment += MINUTE
    return count


def reference_next_working_minute(rules: WorkingTime, start: datetime, end: datetime):
    moment = utc(start)
    while moment < end:
        if reference_is_working(rules, moment):
            return moment
        moment += MINUTE
    return None


# --- Strategies ------------------------------------------------------------------------------


@cache
def offset_changes(tz: ZoneInfo, year: int) -> tuple[datetime, ...]:
    """The UTC hours at which the offset of tz is first seen changed during year."""
    changes = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        moment += timedelta(hours=1)
        if moment.astimezone(tz).utcoffset() != offset:
            changes.append(moment)
            offset = moment.astimezone(tz).utcoffset()
    return tuple(changes)


# Boundaries in gaps (01:30 London, 02:30 New York, 02:15 Lord Howe), in folds (01:15, 01:45
# London and New York, 01:45 Lord Howe) and windows spanning either, like 00:00-23:00.
SPECIAL_TIMES = [time(h, m) for h, m in [(0, 0), (1, 0), (1, 15), (1, 30), (1, 45), (2, 0)]]
SPECIAL_TIMES += [time(h, m) for h, m in [(2, 15), (2, 30), (3, 0), (9, 0), (23, 0), (23, 59)]]
wall_times = st.one_of(
    st.sampled_from(SPECIAL_TIMES),
    st.integers(0, 24 * 60 - 1).map(lambda minutes: time(minutes // 60, minutes % 60)),
)


@st.composite
def scenarios(draw: st.DrawFn, max_days: int) -> tuple[WorkingTime, datetime, datetime]:
    """A calendar and an interval of whole UTC minutes, usually straddling a DST change."""
    tz = draw(st.sampled_from(ZONES))
    year = draw(st.integers(2000, 2037))
    changes = offset_changes(tz, year)
    if changes and draw(st.integers(0, 3)):
        anchor = draw(st.sampled_from(changes))
    else:
        anchor = datetime(year, 1, 1, tzinfo=UTC) + draw(st.integers(0, 365 * 1440)) * MINUTE
    length = draw(st.integers(0, max_days * 1440))
    start = anchor - draw(st.integers(0, length)) * MINUTE
    end = start + length * MINUTE
    first_day = start.astimezone(tz).date()
    holiday_offsets = draw(st.frozensets(st.integers(-1, max_days + 1), max_size=4))
    day_start, day_end = sorted(draw(st.lists(wall_times, min_size=2, max_size=2, unique=True)))
    rules = WorkingTime(
        tz=tz,
        weekdays=draw(st.frozensets(st.integers(1, 7), min_size=1)),
        start=day_start,
        end=day_end,
        holidays=frozenset(first_day + timedelta(days=n) for n in holiday_offsets),
    )
    return rules, start, end


# --- Properties against the reference --------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(scenarios(max_days=10))
def test_it_counts_the_same_business_time_as_the_minute_by_minute_reference(scenario):
    rules, start, end = scenario
    expected = reference_minutes(rules, start, end) * MINUTE
    # In the calendar's own zone, Python would subtract by wall clock; the module must not.
    local_start, local_end = start.astimezone(rules.tz), end.astimezone(rules.tz)
    assert business_time_between(rules, local_start, local_end) == expected
    assert business_time_between(rules, start, end) == expected
    assert business_hours_between(rules, start, end) == expected.total_seconds() / 3600


@settings(max_examples=200, deadline=None)
@given(scenarios(max_days=3), st.integers(0, 59_999_999))
def test_it_tells_working_instants_and_the_next_one_like_the_reference(scenario, microseconds):
    rules, start, end = scenario
    between_minutes = start + microseconds * MICROSECOND
    assert is_working_instant(rules, start) == reference_is_working(rules, start)
    assert is_working_instant(rules, between_minutes) == reference_is_working(
        rules, between_minutes
    )
    expected = reference_next_working_minute(rules, start, end)
    found = next_working_instant(rules, start)
    if expected is None:
        assert utc(found) >= end
    else:
        assert utc(found) == expected
    assert is_working_instant(rules, found)


@settings(max_examples=200, deadline=None)
@given(scenarios(max_days=2), st.integers(0, 2 * 1440))
@example(
    (
        WorkingTime(
            tz=ZoneInfo("Europe/London"),
            weekdays=frozenset(range(1, 8)),
            start=time(0),
            end=time(1),
        ),
        datetime(2000, 3, 26, 0, 59, tzinfo=UTC),
        datetime(2000, 3, 26, 1, 0, tzinfo=UTC),
    ),
    1,
)
def test_it_adds_hours_up_to_the_earliest_instant_that_reaches_them(scenario, minutes):
    rules, start, _end = scenario
    hours = minutes * MINUTE
    due = add_business_hours(rules, start, hours)
    assert utc(due) >= start
    assert business_time_between(rules, start, due) == hours
    if utc(due) > start:
        assert due.tzinfo is rules.tz
        # Earlier instants are taken in UTC: arithmetic on a zoned datetime is wall-clock
        # arithmetic, and a minute before 02:00 on a spring-forward night is not 01:59.
        assert business_time_between(rules, start, utc(due) - MINUTE) < hours
        assert business_time_between(rules, start, utc(due) - MICROSECOND) < hours
        # So the clock ran right up to due: due is inside a window or at its end.
        assert is_working_instant(rules, utc(due) - MICROSECOND)
    else:
        assert hours == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(scenarios(max_days=10), st.lists(st.integers(-86_400, 12 * 86_400), min_size=3, max_size=3))
def test_it_is_antisymmetric_and_additive_to_the_microsecond(scenario, seconds):
    rules, start, _end = scenario
    a, b, c = (start + timedelta(seconds=s, microseconds=7 * s % 1_000_000) for s in seconds)
    assert business_time_between(rules, b, a) == -business_time_between(rules, a, b)
    assert business_time_between(rules, a, b) + business_time_between(
        rules, b, c
    ) == business_time_between(rules, a, c)


@settings(max_examples=50, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.datetimes(datetime(2000, 1, 1), datetime(2037, 1, 1)),
    st.integers(-(10**12), 10**12),
)
def test_it_counts_plain_elapsed_time_around_the_clock(tz, wall, microseconds):
    rules = WorkingTime.around_the_clock()
    start = wall.replace(tzinfo=tz)
    elapsed = microseconds * MICROSECOND
    end = (utc(start) + elapsed).astimezone(tz)
    assert business_time_between(rules, start, end) == elapsed
    if elapsed >= timedelta(0):
        assert utc(add_business_hours(rules, start, elapsed)) == utc(end)


# --- Worked examples -------------------------------------------------------------------------


def test_it_carries_hours_over_the_weekend():
    # 1.5 h on Friday, 8.5 h on Monday and 6 h on Tuesday.
    submitted = london(2024, 6, 7, 16)
    assert add_business_hours(OFFICE, submitted, 16) == london(2024, 6, 11, 15)
    assert business_hours_between(OFFICE, submitted, london(2024, 6, 11, 15)) == 16.0


def test_it_skips_a_holiday_monday():
    rules = WorkingTime(LONDON, MONDAY_TO_FRIDAY, time(9), time(17, 30), {date(2024, 6, 10)})
    assert add_business_hours(rules, london(2024, 6, 7, 16), 16) == london(2024, 6, 12, 15)
    assert business_time_between(rules, london(2024, 6, 10, 9), london(2024, 6, 10, 17)) == (
        timedelta(0)
    )


def test_it_starts_the_clock_of_a_weekend_submission_on_monday_morning():
    saturday = london(2024, 6, 8, 10)
    assert add_business_hours(OFFICE, saturday, 2) == london(2024, 6, 10, 11)
    assert next_working_instant(OFFICE, saturday) == london(2024, 6, 10, 9)
    assert business_time_between(OFFICE, saturday, london(2024, 6, 10, 9)) == timedelta(0)


def test_it_ends_at_the_close_of_day_when_the_hours_run_out_there():
    assert add_business_hours(OFFICE, london(2024, 6, 10, 9), Decimal("8.5")) == london(
        2024, 6, 10, 17, 30
    )
    assert add_business_hours(OFFICE, london(2024, 6, 7, 16), 1.5) == london(2024, 6, 7, 17, 30)
    assert add_business_hours(OFFICE, london(2024, 6, 7, 16), 1.75) == london(2024, 6, 10, 9, 15)


def test_it_knows_when_the_clock_runs():
    assert is_working_instant(OFFICE, london(2024, 6, 10, 9))
    assert is_working_instant(OFFICE, london(2024, 6, 10, 17, 29, 59, 999_999))
    assert not is_working_instant(OFFICE, london(2024, 6, 10, 17, 30))
    assert not is_working_instant(OFFICE, london(2024, 6, 10, 8, 59, 59))
    inside = london(2024, 6, 10, 12)
    assert next_working_instant(OFFICE, inside) is inside
    assert next_working_instant(OFFICE, london(2024, 6, 7, 18)) == london(2024, 6, 10, 9)


def test_it_measures_a_queue_across_the_clocks_changing_in_london():
    # Office hours are wall clock: the Sunday the clocks change leaves them whole.
    assert business_hours_between(OFFICE, london(2024, 3, 29, 12), london(2024, 4, 1, 12)) == 8.5
    assert business_hours_between(OFFICE, london(2024, 10, 25, 12), london(2024, 10, 28, 12)) == (
        8.5
    )
    # A seven-day 08:00-20:00 desk: 10 h Saturday, 12 h Sunday, 2 h Monday, both times,
    # although 47 h pass in March and 49 h in October.
    desk = every_day(LONDON, time(8), time(20))
    assert business_hours_between(desk, london(2024, 3, 30, 10), london(2024, 4, 1, 10)) == 24
    assert business_hours_between(desk, london(2024, 10, 26, 10), london(2024, 10, 28, 10)) == 24


def test_it_counts_real_time_in_windows_spanning_a_dst_change():
    long_day = every_day(LONDON, time(0), time(23))
    assert business_hours_between(long_day, london(2024, 3, 31), london(2024, 4, 1)) == 22
    assert business_hours_between(long_day, london(2024, 10, 27), london(2024, 10, 28)) == 24


def test_it_starts_a_window_whose_start_is_in_a_gap_at_the_transition():
    # 01:30 does not exist in London on 31 March 2024: the window opens at 02:00 BST.
    night = every_day(LONDON, time(1, 30), time(3))
    assert business_hours_between(night, london(2024, 3, 31), london(2024, 4, 1)) == 1
    assert next_working_instant(night, london(2024, 3, 31, 0, 59)) == london(2024, 3, 31, 2)
    # New York jumps from 02:00 to 03:00 on 10 March 2024.
    new_york = every_day(NEW_YORK, time(2, 30), time(4))
    day = datetime(2024, 3, 10, tzinfo=NEW_YORK)
    assert business_hours_between(new_york, day, day + timedelta(days=1)) == 1
    # Lord Howe jumps from 02:00 to 02:30 on 6 October 2024.
    lord_howe = every_day(LORD_HOWE, time(2), time(3))
    day = datetime(2024, 10, 6, tzinfo=LORD_HOWE)
    assert business_hours_between(lord_howe, day, day + timedelta(days=1)) == 0.5


def test_it_counts_repeated_wall_clock_times_twice():
    # New York repeats 01:00-02:00 on 3 November 2024; Lord Howe 01:30-02:00 on 7 April 2024.
    new_york = every_day(NEW_YORK, time(1), time(2))
    day = datetime(2024, 11, 3, tzinfo=NEW_YORK)
    assert business_hours_between(new_york, day, day + timedelta(days=1)) == 2
    lord_howe = every_day(LORD_HOWE, time(1), time(3))
    day = datetime(2024, 4, 7, tzinfo=LORD_HOWE)
    assert business_hours_between(lord_howe, day, day + timedelta(days=1)) == 2.5
    # A window starting inside London's fold is open at both 01:30s, not in between.
    fold = every_day(LONDON, time(1, 30), time(1, 45))
    assert business_hours_between(fold, london(2024, 10, 27), london(2024, 10, 28)) == 0.5
    assert is_working_instant(fold, london(2024, 10, 27, 1, 40, fold=1))
    assert not is_working_instant(fold, london(2024, 10, 27, 1, 10, fold=1))


def test_it_adds_hours_across_the_gap_and_the_fold():
    long_day = every_day(LONDON, time(0), time(23))
    due = add_business_hours(long_day, london(2024, 3, 31, 0, 30), 1)
    assert due == london(2024, 3, 31, 2, 30)
    due = add_business_hours(long_day, london(2024, 10, 27, 1, 30), 1)
    assert (due.hour, due.minute, due.fold) == (1, 30, 1)
    assert utc(due) == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)


def test_it_works_in_a_zone_without_dst():
    rules = WorkingTime(KOLKATA, MONDAY_TO_FRIDAY, time(9, 30), time(18))
    monday = datetime(2024, 6, 10, tzinfo=KOLKATA)
    assert business_hours_between(rules, monday, monday + timedelta(weeks=1)) == 42.5


def test_it_counts_plain_elapsed_time_around_the_clock_across_dst():
    rules = WorkingTime.around_the_clock()
    assert business_hours_between(rules, london(2024, 3, 30, 12), london(2024, 3, 31, 12)) == 23
    due = add_business_hours(rules, london(2024, 3, 30, 12), 24)
    assert due == london(2024, 3, 31, 13)
    assert due.tzinfo is LONDON
    assert is_working_instant(rules, london(2024, 3, 31, 1, 30))


def test_it_returns_a_negative_time_for_an_interval_backwards():
    assert business_hours_between(OFFICE, london(2024, 6, 11, 15), london(2024, 6, 7, 16)) == -16
    assert business_time_between(OFFICE, london(2024, 6, 7, 16), london(2024, 6, 7, 16)) == (
        timedelta(0)
    )


def test_it_returns_the_start_for_zero_hours():
    saturday = london(2024, 6, 8, 10)
    assert add_business_hours(OFFICE, saturday, 0) is saturday
    assert add_business_hours(OFFICE, saturday, timedelta(0)) is saturday


def test_it_takes_hours_as_int_float_decimal_or_timedelta_to_the_microsecond():
    rules = WorkingTime.around_the_clock()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    expected = start + timedelta(minutes=90)
    for hours in (1.5, Decimal("1.5"), timedelta(minutes=90)):
        assert add_business_hours(rules, start, hours) == expected
    assert add_business_hours(rules, start, 2) == start + timedelta(hours=2)
    assert add_business_hours(rules, start, 1 / 3) == start + timedelta(minutes=20)
    # A billionth of an hour is 3.6 microseconds.
    assert add_business_hours(rules, start, Decimal("1e-9")) == start + 4 * MICROSECOND


def test_it_returns_due_times_in_the_calendars_zone():
    due = add_business_hours(OFFICE, datetime(2024, 6, 7, 15, tzinfo=UTC), 16)
    assert due.tzinfo is LONDON
    assert due == london(2024, 6, 11, 15)


@pytest.mark.parametrize("hours", [-1, Decimal("-0.5"), timedelta(minutes=-1), float("nan")])
def test_it_refuses_negative_or_undefined_hours(hours):
    with pytest.raises(ValueError, match="hours"):
        add_business_hours(OFFICE, london(2024, 6, 7, 16), hours)


def test_it_refuses_naive_datetimes():
    naive, aware = datetime(2024, 6, 7, 16), london(2024, 6, 7, 16)
    for call in (
        lambda: business_time_between(OFFICE, naive, aware),
        lambda: business_time_between(OFFICE, aware, naive),
        lambda: business_hours_between(OFFICE, naive, aware),
        lambda: add_business_hours(OFFICE, naive, 1),
        lambda: is_working_instant(OFFICE, naive),
        lambda: next_working_instant(OFFICE, naive),
        lambda: business_time_between(WorkingTime.around_the_clock(), naive, aware),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


def test_it_refuses_to_add_hours_on_a_calendar_without_working_days():
    never = WorkingTime(LONDON, frozenset(), time(9), time(17))
    with pytest.raises(ValueError, match="no working weekdays"):
        add_business_hours(never, london(2024, 6, 7, 16), 1)
    with pytest.raises(ValueError, match="no working weekdays"):
        next_working_instant(never, london(2024, 6, 7, 16))
    assert business_time_between(never, london(2024, 1, 1), london(2025, 1, 1)) == timedelta(0)


def test_it_gives_up_on_a_calendar_on_holiday_for_ten_years():
    mondays = {date(2024, 6, 10) + timedelta(weeks=n) for n in range(53 * 11)}
    rules = WorkingTime(LONDON, frozenset({1}), time(9), time(17), frozenset(mondays))
    with pytest.raises(ValueError, match="ten years"):
        add_business_hours(rules, london(2024, 6, 7, 16), 1)
    with pytest.raises(ValueError, match="ten years"):
        next_working_instant(rules, london(2024, 6, 7, 16))


@pytest.mark.parametrize(
    ("weekdays", "start", "end", "problem"),
    [
        ({1}, time(17), time(9), "start before it ends"),
        ({1}, time(9), time(9), "start before it ends"),
        ({0, 1}, time(9), time(17), "ISO weekdays"),
        ({1}, time(9, tzinfo=UTC), time(17), "naive times"),
    ],
)
def test_it_refuses_a_malformed_calendar(weekdays, start, end, problem):
    with pytest.raises(ValueError, match=problem):
        WorkingTime(LONDON, frozenset(weekdays), start, end)
