"""Benchmark: the home page for a large organisation (40 teams, 1,000 people).

ours  = median time of a whole signed-in GET / through Django (middleware, queries, template).
floor = median time of the database work the page cannot avoid: the same team, people and
        role queries, run directly.
The ratio is what rendering and the framework add on top of the database; it also catches an
N+1 query creeping in, which multiplies `ours` but not `floor`.

Runs on the database in DATABASE_URL (PostgreSQL in CI). Everything it creates is inside one
transaction that is rolled back at the end, so it leaves nothing behind.
    python bench/home_page.py
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from seams import permissions  # noqa: E402
from seams.models import Membership, Team, User  # noqa: E402

TEAMS, PEOPLE_PER_TEAM, RUNS, WARMUP = 40, 25, 30, 3
TARGET_RATIO = 4.0


def build_organisation() -> User:
    users = User.objects.bulk_create(
        User(
            username=f"bench-{n}",
            first_name=f"First{n}",
            last_name=f"Last{n}",
            job_title="Engineer",
        )
        for n in range(TEAMS * PEOPLE_PER_TEAM)
    )
    teams = Team.objects.bulk_create(
        Team(name=f"Bench team {t:02d}", slug=f"bench-team-{t:02d}", leader=users[t])
        for t in range(TEAMS)
    )
    Membership.objects.bulk_create(
        Membership(
            team=teams[n // PEOPLE_PER_TEAM],
            user=user,
            role="owner" if n % PEOPLE_PER_TEAM == 0 else "member",
        )
        for n, user in enumerate(users)
    )
    return users[-1]


def median_seconds(action) -> float:
    for _ in range(WARMUP):
        action()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Like the test suite: static files from the app folders, without collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    results = {}
    with transaction.atomic():
        viewer = build_organisation()
        client = Client()
        client.force_login(viewer)
        # Over HTTPS, as production serves it: plain HTTP only gets the redirect.
        response = client.get("/", secure=True)
        assert response.status_code == 200, response.status_code
        assert response.content.count(b"team-card") >= TEAMS

        def page() -> None:
            client.get("/", secure=True)

        def database_floor() -> None:
            user = User.objects.get(pk=viewer.pk)
            permissions.access_for(user)
            list(Team.objects.with_people())
            User.objects.filter(memberships__isnull=False).values("pk").distinct().count()

        results["ours"] = median_seconds(page)
        results["floor"] = median_seconds(database_floor)
        transaction.set_rollback(True)  # leave nothing behind

    ratio = results["ours"] / results["floor"]
    print(f"database: {connection.vendor}; {TEAMS} teams, {TEAMS * PEOPLE_PER_TEAM} people")
    print(f"GET / (whole request), median of {RUNS}: {results['ours'] * 1000:.1f} ms")
    print(f"database floor, median of {RUNS}:        {results['floor'] * 1000:.1f} ms")
    print(f"ratio {ratio:.2f} (target ≤ {TARGET_RATIO})")
    print(
        json.dumps(
            {
                "bench": "home_page",
                "ours": round(results["ours"], 5),
                "floor": round(results["floor"], 5),
                "unit": "s",
                "ratio": round(ratio, 2),
                "target": TARGET_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
