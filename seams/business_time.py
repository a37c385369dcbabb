"""Business-hours arithmetic for SLA clocks.

Business time between two instants is the real time elapsed inside the working windows. Each
local date of the calendar that is a working weekday and not a holiday contributes the instants
whose wall-clock time, in the calendar's zone, lies in [start, end) on that date. The wall clock
is what counts, including across DST transitions:

* a boundary in a spring-forward gap (a wall-clock time that does not exist that day) takes
  effect at the transition, the first instant whose wall-clock time is past the boundary;
* wall-clock times repeated by a fall-back fold are inside the window both times, so a window
  spanning the fold lasts an hour longer in real time.

All arithmetic is done on UTC instants at microsecond precision. The 24x7 calendar
(``WorkingTime.around_the_clock()``) counts every instant: business time is elapsed time.

Cost does not grow with the span: business time up to an instant is a closed form over whole
days (working weekdays counted by the week, holidays by bisection over a sorted tuple, and a
per-year table of the few days whose window a DST change lengthens or shortens), and only the
days at either end are walked. Deadlines jump whole weeks the same way and walk the last few
days. The tables are built once per calendar (and per zone and year) and cached.

This module is pure Python on purpose; the Django models make naive values aware before
calling it. A date's window as UTC instants, across DST changes, comes from seams.wall_clock.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from heapq import heappop, heappush
from threading import Lock
from typing import Self
from zoneinfo import ZoneInfo

from seams.wall_clock import OFFSET_BOUND, Interval, dst_days, naive_utc, wall_clock_window

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_MICROSECONDS_PER_HOUR = 3_600_000_000
# A search that meets this many days in a row without a working window is running on a broken
# calendar (holidays entered for every working day of a decade).
GIVE_UP_DAYS = 3660
# Spans whose candidate days are this few are walked: the closed form costs about as much.
_WALK_DAYS = 8


@dataclass(frozen=True)
class WorkingTime:
    """A working calendar: when the SLA clock runs.

    ``weekdays`` are ISO weekdays (1 = Monday ... 7 = Sunday); ``start`` and ``end`` are naive
    wall-clock times in ``tz``; ``holidays`` are local dates in ``tz``. With ``always`` set,
    every instant counts and the other fields are ignored.
    """

    tz: ZoneInfo
    weekdays: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = frozenset()
    always: bool = False

    def __post_init__(self) -> None:
        # Callers may hand in lists or sets; the calendar must stay hashable and immutable.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.weekdays <= frozenset(range(1, 8)):
            raise ValueError(f"weekdays must be ISO weekdays 1..7, not {sorted(self.weekdays)}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start and end are wall-clock times in tz: pass naive times")
        if not self.start < self.end:
            raise ValueError(f"the day must start before it ends: {self.start} >= {self.end}")

    @classmethod
    def around_the_clock(cls) -> Self:
        """The built-in 24x7 calendar: business time is plain elapsed time."""
        return cls(
            tz=ZoneInfo("UTC"),
            weekdays=frozenset(range(1, 8)),
            start=time.min,
            end=time.max,
            always=True,
        )

    def works_on(self, day: date) -> bool:
        """Whether the local date ``day`` has a working window."""
        return day.isoweekday() in self.weekdays and day not in self.holidays


def business_time_between(rules: WorkingTime, start: datetime, end: datetime) -> timedelta:
    """Real time spent inside working windows between two aware instants.

    Negative when ``end`` is before ``start``.
    """
    begin, finish = _utc(start), _utc(end)
    if finish < begin:
        return -business_time_between(rules, end, start)
    if rules.always:
        return finish - begin
    first, last = _first_candidate_day(begin), _last_candidate_day(finish)
    if (last - first).days <= _WALK_DAYS:
        return _time_within(rules, first, last, begin, finish)
    plan = _plan(rules)
    return plan.time_before(finish) - plan.time_before(begin)


def business_hours_between(rules: WorkingTime, start: datetime, end: datetime) -> float:
    """``business_time_between`` in hours."""
    return business_time_between(rules, start, end).total_seconds() / 3600


# The fixed origin of `clock_hours`: stored clocks stay comparable across processes.
CLOCK_ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)


def clock_hours(rules: WorkingTime, instant: datetime) -> float:
    """Business hours from CLOCK_ORIGIN to ``instant`` (negative before it): the business time
    between two instants is the difference of their clocks, so stored clocks let SQL compute
    ages and elapsed SLA time for many items at once, without walking a calendar per item."""
    return business_hours_between(rules, CLOCK_ORIGIN, instant)


def add_business_hours(
    rules: WorkingTime, start: datetime, hours: float | Decimal | int | timedelta
) -> datetime:
    """The earliest instant by which ``hours`` of business time have passed since ``start``.

    A start outside working time starts the clock at the next window, and hours used up
    exactly at a window's end give that end. ``hours`` is rounded to the microsecond. The
    result is in the calendar's zone; for the 24x7 calendar it stays in ``start``'s zone, and
    zero hours return ``start`` itself.

    Raises ValueError for negative hours and for a calendar that never works.
    """
    begin = _utc(start)
    remaining = _duration(hours)
    if rules.always:
        return (begin + remaining).astimezone(start.tzinfo) if remaining else start
    _require_working_days(rules)
    if not remaining:
        return start
    plan = _plan(rules)
    if remaining <= plan.week:
        return _walk_hours(rules, begin, remaining)
    # Whole weeks at once: the due time is where business time since the origin reaches the
    # target, in the windows of the few days around the last day whose start falls short.
    target = plan.time_before(begin) + remaining
    day = plan.last_day_short_of(_first_candidate_day(begin).toordinal(), target)
    # Every window of the days before `first` ends before midnight (UTC) starting day - 1,
    # which the target outlasts, so from there on `reached` is exact where it matters.
    first = day - 3
    reached = plan.full_before(first)
    for low, high in _windows_from(rules, first):
        if target - reached <= high - low:
            return (low + (target - reached)).astimezone(rules.tz)
        reached += high - low
    raise AssertionError("unreachable: _windows_from never runs out")


def is_working_instant(rules: WorkingTime, instant: datetime) -> bool:
    """Whether the clock runs at ``instant``: its local wall clock is in a working window."""
    moment = _utc(instant)
    if rules.always:
        return True
    local = moment.astimezone(rules.tz)
    return rules.works_on(local.date()) and rules.start <= local.time() < rules.end


def next_working_instant(rules: WorkingTime, instant: datetime) -> datetime:
    """``instant`` itself if the clock runs then, else the start of the next window.

    The start of the next window is returned in the calendar's zone. Raises ValueError for a
    calendar that never works.
    """
    moment = _utc(instant)
    if is_working_instant(rules, instant):
        return instant
    _require_working_days(rules)
    low, _high = next(_windows_after(rules, moment))
    return low.astimezone(rules.tz)


def working_windows(rules: WorkingTime, instant: datetime) -> Iterator[Interval]:
    """The working windows that end after ``instant``, in order and without end, as UTC spans.

    For set-based arithmetic (the PostgreSQL import): business time up to an instant is the
    running total of these spans. Raises ValueError for the 24x7 calendar (no windows: use
    elapsed time) and for a calendar that never works.
    """
    if rules.always:
        raise ValueError("the 24x7 calendar has no windows: business time is elapsed time")
    _require_working_days(rules)
    return _windows_after(rules, _utc(instant))


# --- Inputs ----------------------------------------------------------------------------------


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"business time needs timezone-aware datetimes, got naive {instant}")
    # Python subtracts and compares datetimes sharing a tzinfo by wall clock, ignoring DST;
    # converting everything to UTC makes the arithmetic real time.
    return instant.astimezone(UTC)


def _duration(hours: float | Decimal | int | timedelta) -> timedelta:
    if isinstance(hours, timedelta):
        amount = hours
    else:
        try:
            # Fraction is exact for int, float and Decimal, so the only rounding is this one.
            microseconds = round(Fraction(hours) * _MICROSECONDS_PER_HOUR)
        except (ValueError, OverflowError) as error:
            raise ValueError(f"hours must be a finite number, got {hours!r}") from error
        amount = timedelta(microseconds=microseconds)
    if amount < _ZERO:
        raise ValueError(f"hours must not be negative, got {hours!r}")
    return amount


def _require_working_days(rules: WorkingTime) -> None:
    if not rules.weekdays:
        raise ValueError("the calendar has no working weekdays: the clock never runs")


# --- Windows ---------------------------------------------------------------------------------


def _first_candidate_day(instant: datetime) -> date:
    """The earliest local date whose window could reach ``instant`` (a UTC instant)."""
    # A window lies within a day of its wall-clock digits read as UTC, and ends before midnight.
    return instant.date() - 2 * OFFSET_BOUND


def _last_candidate_day(instant: datetime) -> date:
    """The latest local date whose window could begin before ``instant`` (a UTC instant)."""
    return instant.date() + OFFSET_BOUND


def _windows(rules: WorkingTime, day: date) -> tuple[Interval, ...]:
    """The working window of the local date ``day``, as UTC intervals (none on days off)."""
    if not rules.works_on(day):
        return ()
    return wall_clock_window(rules.tz, day, rules.start, rules.end)


def _windows_after(rules: WorkingTime, instant: datetime) -> Iterator[Interval]:
    """Working windows that end after ``instant``, in real-time order, without end.

    Raises ValueError on meeting GIVE_UP_DAYS days in a row without a working window.
    """
    for window in _windows_from(rules, _first_candidate_day(instant).toordinal()):
        if window[1] > instant:
            yield window


def _windows_from(rules: WorkingTime, day: int) -> Iterator[Interval]:
    """The working windows of the days from ``day`` (an ordinal) on, in real-time order.

    Days without a window are skipped at once, so a long holiday costs nothing. Raises
    ValueError on meeting GIVE_UP_DAYS days in a row without a working window.
    """
    plan = _plan(rules)
    pending: list[Interval] = []
    while True:
        # Days without a window add nothing to `pending`, and the heap keeps the windows in
        # order whichever day pops them, so skipping straight to the next working day is safe.
        day = plan.next_working_day(day)
        local = date.fromordinal(day)
        for window in _windows(rules, local):
            heappush(pending, window)
        # A fold across midnight can make a date's window outlast the next date's start, so
        # windows wait here until no later date can produce one that begins earlier.
        horizon = naive_utc(datetime.combine(local + _DAY, rules.start) - OFFSET_BOUND)
        while pending and pending[0][0] <= horizon:
            yield heappop(pending)
        day += 1


def _walk_hours(rules: WorkingTime, begin: datetime, remaining: timedelta) -> datetime:
    """Walk the windows from ``begin`` until ``remaining`` (positive) business time is used."""
    for low, high in _windows_after(rules, begin):
        clock_on = max(low, begin)
        if remaining <= high - clock_on:
            return (clock_on + remaining).astimezone(rules.tz)
        remaining -= high - clock_on
    raise AssertionError("unreachable: _windows_after never runs out")


def _time_within(
    rules: WorkingTime, first: date, last: date, begin: datetime | None, finish: datetime
) -> timedelta:
    """Business time in [begin, finish) of the windows of the days first..last (inclusive);
    without ``begin``, all of their time before ``finish``."""
    total = _ZERO
    day = first
    while day <= last:
        for low, high in _windows(rules, day):
            if begin is not None and low < begin:
                low = begin
            if high > finish:
                high = finish
            if high > low:
                total += high - low
        day += _DAY
    return total


# --- The closed form -------------------------------------------------------------------------


def _plan(rules: WorkingTime) -> "_Plan":
    """The calendar's tables, built on first use and kept on the (immutable) calendar."""
    plan = rules.__dict__.get("_plan")
    if plan is None:
        plan = _Plan(rules)
        object.__setattr__(rules, "_plan", plan)
    return plan


class _Plan:
    """What business time over a long span needs, for one calendar.

    Dates are proleptic ordinals (``date.toordinal``); ordinal 1, 1 January of year 1, is a
    Monday. ``full_before(day)`` is the business time of every window of the days before
    ``day``, measured from an origin that cancels out in every difference.
    """

    def __init__(self, rules: WorkingTime) -> None:
        self.rules = rules
        self.length = datetime.combine(date.min, rules.end) - datetime.combine(
            date.min, rules.start
        )
        self.week = self.length * len(rules.weekdays)
        self._per_week = len(rules.weekdays)
        # Working weekdays among the first n days of a week that starts on Monday.
        self._in_week = tuple(
            sum(1 for iso in range(1, n + 1) if iso in rules.weekdays) for n in range(8)
        )
        self._holidays = tuple(
            sorted(d.toordinal() for d in rules.holidays if d.isoweekday() in rules.weekdays)
        )
        self._dead = self._dead_stretches() if rules.weekdays else ()
        self._dead_starts = tuple(start for start, _end in self._dead)
        self._long_dead = tuple(start for start, end in self._dead if end - start >= GIVE_UP_DAYS)
        self._weekday_offsets = tuple(sorted(iso - 1 for iso in rules.weekdays))
        # For the i-th holiday (from 0), the good days before it, plus one: its rank among the
        # working weekdays less the holidays before it.
        self._holiday_ranks = tuple(
            self._working_weekdays_before(holiday) + 1 - index
            for index, holiday in enumerate(self._holidays)
        )
        self._years: dict[int, tuple[tuple[int, ...], tuple[timedelta, ...]]] = {}
        self._own_years: dict[int, tuple[tuple[int, ...], tuple[timedelta, ...]]] = {}
        self._year_starts: dict[int, timedelta] = {}
        self._lock = Lock()

    # -- Days

    def works_on(self, day: int) -> bool:
        return (day - 1) % 7 + 1 in self.rules.weekdays and not self._is_holiday(day)

    def _is_holiday(self, day: int) -> bool:
        index = bisect_left(self._holidays, day)
        return index < len(self._holidays) and self._holidays[index] == day

    def _next_weekday(self, day: int) -> int:
        """The first day from ``day`` on that is a working weekday (holidays aside)."""
        while (day - 1) % 7 + 1 not in self.rules.weekdays:
            day += 1
        return day

    def _dead_stretches(self) -> tuple[tuple[int, int], ...]:
        """Each run of days without a window that holds a holiday, as (first, end) ordinals,
        end excluded: the end is the next working day."""
        stretches: list[tuple[int, int]] = []
        holidays = set(self._holidays)
        for holiday in self._holidays:
            if stretches and holiday < stretches[-1][1]:
                continue  # inside the run already found
            first = holiday
            while (first - 2) % 7 + 1 not in self.rules.weekdays:
                first -= 1  # the days off just before it belong to the run
            end = self._next_weekday(holiday + 1)
            while end in holidays:
                end = self._next_weekday(end + 1)
            stretches.append((first, end))
        return tuple(stretches)

    def next_working_day(self, day: int) -> int:
        """The first day from ``day`` on that has a window.

        Raises ValueError when that is GIVE_UP_DAYS or more away: the calendar is broken.
        """
        found = self._next_weekday(day)
        index = bisect_right(self._dead_starts, found) - 1
        if index >= 0 and found < self._dead[index][1]:
            found = self._dead[index][1]
        if found - day >= GIVE_UP_DAYS:
            raise ValueError("the calendar has no working day for ten years: check its holidays")
        return found

    # -- Sums

    def _working_weekdays_before(self, day: int) -> int:
        weeks, rest = divmod(day - 1, 7)
        return weeks * self._per_week + self._in_week[rest]

    def full_before(self, day: int) -> timedelta:
        weeks, rest = divmod(day - 1, 7)
        good = weeks * self._per_week + self._in_week[rest] - bisect_left(self._holidays, day)
        days, sums = self._years.get(date.fromordinal(day).year) or self._year(
            date.fromordinal(day).year
        )
        return good * self.length + sums[bisect_left(days, day)]

    def full_day(self, day: int) -> timedelta:
        """The business time of the window of ``day`` (none on days off)."""
        if not self.works_on(day):
            return _ZERO
        days, sums = self._year(date.fromordinal(day).year)
        index = bisect_left(days, day)
        if index < len(days) and days[index] == day:
            return self.length + sums[index + 1] - sums[index]
        return self.length

    def time_before(self, instant: datetime) -> timedelta:
        """Business time from the origin to the UTC instant ``instant``."""
        first = _first_candidate_day(instant)
        # The windows of days before `first` all end before the instant; those of the days
        # after `first + 3` (its last candidate day) all begin after it.
        return self.full_before(first.toordinal()) + _time_within(
            self.rules, first, first + 3 * _DAY, None, instant
        )

    def last_day_short_of(self, day: int, target: timedelta) -> int:
        """The last day D from ``day`` on with ``full_before(D) < target``, given that
        ``full_before(day) < target``.

        Raises ValueError if the days from ``day`` to D cross GIVE_UP_DAYS days in a row
        without a window, as a walk would.
        """
        # full_before is constant from just after one good day (working, not a holiday) up to
        # the next, so the answer is a good day: the (m+1)-th, for the largest m whose first
        # m good days fall short. Without DST corrections m is this; they move it a step.
        count = (target - _MICROSECOND) // self.length
        while self.full_before(self._good_day(count + 1)) >= target:
            count -= 1
        while self.full_before(self._good_day(count + 2)) < target:
            count += 1
        found = self._good_day(count + 1)
        self._check_reach(day, found)
        return found

    def _good_day(self, count: int) -> int:
        """The ``count``-th day (from 1) with a window, counting from ordinal 1."""
        # Each holiday before it pushes it one working weekday further.
        position = count + bisect_right(self._holiday_ranks, count)
        weeks, rest = divmod(position - 1, self._per_week)
        return 7 * weeks + self._weekday_offsets[rest] + 1

    def _check_reach(self, first: int, last: int) -> None:
        """Raise ValueError, as ``next_working_day`` does, if going from day ``first`` to day
        ``last`` crosses GIVE_UP_DAYS days in a row without a window."""
        index = bisect_right(self._dead_starts, first) - 1
        if index >= 0 and self._dead[index][1] - first >= GIVE_UP_DAYS:
            self.next_working_day(first)  # raises
        index = bisect_right(self._long_dead, first)
        if index < len(self._long_dead) and self._long_dead[index] <= last:
            self.next_working_day(self._long_dead[index])  # raises

    # -- DST

    def _corrections_before(self, day: int) -> timedelta:
        """How much DST changes lengthened (or shortened) the windows of the working days
        before ``day``, from the origin."""
        days, sums = self._year(date.fromordinal(day).year)
        return sums[bisect_left(days, day)]

    def _year(self, year: int) -> tuple[tuple[int, ...], tuple[timedelta, ...]]:
        """The year's working days whose window a DST change resizes, and the corrections
        from the origin to each of them: sums[i] is before days[i], sums[-1] the year's end."""
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    days, sums = self._own_year(year)
                    start = self._year_start(year)
                    found = self._years[year] = (days, tuple(start + total for total in sums))
        return found

    def _own_year(self, year: int) -> tuple[tuple[int, ...], tuple[timedelta, ...]]:
        """As ``_year``, but the sums from the start of the year."""
        found = self._own_years.get(year)
        if found is None:
            days, sums, total = [], [_ZERO], _ZERO
            rules = self.rules
            for day, difference in dst_days(rules.tz, rules.start, rules.end, year):
                if self.works_on(day):
                    total += difference
                    days.append(day)
                    sums.append(total)
            found = self._own_years[year] = (tuple(days), tuple(sums))
        return found

    def _year_start(self, year: int) -> timedelta:
        """The corrections from the origin (the start of the first year asked about) to the
        start of ``year``, filled out year by year from there. Called under the lock."""
        starts = self._year_starts
        if not starts:
            starts[year] = _ZERO
        high, low = max(starts), min(starts)
        while high < year:
            starts[high + 1] = starts[high] + self._own_year(high)[1][-1]
            high += 1
        while low > year:
            starts[low - 1] = starts[low] - self._own_year(low - 1)[1][-1]
            low -= 1
        return starts[year]


def hours_by_day(
    rules: WorkingTime, start: datetime, end: datetime, *, tz: ZoneInfo | None = None
) -> list[tuple[date, float]]:
    """The business hours between two aware instants, day by day: one (local date, hours)
    pair for each date in the calendar's time zone from ``start``'s to ``end``'s. What a
    worked SLA example draws ("Fri 1.5 h · Sat — · Sun — · Mon 8.5 h · Tue 6 h"). ``tz``
    names the days in another zone (a 24x7 calendar's are the organisation's)."""
    tz = tz or rules.tz
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    days = []
    day = first
    while day <= last:
        opens = datetime.combine(day, time.min, tzinfo=tz)
        closes = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
        hours = business_hours_between(rules, max(start, opens), min(end, closes))
        days.append((day, hours))
        day += timedelta(days=1)
    return days
