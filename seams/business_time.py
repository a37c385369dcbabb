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

This module is pure Python on purpose; the Django models make naive values aware before
calling it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from heapq import heappop, heappush
from typing import Self
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
"""A half-open span [begin, end) of real time, both ends aware datetimes in UTC."""

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_MICROSECONDS_PER_HOUR = 3_600_000_000
# A UTC offset is always strictly less than a day, so the instant a wall-clock time stands for
# lies within a day of the same digits read as UTC.
_OFFSET_BOUND = timedelta(days=1)
# Around a DST change the offset is sampled at this step before bisecting. Two changes that
# cancel out within one step would be missed; no zone in the tz database does that.
_SCAN_STEP = timedelta(hours=3)
# A search that meets no working instant for this long is running on a broken calendar.
_GIVE_UP_AFTER = timedelta(days=3660)


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
    total = _ZERO
    day, last_day = _first_candidate_day(begin), _last_candidate_day(finish)
    while day <= last_day:
        for low, high in _windows(rules, day):
            total += max(_ZERO, min(high, finish) - max(low, begin))
        day += _DAY
    return total


def business_hours_between(rules: WorkingTime, start: datetime, end: datetime) -> float:
    """``business_time_between`` in hours."""
    return business_time_between(rules, start, end).total_seconds() / 3600


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
    for low, high in _windows_after(rules, begin):
        clock_on = max(low, begin)
        if remaining <= high - clock_on:
            return (clock_on + remaining).astimezone(rules.tz)
        remaining -= high - clock_on
    raise AssertionError("unreachable: _windows_after never runs out")


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
    return (instant.replace(tzinfo=None) - 2 * _OFFSET_BOUND).date()


def _last_candidate_day(instant: datetime) -> date:
    """The latest local date whose window could begin before ``instant`` (a UTC instant)."""
    return (instant.replace(tzinfo=None) + _OFFSET_BOUND).date()


def _windows(rules: WorkingTime, day: date) -> tuple[Interval, ...]:
    """The working window of the local date ``day``, as UTC intervals (none on days off)."""
    if not rules.works_on(day):
        return ()
    return _wall_clock_window(rules.tz, day, rules.start, rules.end)


def _windows_after(rules: WorkingTime, instant: datetime) -> Iterator[Interval]:
    """Working windows that end after ``instant``, in real-time order, without end.

    Raises ValueError once no window has been met for about ten years.
    """
    pending: list[Interval] = []
    day = _first_candidate_day(instant)
    last_seen = instant
    while True:
        for window in _windows(rules, day):
            heappush(pending, window)
        # A fold across midnight can make a date's window outlast the next date's start, so
        # windows wait here until no later date can produce one that begins earlier.
        horizon = _naive_utc(datetime.combine(day + _DAY, rules.start) - _OFFSET_BOUND)
        while pending and pending[0][0] <= horizon:
            window = heappop(pending)
            if window[1] > instant:
                last_seen = window[1]
                yield window
        if horizon - last_seen > _GIVE_UP_AFTER:
            raise ValueError("the calendar has no working time for ten years: check its holidays")
        day += _DAY


@lru_cache(maxsize=32_768)
def _wall_clock_window(tz: ZoneInfo, day: date, start: time, end: time) -> tuple[Interval, ...]:
    """The instants whose wall clock in ``tz`` is in [start, end) on ``day``, in UTC."""
    wall_start, wall_end = datetime.combine(day, start), datetime.combine(day, end)
    offset = _steady_offset(tz, wall_start, wall_end)
    if offset is not None:
        return ((_naive_utc(wall_start - offset), _naive_utc(wall_end - offset)),)
    return _preimage(tz, wall_start, wall_end)


def _steady_offset(tz: ZoneInfo, wall_start: datetime, wall_end: datetime) -> timedelta | None:
    """The UTC offset of both ends when neither is in a gap or fold and they share it.

    That is every day but the few around a DST change, and then the window is one plain span.
    """
    offsets = {
        wall.replace(tzinfo=tz, fold=fold).utcoffset()
        for wall in (wall_start, wall_end)
        for fold in (0, 1)
    }
    return offsets.pop() if len(offsets) == 1 else None


def _preimage(tz: ZoneInfo, wall_start: datetime, wall_end: datetime) -> tuple[Interval, ...]:
    """The instants whose wall clock is in [wall_start, wall_end), however the offset changes.

    Within a span of constant offset the wall clock is the instant plus that offset, so the
    answer is each span clipped to the window shifted back by its offset. A gap thus moves a
    boundary to the transition, and a fold contributes its repeated times twice.
    """
    pieces: list[Interval] = []
    lowest = _naive_utc(wall_start - _OFFSET_BOUND)
    highest = _naive_utc(wall_end + _OFFSET_BOUND)
    for span_start, span_end, offset in _constant_offset_spans(tz, lowest, highest):
        low = max(span_start, _naive_utc(wall_start - offset))
        high = min(span_end, _naive_utc(wall_end - offset))
        if low >= high:
            continue
        if pieces and pieces[-1][1] == low:
            low = pieces.pop()[0]
        pieces.append((low, high))
    return tuple(pieces)


def _constant_offset_spans(
    tz: ZoneInfo, low: datetime, high: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """Split the UTC span [low, high) where the UTC offset of ``tz`` changes."""
    spans = []
    span_start, offset = low, _offset(tz, low)
    probe = low
    while probe < high:
        following = min(probe + _SCAN_STEP, high)
        if _offset(tz, following) != offset:
            change = _first_change(tz, probe, following, offset)
            spans.append((span_start, change, offset))
            span_start, offset = change, _offset(tz, change)
        probe = following
    spans.append((span_start, high, offset))
    return spans


def _first_change(tz: ZoneInfo, before: datetime, after: datetime, offset: timedelta) -> datetime:
    """The first instant in (before, after] whose offset is not ``offset``, by bisection.

    ``before`` has ``offset`` and ``after`` does not.
    """
    while after - before > _MICROSECOND:
        middle = before + (after - before) // 2
        if _offset(tz, middle) == offset:
            before = middle
        else:
            after = middle
    return after


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _naive_utc(wall: datetime) -> datetime:
    return wall.replace(tzinfo=UTC)
