"""Benchmark: the leading signals of 300 seams over 1,000,000 handoffs, at one instant.

ours  = seconds for `metrics.signals.signals_for(every seam, T)`: open items with their ages
        outside pauses, the at-risk lists, queue and lead SLEs over the last 90 days, the
        proposed response SLA (pilot or last 90 days) and drift at the last two month ends.
floor = seconds for hand-written SQL computing the same values from the same rows, as a DBA
        would (one statement per family, array percentiles, one clock(T) per calendar passed
        in): no ORM, no Python objects. Its values are checked equal to ours before anything
        is printed.
ratio = ours ÷ floor (lower is better; target 1.5); ours must also be under 1 s.

Data, bulk-loaded with COPY: 300 seams, a third each on the 24x7 calendar, a London and a New
York business calendar (with holidays), response SLAs from 8 to 200 hours, 30 of them in a
pilot; 1,000,000 handoffs submitted over two years: most completed, a few percent open (stale
ones, recent ones not started or not finished), one in twenty paused once before its start
(returned to its sender and resubmitted), a quarter of the never-started ones waiting on their
sender now, and some rework returned after start. The stored durations and clocks are what the
stamping writes: business hours on each seam's calendar (seams.business_time).

Runs on a temporary PostgreSQL database next to DATABASE_URL's, created and migrated here and
dropped at the end. Each side is timed as the median of several runs after a warm-up.
    DATABASE_URL=postgres://… python bench/signals.py [--handoffs 1000000] [--seams 300]
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

TARGET = 1.5
OURS_UNDER = 1.0
RUNS, WARMUP = 7, 2


# --- A database of its own (before Django reads DATABASE_URL) ---------------------------------


def scratch_database(url: str) -> tuple[str, str]:
    name = f"seamline_signals_{os.getpid()}"
    return urlsplit(url)._replace(path=f"/{name}").geturl(), name


def admin_connection(url: str) -> psycopg.Connection:
    """A connection for CREATE/DROP DATABASE: DATABASE_URL's database, or the server's
    `postgres` database when that one doesn't exist yet."""
    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError:
        return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def create_database(url: str, name: str) -> None:
    with admin_connection(url) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    with admin_connection(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- The data ----------------------------------------------------------------------------------

SLAS = [Decimal(h) for h in (8, 16, 24, 40, 200)]
# The columns COPY fills, in the order handoff_rows writes them.
HANDOFF_COLUMNS = (
    "id, seam_id, source, external_id, title, approval_type, submitted_at, started_at, "
    "completed_at, returned_count, sla_hours, sla_deadline, queue_hours, lead_hours, "
    "waiting_since, paused_hours, submitted_clock, created_at, updated_at"
)
RETURN_COLUMNS = (
    "handoff_id, returned_at, reason, missing_item, resubmitted_at, pauses, pause_hours, "
    "returned_clock"
)


def make_calendars(today: date) -> list:
    """24x7, London and New York business hours, with the usual holidays."""
    from seams.models import Calendar, CalendarHoliday

    london = Calendar.objects.create(
        slug="bench-london",
        name="Bench London",
        time_zone="Europe/London",
        working_weekdays=[1, 2, 3, 4, 5],
        day_start=clock_time(9),
        day_end=clock_time(17, 30),
    )
    new_york = Calendar.objects.create(
        slug="bench-new-york",
        name="Bench New York",
        time_zone="America/New_York",
        working_weekdays=[1, 2, 3, 4, 5],
        day_start=clock_time(9),
        day_end=clock_time(17),
    )
    CalendarHoliday.objects.bulk_create(
        CalendarHoliday(calendar=cal, date=date(year, month, day))
        for cal in (london, new_york)
        for year in range(today.year - 3, today.year + 2)
        for month, day in ((1, 1), (12, 25), (12, 26))
    )
    return [Calendar.objects.always(), london, new_york]


def make_seams(count: int, today: date):
    from seams.models import HandoffSpec, Seam, Team

    sales = Team.objects.create(name="Bench sales", slug="bench-sales")
    product = Team.objects.create(name="Bench product", slug="bench-product")
    calendars = make_calendars(today)
    pilot_start = today - timedelta(days=60)
    seams = Seam.objects.bulk_create(
        Seam(
            name=f"Bench seam {n:03d}",
            slug=f"bench-seam-{n:03d}",
            from_team=sales,
            to_team=product,
            calendar=calendars[n % 3],
            status=Seam.Status.PILOT if n % 10 == 0 else Seam.Status.ACTIVE,
            pilot_started_on=pilot_start if n % 10 == 0 else None,
            pilot_review_on=pilot_start + timedelta(days=30) if n % 10 == 0 else None,
        )
        for n in range(count)
    )
    HandoffSpec.objects.bulk_create(
        HandoffSpec(seam=seam, version=1, response_sla_hours=SLAS[n % len(SLAS)])
        for n, seam in enumerate(seams)
    )
    return list(
        Seam.objects.filter(slug__startswith="bench-seam-")
        .select_related("calendar", "spec")
        .prefetch_related("calendar__holidays")
        .order_by("slug")
    )


def _hours(value: float) -> str:
    return f"{value:.4f}"


# Long: one handoff's life written out, step by step, as the stamping would store it.
def handoff_rows(seams, count: int, now: datetime):
    """Yield (handoff row, [return rows]) for COPY, reproducibly."""
    from seams.business_time import add_business_hours, clock_hours

    rnd = random.Random(42)
    span = timedelta(days=730).total_seconds()
    first = now - timedelta(days=730)
    # Rows arrive as work is submitted: the table is in submission order, as in production.
    offsets = sorted(int(rnd.random() * span) for _ in range(count))
    rules = [seam.calendar.working_time() for seam in seams]
    stamp = now.isoformat()
    for i in range(1, count + 1):
        k = rnd.randrange(len(seams))
        seam, calendar = seams[k], rules[k]
        sla = seam.spec.response_sla_hours

        def clock(instant, calendar=calendar):
            return clock_hours(calendar, instant)

        sub = first + timedelta(seconds=offsets[i - 1])
        queue = timedelta(hours=rnd.random() ** 3 * 120)
        lead = timedelta(hours=rnd.random() ** 2 * 200)
        sub_clock = clock(sub)
        returns, paused, waiting_since = [], 0.0, None
        if rnd.random() < 0.05:  # sent back before start, resubmitted later
            returned = sub + queue * rnd.random()
            resubmitted = returned + timedelta(hours=rnd.random() * 48)
            pauses = clock(returned) - sub_clock < float(sla)
            if resubmitted < now:
                pause = clock(resubmitted) - clock(returned) if pauses else 0.0
                paused += pause
                pause_hours = _hours(pause) if pauses else None
                back = [i, returned, "Missing inputs", "", resubmitted, pauses, pause_hours]
                returns.append([*back, _hours(clock(returned))])
                queue += resubmitted - returned
        started = sub + queue if sub + queue < now else None
        completed = started + lead if started and started + lead < now else None
        if rnd.random() < 0.012:  # stale: never finished, some never started
            completed = None
            if rnd.random() < 0.5:
                started = None
        if started is None and not returns and rnd.random() < 0.25:  # waiting on its sender
            returned = sub + (now - sub) * rnd.random()
            returns.append(
                [i, returned, "Missing inputs", "", None, True, None, _hours(clock(returned))]
            )
            waiting_since = returned
        if completed and rnd.random() < 0.03:  # rework: returned after start
            rework = started + (completed - started) / 2
            returns.append([i, rework, "Rework", "", None, False, None, None])
        if waiting_since:
            deadline = None
        elif seam.calendar.is_24x7:
            deadline = sub + timedelta(hours=float(sla) + paused)
        else:
            deadline = add_business_hours(calendar, sub, float(sla) + paused)
        row = [
            i,
            seam.pk,
            "bench",
            f"B{i}",
            f"Bench handoff {i}",
            ("standard", "expedited", "legal", "")[i % 4],
            sub,
            started,
            completed,
            len(returns),
            sla,
            deadline,
            _hours(clock(started) - sub_clock - paused) if started else None,
            _hours(clock(completed) - sub_clock) if completed else None,
            waiting_since,
            _hours(paused),
            _hours(sub_clock),
            stamp,
            stamp,
        ]
        yield row, returns


def load(seams, count: int, now: datetime) -> dict:
    from django.db import connection

    counts = defaultdict(int)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        returns = []
        with raw.copy(f"COPY seams_handoff ({HANDOFF_COLUMNS}) FROM STDIN") as copy:
            for row, backs in handoff_rows(seams, count, now):
                copy.write_row(row)
                returns.extend(backs)
                counts["open"] += row[8] is None
                counts["waiting"] += row[14] is not None
        counts["returns"] = len(returns)
        counts["pauses"] = sum(1 for r in returns if r[5])
        with raw.copy(f"COPY seams_handoffreturn ({RETURN_COLUMNS}) FROM STDIN") as copy:
            for row in returns:
                copy.write_row(row)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('seams_handoff', 'id'), max(id)) "
            "FROM seams_handoff"
        )
        # What autovacuum does to a table in use: hint bits set, visibility map, statistics.
        cursor.execute("VACUUM ANALYZE seams_handoff")
        cursor.execute("VACUUM ANALYZE seams_handoffreturn")
    return counts


# --- The floor: hand-written SQL ---------------------------------------------------------------

FLOOR_OPEN = """
WITH clocks (seam_id, clock) AS (SELECT * FROM unnest(%(ids)s::bigint[], %(clocks)s::numeric[])),
open AS (
    SELECT h.id, h.seam_id, h.title, h.external_id, h.sla_hours,
        coalesce(h.started_at < %(at)s, false) AS started, c.clock - h.submitted_clock AS since
    FROM seams_handoff h JOIN clocks c ON c.seam_id = h.seam_id
    WHERE h.submitted_at < %(at)s AND (h.completed_at IS NULL OR h.completed_at >= %(at)s)
),
pauses AS (
    SELECT r.handoff_id,
        sum(CASE WHEN r.resubmitted_at <= %(at)s THEN coalesce(r.pause_hours, 0)
            ELSE c.clock - r.returned_clock END) AS paused,
        bool_or(r.resubmitted_at IS NULL OR r.resubmitted_at > %(at)s) AS waiting
    FROM seams_handoffreturn r JOIN open o ON o.id = r.handoff_id
    JOIN clocks c ON c.seam_id = o.seam_id
    WHERE r.pauses AND r.returned_at <= %(at)s AND NOT o.started
    GROUP BY r.handoff_id
)
SELECT o.id, o.seam_id, o.title, o.external_id, o.sla_hours,
    CASE WHEN o.started THEN 'started' WHEN p.waiting THEN 'waiting' ELSE 'submitted' END,
    CASE WHEN o.started THEN o.since ELSE o.since - coalesce(p.paused, 0) END
FROM open o LEFT JOIN pauses p ON p.handoff_id = o.id
"""

FLOOR_QUEUE = """
SELECT seam_id,
    count(queue_hours) FILTER (WHERE started_at >= %(sle)s),
    percentile_cont(ARRAY[0.5, 0.7, 0.85, 0.95]) WITHIN GROUP (ORDER BY queue_hours)
        FILTER (WHERE started_at >= %(sle)s),
    count(queue_hours) FILTER (WHERE started_at >= %(e0_from)s AND started_at < %(e0)s),
    percentile_cont(0.85) WITHIN GROUP (ORDER BY queue_hours)
        FILTER (WHERE started_at >= %(e0_from)s AND started_at < %(e0)s),
    count(queue_hours) FILTER (WHERE started_at >= %(e1_from)s AND started_at < %(e1)s),
    percentile_cont(0.85) WITHIN GROUP (ORDER BY queue_hours)
        FILTER (WHERE started_at >= %(e1_from)s AND started_at < %(e1)s)
FROM seams_handoff
WHERE seam_id = ANY(%(ids)s) AND started_at >= %(first)s AND started_at < %(at)s
GROUP BY seam_id
"""

FLOOR_LEAD = """
SELECT seam_id, count(lead_hours),
    percentile_cont(ARRAY[0.5, 0.7, 0.85, 0.95]) WITHIN GROUP (ORDER BY lead_hours)
FROM seams_handoff
WHERE seam_id = ANY(%(ids)s) AND completed_at >= %(sle)s AND completed_at < %(at)s
GROUP BY seam_id
"""

FLOOR_PILOT = """
SELECT w.seam_id, p.n, p.p85
FROM unnest(%(pilot_ids)s::bigint[], %(pilot_from)s::timestamptz[], %(pilot_to)s::timestamptz[])
    AS w (seam_id, starts, ends)
CROSS JOIN LATERAL (
    SELECT count(h.queue_hours) AS n,
        percentile_cont(0.85) WITHIN GROUP (ORDER BY h.queue_hours) AS p85
    FROM seams_handoff h
    WHERE h.seam_id = w.seam_id AND h.started_at >= w.starts AND h.started_at < w.ends
) p
"""

FLOOR_SEAMS = """
SELECT s.id, s.calendar_id, s.pilot_started_on, s.pilot_review_on, sp.response_sla_hours
FROM seams_seam s LEFT JOIN seams_handoffspec sp ON sp.seam_id = s.id
WHERE s.id = ANY(%(ids)s)
"""


def floor_parameters(seams: list[tuple], at: datetime) -> dict:
    """One clock(T) per calendar, the windows, and the pilots' windows."""
    from metrics.signals import local_midnight, month_ends, trailing_window
    from seams.business_time import clock_hours
    from seams.models import Calendar

    calendars = {
        c.pk: c
        for c in Calendar.objects.filter(pk__in={s[1] for s in seams}).prefetch_related("holidays")
    }
    clock_of = {
        pk: Decimal(str(clock_hours(c.working_time(), at))).quantize(Decimal("0.0001"))
        for pk, c in calendars.items()
    }
    e0, e1 = month_ends(at)
    params = {
        "ids": [s[0] for s in seams],
        "clocks": [clock_of[s[1]] for s in seams],
        "at": at,
        "sle": trailing_window(at)[0],
        "e0": e0,
        "e0_from": trailing_window(e0)[0],
        "e1": e1,
        "e1_from": trailing_window(e1)[0],
    }
    params["first"] = min(params["sle"], params["e0_from"])
    pilots = []
    for seam_id, _, begins, review, _ in seams:
        if begins:
            window = (local_midnight(begins), min(local_midnight(review), at))
            if window[0] < window[1]:
                pilots.append((seam_id, *window))
    params["pilot_ids"] = [p[0] for p in pilots]
    params["pilot_from"] = [p[1] for p in pilots]
    params["pilot_to"] = [p[2] for p in pilots]
    return params


def run_floor(ids: list[int], at: datetime) -> tuple[float, dict]:
    """The same values by hand: the seams and their calendars, one clock(T) per calendar,
    then one statement per family."""
    from django.db import connection

    started = time.perf_counter()
    results = {}
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SEAMS, {"ids": ids})
        seams = cursor.fetchall()
        params = floor_parameters(seams, at)
        for family, statement in (
            ("open", FLOOR_OPEN),
            ("queue", FLOOR_QUEUE),
            ("lead", FLOOR_LEAD),
            ("pilot", FLOOR_PILOT),
        ):
            cursor.execute(statement, params)
            results[family] = cursor.fetchall()
    results["seams"] = seams
    results["pilot_ids"] = set(params["pilot_ids"])
    return time.perf_counter() - started, results


# --- Checking that both say the same -----------------------------------------------------------


def _shown(value) -> Decimal | None:
    from metrics.signals import shown_hours

    return shown_hours(value)


# Long: every value of every seam, compared one family after another.
def check(ours: dict, floor: dict) -> int:
    """Every value of ours equals the floor's; returns how many values were compared."""
    import math

    from metrics.signals import AT_RISK_SHARE, DRIFT_ABOVE, DRIFT_BELOW, SLE_MIN_N

    compared = 0

    def same(what, a, b):
        nonlocal compared
        if a != b:
            sys.exit(f"Mismatch in {what}: ours {a!r}, floor {b!r}")
        compared += 1

    open_by_seam, risky_by_seam = defaultdict(dict), defaultdict(list)
    for pk, seam_id, _title, _ext, sla, state, age in floor["open"]:
        open_by_seam[seam_id][pk] = (state, _shown(age))
        if state == "submitted" and sla and age >= AT_RISK_SHARE * sla and sla - age > 0:
            risky_by_seam[seam_id].append((pk, _shown(sla - age)))
    for seam_id, found in ours.items():
        mine = {item.id: (item.state, item.age_hours) for item in found.open_items}
        same(f"open items of seam {seam_id}", mine, open_by_seam.get(seam_id, {}))
        compared += 2 * len(mine)
        mine = sorted((r.id, r.breaches_in_hours) for r in found.at_risk)
        same(f"at risk of seam {seam_id}", mine, sorted(risky_by_seam.get(seam_id, [])))
    queue = {row[0]: row for row in floor["queue"]}
    lead = {row[0]: row for row in floor["lead"]}
    pilot = {row[0]: row for row in floor["pilot"]}
    for seam_id, _cal, _begins, _review, sla in floor["seams"]:
        found = ours[seam_id]
        _, n, ps, n0, p0, n1, p1 = queue.get(seam_id, (seam_id, 0, None, 0, None, 0, None))
        enough = n >= SLE_MIN_N
        expected = [_shown(p) if enough else None for p in (ps or [None] * 4)]
        expected = dict(zip(["p50", "p70", "p85", "p95"], expected, strict=True), n=n)
        same(f"queue SLE of seam {seam_id}", found.queue_sle.as_dict(), expected)
        _, ln, lps = lead.get(seam_id, (seam_id, 0, None))
        expected = [_shown(p) if ln >= SLE_MIN_N else None for p in (lps or [None] * 4)]
        expected = dict(zip(["p50", "p70", "p85", "p95"], expected, strict=True), n=ln)
        same(f"lead SLE of seam {seam_id}", found.lead_sle.as_dict(), expected)
        if seam_id in floor["pilot_ids"]:
            _, pn, pp = pilot.get(seam_id, (seam_id, 0, None))
        else:
            pn, pp = n, (ps[2] if ps else None)
        proposed = math.ceil(_shown(pp)) if pn >= SLE_MIN_N and pp is not None else None
        same(f"proposed SLA of seam {seam_id}", found.proposed_response_sla_hours, proposed)
        points = [_shown(p0) if n0 >= SLE_MIN_N else None, _shown(p1) if n1 >= SLE_MIN_N else None]
        status = None
        if sla and None not in points:
            if all(p > DRIFT_ABOVE * sla for p in points):
                status = "not_met"
            elif all(p < DRIFT_BELOW * sla for p in points):
                status = "slack"
        mine = [p.queue_p85_hours for p in found.drift.points]
        same(f"drift points of seam {seam_id}", mine, points)
        same(f"drift of seam {seam_id}", found.drift.status, status)
    return compared


# --- Running -----------------------------------------------------------------------------------


def timed(ours, floor, runs: int) -> tuple[float, object, float, object]:
    """Median seconds of each, run in turns, so a busy moment on the machine falls on both."""
    timings = {ours: [], floor: []}
    results = {}
    for _ in range(runs):
        for function in (ours, floor):
            started = time.perf_counter()
            results[function] = function()
            timings[function].append(time.perf_counter() - started)
    return (
        statistics.median(timings[ours]),
        results[ours],
        statistics.median(timings[floor]),
        results[floor],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handoffs", type=int, default=1_000_000)
    parser.add_argument("--seams", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Run this with DATABASE_URL pointing at PostgreSQL.")
    scratch_url, name = scratch_database(url)
    create_database(url, name)
    os.environ["DATABASE_URL"] = scratch_url
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url, name)


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from metrics import signals

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated a scratch database in {time.perf_counter() - started:.1f} s")
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    seams = make_seams(args.seams, timezone.localdate(now))
    counts = load(seams, args.handoffs, now)
    print(
        f"loaded {args.handoffs:,} handoffs over {args.seams} seams with COPY in "
        f"{time.perf_counter() - started:.1f} s: {counts['open']:,} open "
        f"({counts['open'] / args.handoffs:.1%}), {counts['waiting']:,} waiting on their sender, "
        f"{counts['returns']:,} returns ({counts['pauses']:,} pausing)"
    )
    ids = [seam.pk for seam in seams]
    at = now

    def ours_once():
        return signals.signals_for(ids, at)

    def floor_once():
        return run_floor(ids, at)[1]

    for _ in range(WARMUP):
        ours_once()
        floor_once()
    ours, found, floor, results = timed(ours_once, floor_once, RUNS)
    compared = check(found, results)
    report(found, at, ours, floor, compared)


def report(found: dict, at: datetime, ours: float, floor: float, compared: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('seams_handoff'))")
        size = cursor.fetchone()[0]
    open_items = sum(len(s.open_items) for s in found.values())
    at_risk = sum(len(s.at_risk) for s in found.values())
    drift = defaultdict(int)
    for s in found.values():
        drift[s.drift.status or "none"] += 1
    proposed = sum(1 for s in found.values() if s.proposed_response_sla_hours is not None)
    ratio = ours / floor
    print(f"seams_handoff: {size}")
    print(
        f"signals at {at:%Y-%m-%d %H:%M} UTC: {open_items:,} open items, {at_risk:,} at risk, "
        f"drift {dict(drift)}, {proposed} proposed SLAs"
    )
    print(f"signals_for (ours):    {ours:.3f} s (median of {RUNS}; target under {OURS_UNDER} s)")
    print(f"hand-written SQL:      {floor:.3f} s (same values: {compared:,} compared)")
    print(f"ratio {ratio:.2f} (target ≤ {TARGET})")
    if ours >= OURS_UNDER:
        print(f"ours is over {OURS_UNDER} s")
    print(
        json.dumps(
            {
                "bench": "signals",
                "ours": round(ours, 3),
                "floor": round(floor, 3),
                "unit": "s",
                "ratio": round(ratio, 3),
                "target": TARGET,
            }
        )
    )


if __name__ == "__main__":
    main()
