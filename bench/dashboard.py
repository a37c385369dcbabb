"""Benchmark: the monthly seam review (the leaders' dashboard) at 300 seams.

ours  = median server time of a signed-in GET /review/ through Django (middleware, the
        dashboard's queries, the template with its tiles and sparklines).
floor = median server time of a trivial view served the same way: signed in, the same
        middleware and the same base layout, with an empty page body.
ratio = ours ÷ floor (lower is better; target 5).

Data: 300 seams under one active contract, each with five targets and twelve months of
snapshots. Runs on DATABASE_URL (PostgreSQL in CI); everything is rolled back at the end.
    python bench/dashboard.py [--seams 300]
"""

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402

from contracts.models import Contract, ContractSeam, MetricTarget  # noqa: E402
from metrics import engine  # noqa: E402
from metrics.models import MonthlySeamMetrics  # noqa: E402
from seams.models import Calendar, Seam, Team, User  # noqa: E402

RUNS, WARMUP = 15, 3
TARGET = 5.0
TARGETS = [
    ("queue_time_p85_hours", 24),
    ("sla_breach_rate", 10),
    ("rework_rate", 15),
    ("decision_latency_p85_hours", 48),
    ("escalations", 2),
]


@login_required
def trivial(request):
    return render(request, "base.html", {})


urlpatterns = [path("bench-trivial/", trivial), path("", include("config.urls"))]


def build(seams: int) -> User:
    leader = User.objects.create_user("bench-leader", password="bench-password")
    from django.contrib.auth.models import Group

    leader.groups.add(Group.objects.get(name="leader"))
    a = Team.objects.create(name="Bench A", slug="bench-a")
    b = Team.objects.create(name="Bench B", slug="bench-b")
    calendar = Calendar.objects.always()
    contract = Contract.objects.create(
        slug="bench", title="Bench", scope="Bench", leader=leader, status="active"
    )
    created = Seam.objects.bulk_create(
        Seam(
            name=f"Bench seam {n:03d}",
            slug=f"bench-{n:03d}",
            from_team=a,
            to_team=b,
            calendar=calendar,
            status="active",
        )
        for n in range(seams)
    )
    ContractSeam.objects.bulk_create(ContractSeam(contract=contract, seam=s) for s in created)
    MetricTarget.objects.bulk_create(
        MetricTarget(contract=contract, seam=s, metric=m, target=Decimal(t))
        for s in created
        for m, t in TARGETS
    )
    months, month = [], engine.current_month()
    for _ in range(12):
        months.append(month)
        month = engine.previous_month(month)
    MonthlySeamMetrics.objects.bulk_create(
        MonthlySeamMetrics(
            seam=s,
            month=m,
            submitted=20 + n % 7,
            throughput=18,
            queue_time_p85_hours=Decimal(10 + (n * 7 + i * 3) % 40),
            sla_breach_rate=Decimal((n + i) % 30) / 100,
            rework_rate=Decimal((n * 3 + i) % 25) / 100,
            decision_latency_p85_hours=Decimal(20 + n % 50),
            escalations=(n + i) % 4,
            sla_breaches=(n + i) % 5,
            rag={"queue_time_p85_hours": "red"} if n % 3 == 0 else {},
        )
        for n, s in enumerate(created)
        for i, m in enumerate(months)
    )
    return leader


def median_ms(client: Client, url: str) -> tuple[float, int]:
    timings = []
    for run in range(WARMUP + RUNS):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
        if run >= WARMUP:
            timings.append(elapsed * 1000)
    return statistics.median(timings), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seams", type=int, default=300)
    args = parser.parse_args()
    with (
        transaction.atomic(),
        override_settings(
            ROOT_URLCONF=__name__,
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            # No collectstatic here: plain static URLs, as in the test suite.
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        ),
    ):
        build(args.seams)
        client = Client()
        client.login(username="bench-leader", password="bench-password")
        ours, size = median_ms(client, "/review/")
        floor, _ = median_ms(client, "/bench-trivial/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/review/")
        transaction.set_rollback(True)
    ratio = ours / floor
    print(
        f"dashboard at {args.seams} seams: {ours:.1f} ms "
        f"({size / 1024:.0f} kB, {len(queries)} queries)"
    )
    print(f"trivial page, same middleware and layout: {floor:.1f} ms")
    print(f"ratio {ratio:.1f} (target ≤ {TARGET})")
    print(
        json.dumps(
            {
                "bench": "dashboard",
                "ours": round(ours, 2),
                "floor": round(floor, 2),
                "unit": "ms",
                "ratio": round(ratio, 2),
                "target": TARGET,
                "higher_is_better": False,
            }
        )
    )


if __name__ == "__main__":
    main()
