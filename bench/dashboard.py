"""Benchmark: the monthly seam review (the leaders' dashboard) at 300 seams.

ours  = median server time of a signed-in GET /review/ through Django (middleware, the
        dashboard's queries, the template with its tiles and sparklines).
floor = median server time of a trivial view served the same way: signed in, the same
        middleware and the same base layout, with an empty page body.
ratio = ours ÷ floor (lower is better; target 5).

Data: 300 seams between 24 teams under one active contract, each with a spec owner, five
targets and twelve months of snapshots; 30 open decisions, 15 constraints, 60 escalations this
month and an earlier review with 8 actions. The page shows the 25 worst seams (a page of the
table) and draws all 300 on the seam map. Runs on DATABASE_URL (PostgreSQL in CI);
everything is rolled back at the end.
    python bench/dashboard.py [--seams 300]
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
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
from django.utils import timezone  # noqa: E402

from contracts.models import Contract, ContractSeam, MetricTarget  # noqa: E402
from decisions.models import Constraint, Decision, Escalation  # noqa: E402
from metrics import dashboard, engine  # noqa: E402
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review  # noqa: E402
from seams.models import Calendar, HandoffSpec, Seam, Team, User  # noqa: E402

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


# Long: the benchmark's data written out, one kind of record after another.
def build(seams: int) -> User:
    """A realistic organisation: 24 teams, seams between them (some pairs with several), each
    with a spec owner, five targets and twelve months of snapshots; an open agenda (decisions
    and constraints), this month's escalations, and an earlier review whose actions the page
    judges."""
    from django.contrib.auth.models import Group

    leader = User.objects.create_user("bench-leader", password="bench-password")
    leader.groups.add(Group.objects.get(name="leader"))
    teams = Team.objects.bulk_create(
        Team(name=f"Bench team {n:02d}", slug=f"bench-team-{n:02d}") for n in range(24)
    )
    calendar = Calendar.objects.always()
    contract = Contract.objects.create(
        slug="bench", title="Bench", scope="Bench", leader=leader, status="active"
    )
    created = Seam.objects.bulk_create(
        Seam(
            name=f"Bench seam {n:03d}",
            slug=f"bench-{n:03d}",
            from_team=teams[n % 24],
            to_team=teams[(n * 7 + 1 + n // 48) % 24]
            if (n * 7 + 1 + n // 48) % 24 != n % 24
            else teams[(n + 1) % 24],
            calendar=calendar,
            status="active",
        )
        for n in range(seams)
    )
    HandoffSpec.objects.bulk_create(HandoffSpec(seam=s, owner=leader) for s in created)
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
            # Mostly on target: about one seam in six red, a third amber.
            queue_time_p85_hours=Decimal(8 + (n * 7 + i * 3) % 22),
            sla_breach_rate=Decimal((n * 13 + i) % 14) / 100,
            rework_rate=Decimal((n * 3 + i) % 17) / 100,
            decision_latency_p85_hours=Decimal(20 + n % 40),
            escalations=(n + i) % 3,
            sla_breaches=(n + i) % 5,
            rag={"queue_time_p85_hours": "red"} if n % 3 == 0 else {},
        )
        for n, s in enumerate(created)
        for i, m in enumerate(months)
    )
    now = timezone.now()
    Decision.objects.bulk_create(
        Decision(
            question=f"Bench question {n}",
            decision_type="Scope",
            seam=created[n * 7],
            requested_by=leader,
            decider=leader,
            requested_at=now - timedelta(days=10),
            due_at=now + timedelta(days=n - 10),
        )
        for n in range(30)
    )
    Constraint.objects.bulk_create(
        Constraint(description=f"Bench constraint {n}", owner=leader, seam=created[n * 11])
        for n in range(15)
    )
    Escalation.objects.bulk_create(
        Escalation(
            seam=created[n % 40],
            summary=f"Bench escalation {n}",
            cause=Escalation.Cause.values[n % 6],
            raised_at=max(now - timedelta(hours=n), engine.month_bounds(months[0])[0]),
        )
        for n in range(60)
    )
    earlier = Review.objects.create(month=months[2], started_by=leader, status="closed")
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            review=earlier,
            seam=created[n * 3],
            title=f"Bench action {n}",
            owner=leader,
            due_on=months[1],
            metric="queue_time_p85_hours",
            baseline=Decimal(30),
            created_by=leader,
        )
        for n in range(8)
    )
    return leader


def median_ms(client: Client, url: str) -> tuple[float, int]:
    timings = []
    for run in range(WARMUP + RUNS):
        started = time.perf_counter()
        # Over HTTPS, as production serves it: plain HTTP only gets the redirect.
        response = client.get(url, secure=True)
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
        leader = build(args.seams)
        client = Client()
        # Signed in without the login form: the lockout backend only authenticates a request.
        client.force_login(leader)
        ours, size = median_ms(client, "/review/")
        statuses = Counter(row.status for row in dashboard.build(engine.current_month()).rows)
        floor, _ = median_ms(client, "/bench-trivial/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/review/", secure=True)
        transaction.set_rollback(True)
    ratio = ours / floor
    print(
        f"dashboard at {args.seams} seams: {ours:.1f} ms "
        f"({size / 1024:.0f} kB, {len(queries)} queries)"
    )
    print(f"seams: {statuses['red']} red, {statuses['amber']} amber, {statuses['green']} green")
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
