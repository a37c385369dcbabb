"""Fixtures of the initiative forecast's tests: histories built to known distributions."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from contracts.models import Initiative
from decisions.models import Dependency
from seams.models import Handoff
from tests.factories import SeamFactory

TODAY = date(2026, 11, 2)


def at_day(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def launch(leader):
    return Initiative.objects.create(slug="launch", name="The launch", leader=leader)


@pytest.fixture
def make_seam(team, other_team):
    def make(name: str):
        return SeamFactory(name=name, from_team=team, to_team=other_team)

    return make


@pytest.fixture
def history(team, other_team, owner):
    """history(seam, {days: count}): delivered dependencies that took that many days, all
    delivered well before TODAY."""

    def make(seam, durations: dict[int, int], delivered_on: date = TODAY - timedelta(days=40)):
        Dependency.objects.bulk_create(
            Dependency(
                title=f"Past need {days} d",
                consumer=team,
                provider=other_team,
                seam=seam,
                owner=owner,
                needed_by=delivered_on,
                status=Dependency.Status.DELIVERED,
                delivered_at=delivered_on,
                created_at=at_day(delivered_on - timedelta(days=days)),
            )
            for days, count in durations.items()
            for _ in range(count)
        )

    return make


@pytest.fixture
def handoffs(db):
    """handoffs(seam, {days: count}): handoffs completed that many days after submission."""
    made = iter(range(1_000_000))

    def make(seam, durations: dict[int, int], completed_on: date = TODAY - timedelta(days=20)):
        Handoff.objects.bulk_create(
            Handoff(
                seam=seam,
                external_id=f"H-{next(made)}",
                title="Past handoff",
                submitted_at=at_day(completed_on - timedelta(days=days), 9),
                started_at=at_day(completed_on - timedelta(days=days), 11),
                completed_at=at_day(completed_on, 15),
            )
            for days, count in durations.items()
            for _ in range(count)
        )

    return make


@pytest.fixture
def need(launch, team, other_team, owner):
    """need(seam, age=…, needed_in=…): an open dependency of the launch, requested `age` days
    before TODAY and needed `needed_in` days after it."""

    def make(seam, *, age: int, needed_in: int, title: str = "Pricing API", **fields):
        return Dependency.objects.create(
            title=title,
            consumer=team,
            provider=other_team,
            seam=seam,
            owner=owner,
            initiative=launch,
            needed_by=TODAY + timedelta(days=needed_in),
            status=fields.pop("status", Dependency.Status.COMMITTED),
            created_at=at_day(TODAY - timedelta(days=age)),
            **fields,
        )

    return make
