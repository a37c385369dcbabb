"""No unbounded work from one request.

Business-time arithmetic costs the same over an hour as over decades: the closed form is checked
here against the day-by-day walk it replaced (kept below as the reference), and its cost is
counted in calls of the per-day window function rather than timed. Calendars that never work
fail fast with a clear error, and the bulk handoff API takes 10,000 rows and refuses more.
"""

from datetime import UTC, date, datetime, time, timedelta
from heapq import heappop, heappush
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

import seams.business_time as bt
from seams.business_time import (
    WorkingTime,
    add_business_hours,
    business_time_between,
    next_working_instant,
    working_windows,
)
from seams.models import CalendarHoliday, Handoff
from tests.factories import CalendarFactory, SeamFactory

LONDON = ZoneInfo("Europe/London")
# New York; Lord Howe's DST is 30 minutes; Casablanca changes four times a year (Ramadan) and
# at 02:00/03:00, inside a night shift; Havana changes at midnight, inside a day starting at 00:00.
ZONES = [
    LONDON,
    ZoneInfo("America/New_York"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Africa/Casablanca"),
    ZoneInfo("America/Havana"),
    ZoneInfo("UTC"),
]
MINUTE = timedelta(minutes=1)
OFFICE = WorkingTime(
    LONDON,
    frozenset(range(1, 6)),
    time(9),
    time(17, 30),
    frozenset(holidays.country_holidays("GB", years=range(1998, 2060))),
)


# --- The reference: the day-by-day walk the closed form replaced ------------------------------

_GIVE_UP_AFTER = timedelta(days=3660)


def reference_between(rules: WorkingTime, start: datetime, end: datetime) -> timedelta:
    begin, finish = start.astimezone(UTC), end.astimezone(UTC)
    if finish < begin:
        return -reference_between(rules, end, start)
    if rules.always:
        return finish - begin
    total = timedelta(0)
    day, last_day = bt._first_candidate_day(begin), bt._last_candidate_day(finish)
    while day <= last_day:
        for low, high in bt._windows(rules, day):
            total += max(timedelta(0), min(high, finish) - max(low, begin))
        day += timedelta(days=1)
    return total


def reference_windows_after(rules: WorkingTime, instant: datetime):
    pending = []
    day = bt._first_candidate_day(instant)
    last_seen = instant
    while True:
        for window in bt._windows(rules, day):
            heappush(pending, window)
        horizon = datetime.combine(day + timedelta(days=1), rules.start, UTC) - timedelta(days=1)
        while pending and pending[0][0] <= horizon:
            window = heappop(pending)
            if window[1] > instant:
                last_seen = window[1]
                yield window
        if horizon - last_seen > _GIVE_UP_AFTER:
            raise ValueError("the calendar has no working time for ten years")
        day += timedelta(days=1)


def reference_add(rules: WorkingTime, start: datetime, remaining: timedelta) -> datetime:
    begin = start.astimezone(UTC)
    if not remaining:
        return start
    for low, high in reference_windows_after(rules, begin):
        clock_on = max(low, begin)
        if remaining <= high - clock_on:
            return (clock_on + remaining).astimezone(rules.tz)
        remaining -= high - clock_on
    raise AssertionError("unreachable")


# --- Strategies ------------------------------------------------------------------------------

# Boundaries in and around the night's DST changes, and ordinary office hours.
TIMES = [time(h, m) for h, m in [(0, 0), (0, 30), (1, 0), (1, 30), (2, 0), (2, 15), (2, 30)]]
TIMES += [time(h, m) for h, m in [(3, 0), (9, 0), (12, 0), (17, 30), (23, 0), (23, 59)]]
wall_times = st.one_of(
    st.sampled_from(TIMES),
    st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)),
)


@st.composite
def long_scenarios(draw: st.DrawFn) -> tuple[WorkingTime, datetime, datetime]:
    """A calendar with holidays, and an interval of whole minutes from 0 up to 26 years long."""
    tz = draw(st.sampled_from(ZONES))
    start = datetime(2000, 1, 1, tzinfo=UTC) + draw(st.integers(0, 30 * 365 * 1440)) * MINUTE
    days = draw(st.sampled_from([0, 1, 9, 40, 400, 3000, 26 * 366]))
    length = draw(st.integers(0, days * 1440 + 1440))
    end = start + length * MINUTE
    first = start.astimezone(tz).date() - timedelta(days=3)
    picks = st.integers(0, days + 6).map(lambda n: first + timedelta(days=n))
    chosen = draw(st.frozensets(picks, max_size=60))
    # Runs of holidays, like a Christmas shutdown.
    for run_start in draw(st.lists(picks, max_size=3)):
        chosen |= {run_start + timedelta(days=k) for k in range(draw(st.integers(1, 20)))}
    day_start, day_end = sorted(draw(st.lists(wall_times, min_size=2, max_size=2, unique=True)))
    rules = WorkingTime(
        tz=tz,
        weekdays=draw(st.frozensets(st.integers(1, 7), min_size=1)),
        start=day_start,
        end=day_end,
        holidays=chosen,
    )
    return rules, start, end


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(long_scenarios())
def test_it_counts_business_time_like_the_day_by_day_walk(scenario):
    rules, start, end = scenario
    expected = reference_between(rules, start, end)
    assert business_time_between(rules, start, end) == expected
    assert business_time_between(rules, end.astimezone(rules.tz), start) == -expected


@FAST
@given(long_scenarios(), st.integers(0, 10**6))
def test_it_finds_deadlines_like_the_day_by_day_walk(scenario, microseconds):
    rules, start, end = scenario
    # Hours that run out anywhere in the interval, to the microsecond.
    hours = reference_between(rules, start, end) + microseconds * timedelta(microseconds=1)
    assert add_business_hours(rules, start, hours) == reference_add(rules, start, hours)


@FAST
@given(long_scenarios())
def test_it_lists_windows_and_the_next_working_instant_like_the_walk(scenario):
    rules, start, _end = scenario
    fast, slow = working_windows(rules, start), reference_windows_after(rules, start)
    assert [next(fast) for _ in range(30)] == [next(slow) for _ in range(30)]
    if not bt.is_working_instant(rules, start):
        assert next_working_instant(rules, start) == next(reference_windows_after(rules, start))[0]


@pytest.mark.parametrize(
    ("tz", "start", "end"),
    [
        (LONDON, time(0), time(23)),  # both changes inside the working day
        (ZoneInfo("Australia/Lord_Howe"), time(1), time(3)),  # 30-minute changes
        (ZoneInfo("America/Havana"), time(0), time(12)),  # changes at midnight
        (ZoneInfo("Africa/Casablanca"), time(1), time(4)),  # four changes a year
    ],
)
def test_it_counts_decades_across_dst_changes_inside_the_window(tz, start, end):
    rules = WorkingTime(tz, frozenset(range(1, 8)), start, end, frozenset({date(2010, 3, 28)}))
    begin = datetime(2000, 1, 3, 8, 17, tzinfo=tz)
    finish = datetime(2026, 11, 2, 13, 45, tzinfo=tz)
    assert business_time_between(rules, begin, finish) == reference_between(rules, begin, finish)
    hours = reference_between(rules, begin, finish)
    assert add_business_hours(rules, begin, hours) == reference_add(rules, begin, hours)


# --- Cost does not grow with the span --------------------------------------------------------


@pytest.fixture
def day_windows(monkeypatch):
    """Counts the calls of the per-day window function (the unit of work of the walk)."""
    calls = []
    real = bt._windows

    def counted(rules, day):
        calls.append(day)
        return real(rules, day)

    monkeypatch.setattr(bt, "_windows", counted)
    return calls


@pytest.mark.parametrize("years", [1, 26, 200])
def test_it_looks_at_the_same_few_days_whatever_the_span(day_windows, years):
    start = datetime(2000, 3, 1, 10, tzinfo=LONDON)
    end = start + timedelta(days=365 * years)
    hours = business_time_between(OFFICE, start, end)
    between_days = len(day_windows)
    day_windows.clear()
    due = add_business_hours(OFFICE, start, hours)
    # Four days at either end of the span; the deadline also walks its last few days.
    assert between_days <= 10
    assert len(day_windows) <= 30
    assert due <= end
    assert business_time_between(OFFICE, start, due) == hours


def test_a_week_of_hours_is_walked_not_jumped(day_windows):
    add_business_hours(OFFICE, datetime(2024, 12, 20, 16, tzinfo=LONDON), 8.5 * 5)
    # Over Christmas: the holidays are skipped, not looked at one by one.
    assert len(day_windows) <= 14


# --- Calendars that never work ---------------------------------------------------------------


def idle_for(years: int) -> WorkingTime:
    every_day = {date(2024, 1, 1) + timedelta(days=n) for n in range(366 * years)}
    return WorkingTime(LONDON, frozenset(range(1, 6)), time(9), time(17), frozenset(every_day))


def test_it_refuses_a_deadline_on_a_calendar_on_holiday_for_twenty_years(day_windows):
    rules = idle_for(20)
    start = datetime(2024, 1, 3, 10, tzinfo=LONDON)
    for call in (
        lambda: add_business_hours(rules, start, 1),
        lambda: add_business_hours(rules, start, 10_000),
        lambda: next_working_instant(rules, start),
        lambda: next(working_windows(rules, start)),
    ):
        with pytest.raises(ValueError, match="no working day for ten years"):
            call()
    assert business_time_between(rules, start, start + timedelta(days=7300)) == timedelta(0)
    assert len(day_windows) <= 20  # failing fast, not walking twenty years of holidays


def test_it_still_finds_a_deadline_after_nine_years_of_holidays():
    rules = idle_for(9)
    due = add_business_hours(rules, datetime(2024, 1, 3, 10, tzinfo=LONDON), 10)
    assert due == reference_add(rules, datetime(2024, 1, 3, 10, tzinfo=LONDON), timedelta(hours=10))
    assert due.year == 2033


def test_it_refuses_a_deadline_beyond_a_decade_of_holidays_far_ahead():
    rules = WorkingTime(
        LONDON,
        frozenset({1}),
        time(9),
        time(17),
        frozenset(date(2030, 1, 7) + timedelta(weeks=n) for n in range(53 * 11)),
    )
    start = datetime(2024, 1, 1, 8, tzinfo=LONDON)
    # Six years of Mondays fit before the holidays; more hours would have to cross them.
    assert add_business_hours(rules, start, 8 * 300).year == 2029
    with pytest.raises(ValueError, match="ten years"):
        add_business_hours(rules, start, 8 * 400)


def test_it_refuses_a_calendar_without_working_days_at_once():
    never = WorkingTime(LONDON, frozenset(), time(9), time(17))
    with pytest.raises(ValueError, match="no working weekdays"):
        add_business_hours(never, datetime(2024, 1, 1, tzinfo=LONDON), 10_000)
    start = datetime(2000, 1, 1, tzinfo=LONDON)
    assert business_time_between(never, start, start + timedelta(days=9000)) == timedelta(0)


# --- The bulk API ----------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def bulk_rows(seam, count: int) -> list[dict]:
    """Handoffs submitted from 2000 on and started in 2026: 26 years of business hours each."""
    rows = []
    for n in range(count):
        submitted = datetime(2000, 1, 3, 9, tzinfo=UTC) + timedelta(hours=7 * n)
        rows.append(
            {
                "seam": seam.slug,
                "external_id": f"OLD-{n}",
                "title": f"Old handoff {n}",
                "submitted_at": submitted.isoformat(),
                "started_at": datetime(2026, 1, 5, 10, tzinfo=UTC).isoformat(),
            }
        )
    return rows


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="10,000 rows in one request: PostgreSQL's COPY path"
)
def test_ten_thousand_rows_spanning_26_years_are_taken_in_one_request(ops, seam):
    response = api(ops).post("/api/v1/handoffs/", bulk_rows(seam, 10_000), format="json")
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"created": 10_000, "updated": 0, "errors": []}
    first = Handoff.objects.get(external_id="OLD-0")
    assert first.queue_hours == pytest.approx(
        seam.calendar.business_hours_between(first.submitted_at, first.started_at), abs=1e-4
    )
    assert first.sla_deadline is not None


def test_more_than_ten_thousand_rows_are_refused_with_nothing_written(ops, seam):
    before = Handoff.objects.count()
    response = api(ops).post("/api/v1/handoffs/", bulk_rows(seam, 10_001), format="json")
    assert response.status_code == 400
    assert "At most 10,000 handoffs per request" in response.json()["errors"]["rows"]
    assert Handoff.objects.count() == before


def test_a_handoff_on_a_calendar_on_holiday_for_a_decade_is_refused_not_a_500(ops, seam):
    broken = CalendarFactory(name="Closed", working_weekdays=[1])
    CalendarHoliday.objects.bulk_create(
        CalendarHoliday(calendar=broken, date=date(2024, 1, 1) + timedelta(weeks=n))
        for n in range(53 * 11)
    )
    closed = SeamFactory(name="Closed seam", calendar=broken)
    closed.spec.response_sla_hours = 16
    closed.spec.save()
    row = {
        "seam": closed.slug,
        "external_id": "C-1",
        "title": "Never due",
        "submitted_at": "2024-03-01T10:00:00Z",
    }
    good = bulk_rows(seam, 1)[0]
    response = api(ops).post("/api/v1/handoffs/", [good, row], format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], [e["index"] for e in body["errors"]]) == (1, [1])
    assert "ten years" in body["errors"][0]["errors"]["seam"]
    assert list(Handoff.objects.values_list("external_id", flat=True)) == ["OLD-0"]
