"""Benchmark: the initiative forecast of a launch with 200 open dependencies over 50 seams.

ours  = seconds for `metrics.forecast.forecast_initiative` (what the API answers with): its
        queries (the open dependencies, the history durations per seam and day, the handoff
        lead times of the seams short of history), the 10,000 seeded draws per dependency,
        each one's chance and delivery percentiles, the joint chance, the riskiest seam and
        the histogram. Target: under 0.2 s.
floor = seconds for the same draws done once in plain numpy, in the same run: every
        dependency's samples already in memory, one generator drawing the 200 × 10,000 sample
        indices in one call, then the on-time shares and the all-on-time share. No queries, no
        per-dependency seeds, no percentiles, no riskiest seam: the least work the numbers need.
ratio = ours ÷ floor (lower is better).

Data: 50 seams, 40 with 40 delivered dependencies each (1 to 30 days from request to
delivery; one troubled seam up to 90) and 10 with only 5 (so their dependencies fall back to
handoff lead times), each of those 10 with 200 completed handoffs (0 to 30 days); the launch
needs 4 open dependencies from every seam, requested 0 to 30 days ago and needed 20 to 60 days
ahead. Runs
on DATABASE_URL (PostgreSQL in CI); everything is rolled back at the end.
    python bench/forecast.py [--seams 50] [--per-seam 4]
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from contracts.models import Initiative  # noqa: E402
from decisions.models import Dependency  # noqa: E402
from metrics import forecast  # noqa: E402
from seams.models import Calendar, Handoff, Seam, Team, User  # noqa: E402

TARGET = 0.2  # seconds, for ours
RUNS, WARMUP = 15, 3
SHORT_EVERY = 5  # one seam in five has too little dependency history
TROUBLED = 7  # the seam whose deliveries take up to 90 days, not 30


def at_day(day, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock_time(hour)))


# Long: the benchmark's whole world, built in one place.
def make_data(seams: int, per_seam: int, today) -> Initiative:
    rng = random.Random(20261204)
    leader = User.objects.create(username="bench-forecast-leader")
    provider = Team.objects.create(name="Bench forecast provider", slug="bench-fc-provider")
    consumer = Team.objects.create(name="Bench forecast consumer", slug="bench-fc-consumer")
    always = Calendar.objects.always()
    made = Seam.objects.bulk_create(
        Seam(
            name=f"Bench forecast seam {n:02d}",
            slug=f"bench-fc-seam-{n:02d}",
            from_team=consumer,
            to_team=provider,
            status=Seam.Status.ACTIVE,
            calendar=always,
        )
        for n in range(seams)
    )
    launch = Initiative.objects.create(slug="bench-fc-launch", name="Bench launch", leader=leader)
    common = {"consumer": consumer, "provider": provider, "owner": leader}
    past, handoffs, needs = [], [], []
    for n, seam in enumerate(made):
        short = n % SHORT_EVERY == 0
        longest = 90 if n == TROUBLED else 30
        for _ in range(5 if short else 40):
            delivered = today - timedelta(days=rng.randint(1, 200))
            past.append(
                Dependency(
                    title="Past need",
                    seam=seam,
                    needed_by=delivered,
                    status=Dependency.Status.DELIVERED,
                    delivered_at=delivered,
                    created_at=at_day(delivered - timedelta(days=rng.randint(1, longest))),
                    **common,
                )
            )
        if short:
            for k in range(200):
                done = today - timedelta(days=rng.randint(1, 200))
                submitted = at_day(done - timedelta(days=rng.randint(0, 30)), 9)
                handoffs.append(
                    Handoff(
                        seam=seam,
                        source="bench-forecast",
                        external_id=f"{seam.slug}-{k}",
                        title="Past handoff",
                        submitted_at=submitted,
                        started_at=submitted,
                        completed_at=at_day(done, 16),
                    )
                )
        for k in range(per_seam):
            needs.append(
                Dependency(
                    title=f"{seam.name}: need {k}",
                    seam=seam,
                    initiative=launch,
                    needed_by=today + timedelta(days=rng.randint(20, 60)),
                    status=Dependency.Status.COMMITTED,
                    created_at=at_day(today - timedelta(days=rng.randint(0, 30))),
                    **common,
                )
            )
    Dependency.objects.bulk_create(past + needs)
    Handoff.objects.bulk_create(handoffs)
    return launch


def samples(launch: Initiative, today) -> tuple[list, np.ndarray, np.ndarray]:
    """Each forecast dependency's samples (those longer than its age), its age and its slack
    (days from today to its need), read with the module's own queries, outside the timing."""
    dependencies = forecast.open_dependencies(launch, today)
    durations = forecast.dependency_durations({d.seam_id for d in dependencies}, today)
    lead_times = forecast.handoff_lead_times({d.seam_id for d in dependencies}, today)
    tails, ages, slack = [], [], []
    for d in dependencies:
        age = (today - timezone.localdate(d.created_at)).days
        basis, tail, _ = forecast._choose(d, age, durations, lead_times)
        if basis is not None:
            tails.append(tail)
            ages.append(age)
            slack.append((d.needed_by - today).days)
    return tails, np.array(ages), np.array(slack)


def floor_once(tails: list, ages: np.ndarray, slack: np.ndarray) -> float:
    """The draws once, in plain numpy: one generator, one call for every index."""
    sizes = np.array([t.size for t in tails])
    padded = np.zeros((len(tails), sizes.max()), dtype=np.int64)
    for k, tail in enumerate(tails):
        padded[k, : tail.size] = tail
    rng = np.random.default_rng(0)
    index = (rng.random((len(tails), forecast.DRAWS)) * sizes[:, None]).astype(np.int64)
    remaining = np.take_along_axis(padded, index, axis=1) - ages[:, None]
    on_time = remaining <= slack[:, None]
    on_time.mean(axis=1)
    return float(on_time.all(axis=0).mean())


def timed(function) -> tuple[float, object]:
    for _ in range(WARMUP):
        function()
    times, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seams", type=int, default=50)
    parser.add_argument("--per-seam", type=int, default=4)
    args = parser.parse_args()
    today = timezone.localdate()
    with transaction.atomic():
        launch = make_data(args.seams, args.per_seam, today)
        tails, ages, slack = samples(launch, today)
        with CaptureQueriesContext(connection) as queries:
            found = forecast.forecast_initiative(initiative=launch, today=today)
        ours, found = timed(lambda: forecast.forecast_initiative(initiative=launch, today=today))
        floor, floor_chance = timed(lambda: floor_once(tails, ages, slack))
        transaction.set_rollback(True)

    bases = [f.basis for f in found.dependencies]
    ratio = ours / floor
    print(
        f"forecast of {len(found.dependencies)} open dependencies over {args.seams} seams, "
        f"{found.draws:,} draws each ({connection.vendor}, {len(queries.captured_queries)} queries)"
    )
    print(
        f"bases: {bases.count('dependencies')} dependencies, "
        f"{bases.count('handoff lead times')} handoff lead times, "
        f"{bases.count(None)} beyond history"
    )
    riskiest = found.riskiest_seam
    print(
        f"chance all on time {found.chance_all_on_time:.4f} (floor's draws: {floor_chance:.4f}); "
        f"riskiest seam {riskiest.seam.slug if riskiest else None} "
        f"(+{riskiest.gain if riskiest else 0:.4f})"
    )
    print(f"forecast_initiative (ours): {ours * 1000:.1f} ms (median of {RUNS}; target < 200 ms)")
    print(f"the draws in plain numpy:   {floor * 1000:.1f} ms")
    print(f"ratio {ratio:.2f}")
    if ours >= TARGET:
        print(f"ours is over {TARGET} s")
    print(
        json.dumps(
            {
                "bench": "forecast",
                "ours": round(ours, 4),
                "floor": round(floor, 4),
                "unit": "s",
                "ratio": round(ratio, 2),
                "target": TARGET,
            }
        )
    )


if __name__ == "__main__":
    main()
