"""Benchmark: business-time arithmetic over an hour, a year and 26 years.

On a Europe/London office calendar (Mon–Fri 09:00–17:30) with the UK's public holidays, times
`business_time_between` and the deadline (`add_business_hours` of the hours that span holds),
each from 1 March 2000, 10:00: the calls are warm (the calendar's tables built once, as in a
running worker), and the first 26-year call on a fresh calendar is reported too (cold).

ours  = seconds for one between + one deadline over 26 years.
floor = the same over one hour.
ratio = ours ÷ floor (lower is better; target ≤ 3): the cost must not grow with the span.

Then the 10,000-row bulk request (`POST /api/v1/handoffs/` through the test client, the real
view), every handoff submitted from 2000 on and started in 2026, reported in seconds.

Runs on DATABASE_URL (PostgreSQL). Everything it writes is rolled back at the end.
    python bench/business_time.py
"""

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from zoneinfo import ZoneInfo  # noqa: E402

import holidays  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from seams import business_time, wall_clock  # noqa: E402
from seams.business_time import WorkingTime  # noqa: E402
from seams.models import Calendar, CalendarHoliday, Handoff, HandoffSpec, Seam, Team, User  # noqa: E402

TARGET = 3.0
LONDON = ZoneInfo("Europe/London")
START = datetime(2000, 3, 1, 10, tzinfo=LONDON)
SPANS = {"1 hour": timedelta(hours=1), "1 year": timedelta(days=365), "26 years": None}
UK = holidays.country_holidays("GB", years=range(1999, 2031))
ROWS = 10_000


def office() -> WorkingTime:
    return WorkingTime(LONDON, frozenset(range(1, 6)), clock(9), clock(17, 30), frozenset(UK))


def best_of(call, repeat: int = 7, number: int = 2000) -> float:
    """Seconds per call: the best of `repeat` rounds (the machine's noise only adds)."""
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            call()
        rounds.append((time.perf_counter() - started) / number)
    return min(rounds)


def arithmetic() -> dict[str, tuple[float, float]]:
    rules = office()
    results = {}
    for name, span in SPANS.items():
        end = START + span if span else datetime(2026, 3, 2, 10, tzinfo=LONDON)
        hours = business_time.business_time_between(rules, START, end)
        due = business_time.add_business_hours(rules, START, hours)
        assert business_time.business_time_between(rules, START, due) == hours
        between = best_of(lambda end=end: business_time.business_time_between(rules, START, end))
        deadline = best_of(lambda h=hours: business_time.add_business_hours(rules, START, h))
        results[name] = (between, deadline)
        print(
            f"{name:>9}: between {between * 1e6:6.1f} µs, deadline {deadline * 1e6:6.1f} µs "
            f"({hours.total_seconds() / 3600:,.1f} business hours)"
        )
    fresh = office()  # a new calendar: its tables are built on this first call
    end = datetime(2026, 3, 2, 10, tzinfo=LONDON)
    wall_clock.dst_days.cache_clear()
    started = time.perf_counter()
    hours = business_time.business_time_between(fresh, START, end)
    business_time.add_business_hours(fresh, START, hours)
    print(
        f"26 years, cold (tables built for a new calendar): {time.perf_counter() - started:.4f} s"
    )
    return results


# Long: the request body written out as a client sends it.
def bulk_request() -> float:
    """Seconds for POST /api/v1/handoffs/ with 10,000 handoffs spanning 2000 → 2026."""
    setup_test_environment()  # the test client's host and settings
    with transaction.atomic():
        sales = Team.objects.create(name="Bench sales", slug="bench-bt-sales")
        product = Team.objects.create(name="Bench product", slug="bench-bt-product")
        calendar = Calendar.objects.create(
            slug="bench-bt-office",
            name="Bench office",
            time_zone="Europe/London",
            working_weekdays=[1, 2, 3, 4, 5],
            day_start=clock(9),
            day_end=clock(17, 30),
        )
        CalendarHoliday.objects.bulk_create(
            CalendarHoliday(calendar=calendar, date=day, name=name[:120])
            for day, name in UK.items()
        )
        seam = Seam.objects.create(
            name="Bench seam",
            slug="bench-bt-seam",
            from_team=sales,
            to_team=product,
            calendar=calendar,
        )
        HandoffSpec.objects.create(seam=seam, version=1, response_sla_hours=16)
        ops = User.objects.create_superuser("bench-bt-ops", "bench-bt@example.com", None)
        rows = [
            {
                "seam": seam.slug,
                "source": "bench-bt",
                "external_id": f"BT-{n}",
                "title": f"Bench handoff {n}",
                "submitted_at": (
                    datetime(2000, 1, 3, 9, tzinfo=UTC) + timedelta(hours=7 * n)
                ).isoformat(),
                "started_at": datetime(2026, 1, 5, 10, tzinfo=UTC).isoformat(),
            }
            for n in range(ROWS)
        ]
        client = APIClient()
        client.force_authenticate(ops)
        started = time.perf_counter()
        response = client.post("/api/v1/handoffs/", rows, format="json", secure=True)
        seconds = time.perf_counter() - started
        if response.status_code != 200 or response.json()["created"] != ROWS:
            sys.exit(f"The bulk request failed: {response.status_code} {response.content[:300]}")
        assert Handoff.objects.filter(source="bench-bt").count() == ROWS
        transaction.set_rollback(True)  # leave nothing behind
    print(f"bulk request: {ROWS:,} handoffs over 26 years in {seconds:.2f} s")
    return seconds


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run this with DATABASE_URL pointing at PostgreSQL.")
    results = arithmetic()
    bulk_request()
    ours, floor = sum(results["26 years"]), sum(results["1 hour"])
    ratio = ours / floor
    print(f"ratio 26 years ÷ 1 hour {ratio:.2f} (target ≤ {TARGET})")
    print(
        json.dumps(
            {
                "bench": "business_time",
                "ours": round(ours, 8),
                "floor": round(floor, 8),
                "unit": "s",
                "ratio": round(ratio, 3),
                "target": TARGET,
            }
        )
    )


if __name__ == "__main__":
    main()
