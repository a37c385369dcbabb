"""Wall-clock windows in a time zone, as UTC instants: the part of business-hours arithmetic
(seams.business_time) that knows about UTC offsets and their changes.

A window [start, end) of wall-clock time on a date is the set of instants whose wall clock in
the zone lies in it: one plain span on almost every day; around a DST change a boundary in a
spring-forward gap takes effect at the transition, and a fall-back fold's repeated times count
twice. Pure Python, cached: the same few windows are asked for again and again.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]
"""A half-open span [begin, end) of real time, both ends aware datetimes in UTC."""

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
# A UTC offset is always strictly less than a day, so the instant a wall-clock time stands for
# lies within a day of the same digits read as UTC.
OFFSET_BOUND = timedelta(days=1)
# Around a DST change the offset is sampled at this step before bisecting. Two changes that
# cancel out within one step would be missed; no zone in the tz database does that.
_SCAN_STEP = timedelta(hours=3)


@lru_cache(maxsize=4096)
def dst_days(tz: ZoneInfo, start: time, end: time, year: int) -> tuple[tuple[int, timedelta], ...]:
    """The days of ``year`` whose window [start, end) in ``tz`` is not ``end - start`` long,
    with the difference: the days a DST change touches the window."""
    length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        wall_start, wall_end = datetime.combine(day, start), datetime.combine(day, end)
        if _steady_offset(tz, wall_start, wall_end) is None:
            real = sum((high - low for low, high in _preimage(tz, wall_start, wall_end)), _ZERO)
            if real != length:
                found.append((day.toordinal(), real - length))
        day += _DAY
    return tuple(found)


@lru_cache(maxsize=32_768)
def wall_clock_window(tz: ZoneInfo, day: date, start: time, end: time) -> tuple[Interval, ...]:
    """The instants whose wall clock in ``tz`` is in [start, end) on ``day``, in UTC."""
    wall_start, wall_end = datetime.combine(day, start), datetime.combine(day, end)
    offset = _steady_offset(tz, wall_start, wall_end)
    if offset is not None:
        return ((naive_utc(wall_start - offset), naive_utc(wall_end - offset)),)
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
    lowest = naive_utc(wall_start - OFFSET_BOUND)
    highest = naive_utc(wall_end + OFFSET_BOUND)
    for span_start, span_end, offset in _constant_offset_spans(tz, lowest, highest):
        low = max(span_start, naive_utc(wall_start - offset))
        high = min(span_end, naive_utc(wall_end - offset))
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


def naive_utc(wall: datetime) -> datetime:
    return wall.replace(tzinfo=UTC)
