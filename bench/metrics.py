"""Benchmark: `compute_metrics --all` on 1,000,000 handoffs over 300 seams and 24 months.

ours  = seconds for `python manage.py compute_metrics --all` (every seam and month, snapshots
        upserted), run in-process.
floor = seconds for hand-written SQL computing the same handoff metric values straight from the
        same rows, one statement per metric family, as a DBA would: no ORM, no snapshot writes, no
        Celery. Its numbers are checked against the snapshots before anything is printed.
ratio = ours ÷ floor (lower is better; target 1.5).
Also printed: the process's peak memory (target under 300 MB) and a one-month refresh
(`compute_metrics --month`, target under a tenth of the full run).

The seams run on the 24x7 calendar so that the generated rows' stored durations are plain elapsed
hours, which the floor's SQL can reproduce. Runs on DATABASE_URL (PostgreSQL); everything it
creates is rolled back at the end.
    python bench/metrics.py [--handoffs 1000000] [--seams 300] [--months 24]
"""

import argparse
import json
import os
import resource
import sys
import time
from decimal import Decimal
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from metrics import engine  # noqa: E402
from metrics.models import MonthlySeamMetrics  # noqa: E402
from seams.models import Calendar, Seam, Team  # noqa: E402

TARGET = 1.5


# Long: the benchmark's data written out, one kind of record after another.
def generate(handoffs: int, seams: int, months: int) -> list[int]:
    sales = Team.objects.create(name="Bench sales", slug="bench-sales")
    product = Team.objects.create(name="Bench product", slug="bench-product")
    always = Calendar.objects.always()
    created = Seam.objects.bulk_create(
        Seam(
            name=f"Bench seam {n:03d}",
            slug=f"bench-seam-{n:03d}",
            from_team=sales,
            to_team=product,
            calendar=always,
            status=Seam.Status.ACTIVE,
        )
        for n in range(seams)
    )
    ids = [seam.pk for seam in created]
    first = engine.current_month()
    for _ in range(months - 1):
        first = engine.previous_month(first)
    start, _ = engine.month_bounds(first)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        # Skewed queue and lead times (a power of a uniform), some never started or finished,
        # some rework, four approval types including none.
        cursor.execute(
            """
            INSERT INTO seams_handoff (seam_id, source, external_id, title, approval_type,
                submitted_at, started_at, completed_at, returned_count, sla_hours, sla_deadline,
                queue_hours, lead_hours, created_at, updated_at)
            SELECT seam_id, 'bench', 'B' || i, 'Bench handoff ' || i,
                (ARRAY['standard', 'expedited', 'legal', ''])[1 + i %% 4],
                sub, st, co, CASE WHEN random() < 0.15 THEN 1 + (random() * 3)::int ELSE 0 END,
                16, sub + interval '16 hours',
                round(extract(epoch FROM st - sub) / 3600, 4),
                round(extract(epoch FROM co - sub) / 3600, 4), now(), now()
            FROM (
                SELECT i, seam_id, sub, st,
                    CASE WHEN st IS NOT NULL AND random() < 0.9 THEN
                        nullif(least(st + (random() ^ 2 * 200) * interval '1 hour', now()), now())
                    END AS co
                FROM (
                    SELECT i, seam_id, sub,
                        CASE WHEN random() < 0.93 THEN nullif(
                            least(sub + (random() ^ 3 * 120) * interval '1 hour', now()), now()
                        ) END AS st
                    FROM (
                        SELECT i, (%(ids)s::bigint[])[1 + i %% %(seams)s] AS seam_id,
                            %(start)s + random() * (now() - interval '1 hour' - %(start)s) AS sub
                        FROM generate_series(1, %(n)s) AS i
                    ) a
                ) b
            ) c
            """,
            {"ids": ids, "seams": seams, "start": start, "n": handoffs},
        )
        cursor.execute("ANALYZE seams_handoff")
    return ids


# Long: the hand-written SQL the engine is measured against, kept in one piece.
def floor_sql(zone: str) -> dict[str, str]:
    """The DBA's statements: one per handoff metric family, by seam and local month."""
    month = "date_trunc('month', {} AT TIME ZONE %(zone)s)::date"
    return {
        "submitted": f"""
            SELECT seam_id, {month.format("submitted_at")}, count(*)
            FROM seams_handoff GROUP BY 1, 2""",
        "started": f"""
            SELECT seam_id, {month.format("started_at")}, count(*),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY queue_hours),
                percentile_cont(0.85) WITHIN GROUP (ORDER BY queue_hours)
            FROM seams_handoff WHERE started_at IS NOT NULL GROUP BY 1, 2""",
        "completed": f"""
            SELECT seam_id, {month.format("completed_at")}, count(*),
                count(*) FILTER (WHERE returned_count > 0),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_hours),
                percentile_cont(0.85) WITHIN GROUP (ORDER BY lead_hours)
            FROM seams_handoff WHERE completed_at IS NOT NULL GROUP BY 1, 2""",
        "by_type": f"""
            SELECT seam_id, {month.format("completed_at")},
                coalesce(nullif(btrim(approval_type), ''), 'unspecified'), count(*),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_hours),
                percentile_cont(0.85) WITHIN GROUP (ORDER BY lead_hours)
            FROM seams_handoff WHERE completed_at IS NOT NULL GROUP BY 1, 2, 3""",
        "sla": f"""
            SELECT seam_id, {month.format("sla_deadline")}, count(*),
                count(*) FILTER (WHERE started_at IS NULL OR started_at > sla_deadline)
            FROM seams_handoff WHERE sla_deadline < %(now)s GROUP BY 1, 2""",
        # WIP at each month's cut-off from running totals; the oldest open item by an index walk.
        "open": f"""
            WITH months AS (
                SELECT m::date AS month,
                    least((m + interval '1 month') AT TIME ZONE %(zone)s, %(now)s) AS cutoff
                FROM generate_series(%(first)s::timestamp, %(last)s::timestamp, '1 month') m
            ),
            sub AS (SELECT seam_id, {month.format("submitted_at")} AS month, count(*) AS n
                FROM seams_handoff GROUP BY 1, 2),
            com AS (SELECT seam_id, {month.format("completed_at")} AS month, count(*) AS n
                FROM seams_handoff WHERE completed_at IS NOT NULL GROUP BY 1, 2),
            wip AS (
                SELECT s.id AS seam_id, months.month, months.cutoff,
                    sum(coalesce(sub.n, 0) - coalesce(com.n, 0))
                        OVER (PARTITION BY s.id ORDER BY months.month) AS wip
                FROM seams_seam s CROSS JOIN months
                LEFT JOIN sub ON sub.seam_id = s.id AND sub.month = months.month
                LEFT JOIN com ON com.seam_id = s.id AND com.month = months.month
                WHERE s.slug LIKE 'bench-seam-%%'
            )
            SELECT seam_id, month, wip, extract(epoch FROM cutoff - (
                SELECT h.submitted_at FROM seams_handoff h WHERE h.seam_id = wip.seam_id
                    AND h.submitted_at < wip.cutoff
                    AND (h.completed_at IS NULL OR h.completed_at >= wip.cutoff)
                ORDER BY h.submitted_at LIMIT 1)) / 3600
            FROM wip""",
    }


def run_floor(first, last, now) -> tuple[float, dict]:
    """`now` is the moment the snapshots were computed at, so "past" means the same to both."""
    params = {"zone": timezone.get_default_timezone_name(), "first": first, "last": last}
    params["now"] = now
    results = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for family, sql in floor_sql(params["zone"]).items():
            cursor.execute(sql, params)
            results[family] = cursor.fetchall()
    return time.perf_counter() - started, results


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(str(a)) - Decimal(str(b))) <= Decimal("0.00015")


def check(results: dict, seam_ids: list[int], months: list) -> int:
    """Every floor figure equals its snapshot's; returns how many values were compared."""
    snaps = {
        (s.seam_id, s.month): s
        for s in MonthlySeamMetrics.objects.filter(seam_id__in=seam_ids, month__in=months)
    }
    compared = 0

    def same(seam_id, month, name, value):
        nonlocal compared
        if (seam_id, month) not in snaps:
            return  # outside the months computed (a deadline falling next month, say)
        got = getattr(snaps[seam_id, month], name)
        if not close(got, value):
            sys.exit(f"Mismatch for seam {seam_id}, {month:%Y-%m}, {name}: {got} vs {value}")
        compared += 1

    for seam_id, month, n in results["submitted"]:
        same(seam_id, month, "submitted", n)
    for seam_id, month, n, p50, p85 in results["started"]:
        same(seam_id, month, "started", n)
        same(seam_id, month, "queue_time_p50_hours", round(p50, 4))
        same(seam_id, month, "queue_time_p85_hours", round(p85, 4))
    for seam_id, month, n, returned, p50, p85 in results["completed"]:
        same(seam_id, month, "throughput", n)
        same(seam_id, month, "rework_rate", round(Decimal(returned) / n, 4))
        same(seam_id, month, "lead_time_p50_hours", round(p50, 4))
        same(seam_id, month, "lead_time_p85_hours", round(p85, 4))
    for seam_id, month, kind, n, p50, p85 in results["by_type"]:
        if (seam_id, month) in snaps:
            entry = snaps[seam_id, month].lead_time_by_approval_type[kind]
            if entry["n"] != n or not (
                close(entry["p50"], round(p50, 4)) and close(entry["p85"], round(p85, 4))
            ):
                sys.exit(f"Mismatch by type for seam {seam_id}, {month:%Y-%m}, {kind}")
            compared += 1
    for seam_id, month, due, breaches in results["sla"]:
        same(seam_id, month, "sla_due", due)
        same(seam_id, month, "sla_breaches", breaches)
    for seam_id, month, wip, age in results["open"]:
        same(seam_id, month, "wip_open", wip)
        same(seam_id, month, "oldest_open_age_hours", None if age is None else round(age, 4))
    return compared


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handoffs", type=int, default=1_000_000)
    parser.add_argument("--seams", type=int, default=300)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this with DATABASE_URL pointing at PostgreSQL.")
    with transaction.atomic():
        started = time.perf_counter()
        seam_ids = generate(args.handoffs, args.seams, args.months)
        print(
            f"generated {args.handoffs:,} handoffs over {args.seams} seams and "
            f"{args.months} months in {time.perf_counter() - started:.1f} s"
        )
        months = engine.all_months()

        started = time.perf_counter()
        call_command("compute_metrics", "--all", stdout=StringIO())
        ours = time.perf_counter() - started
        started = time.perf_counter()
        call_command("compute_metrics", "--month", f"{months[-1]:%Y-%m}", stdout=StringIO())
        one_month = time.perf_counter() - started

        computed_at = MonthlySeamMetrics.objects.get(
            seam_id=seam_ids[0], month=months[-1]
        ).computed_at
        floor, results = run_floor(months[0], months[-1], computed_at)
        compared = check(results, seam_ids, months)
        memory = peak_rss_mb()
        transaction.set_rollback(True)
    ratio = ours / floor
    print(f"compute_metrics --all: {ours:.2f} s for {len(months)} months × {args.seams} seams")
    print(f"hand-written SQL:      {floor:.2f} s (same numbers: {compared:,} values compared)")
    print(f"one-month refresh:     {one_month:.2f} s ({one_month / ours:.1%} of the full run)")
    print(f"peak memory:           {memory:.0f} MB (target under 300 MB)")
    print(f"ratio {ratio:.2f} (target ≤ {TARGET})")
    print(
        json.dumps(
            {
                "bench": "metrics",
                "ours": round(ours, 3),
                "floor": round(floor, 3),
                "unit": "s",
                "ratio": round(ratio, 3),
                "target": TARGET,
                "higher_is_better": False,
            }
        )
    )


if __name__ == "__main__":
    main()
