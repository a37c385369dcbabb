"""A contract's month as the review shows it, built straight from rows (snapshots, targets, the
agenda, the last review's actions) so that browser tests of the pack and the phone stay fast."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page

from contracts.models import Contract, ContractSeam, MetricTarget
from decisions.models import Constraint, Decision
from metrics import engine
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review
from seams.models import Seam
from tests.factories import PASSWORD, CalendarFactory, TeamFactory, UserFactory

TEAMS = ["Sales", "Product", "Engineering", "Security", "Operations", "Legal", "Finance"]
# metric: (target, a green value, an amber value, a red value)
TILES = {
    "queue_time_p85_hours": (24, "14", "27", "41.6"),
    "sla_breach_rate": (10, "0.04", "0.11", "0.30"),  # targets in %, rates as fractions
    "rework_rate": (15, "0.08", "0.17", "0.19"),
    "decision_latency_p85_hours": (48, "20", "52", "78"),
    "escalations": (2, "0", "2", "4"),
}
# Of every ten seams three are red, three amber and four green (as in the mockups).
ROTATION = ["red", "red", "amber", "green", "amber", "red", "green", "green", "amber", "green"]


# Long: the review's contract written out as the journeys see it, one seam after another.
def review_contract(n: int, *, month: dt.date, leader) -> Contract:
    """An active contract over `n` seams with the five review metrics targeted, `month`'s and the
    month before's snapshots, four overdue decisions, three constraints, and five actions agreed
    at the review two months back, so that every panel of the pack is full."""
    contract = Contract.objects.create(
        slug="enterprise-launch",
        title="Enterprise Launch FY26",
        scope="Launch",
        leader=leader,
        status="active",
    )
    teams = [TeamFactory(name=name) for name in TEAMS]
    calendar = CalendarFactory()
    seams = Seam.objects.bulk_create(
        Seam(
            name=f"Seam {i + 1:03d} intake",
            slug=f"seam-{i + 1:03d}",
            from_team=teams[i % len(teams)],
            to_team=teams[(i + 1 + (i // len(teams)) % (len(teams) - 1)) % len(teams)],
            calendar=calendar,
        )
        for i in range(n)
    )
    ContractSeam.objects.bulk_create(ContractSeam(contract=contract, seam=s) for s in seams)
    MetricTarget.objects.bulk_create(
        MetricTarget(contract=contract, seam=s, metric=metric, target=Decimal(target))
        for s in seams
        for metric, (target, *_values) in TILES.items()
    )
    level = {"green": 0, "amber": 1, "red": 2}
    previous = engine.previous_month(month)
    MonthlySeamMetrics.objects.bulk_create(
        MonthlySeamMetrics(
            seam=s,
            month=when,
            sla_breaches=3,
            **{
                metric: Decimal(values[level[ROTATION[(i + shift) % len(ROTATION)]]])
                for metric, (_target, *values) in TILES.items()
            },
        )
        for i, s in enumerate(seams)
        for when, shift in ((month, 0), (previous, 1))
    )
    now = timezone.now()
    for days, question in enumerate(
        [
            "Who scopes custom integrations before Sales commits a date?",
            "Accept residual pen-test risk for the EU launch, or slip two weeks?",
            "Let deal desk approve discounts up to 25% without the CFO?",
            "Fund two more staging environments for pilots?",
        ]
    ):
        Decision.objects.create(
            question=question,
            decision_type="Scope",
            seam=seams[days % n],
            requested_by=leader,
            decider=leader,
            due_at=now - dt.timedelta(days=6 - days, hours=1),
        )
    for days, description in (
        (41, "One security reviewer signs off every release"),
        (23, "60% of integration requests still arrive by Slack DM"),
        (12, "Staging capped at 6 environments by budget"),
    ):
        Constraint.objects.create(
            description=description,
            owner=leader,
            seam=seams[days % n],
            raised_at=timezone.localdate() - dt.timedelta(days=days),
        )
    before = engine.previous_month(previous)
    earlier = Review.objects.create(
        month=before, contract=contract, held_on=previous + dt.timedelta(days=8), started_by=leader
    )
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            review=earlier,
            seam=seams[i % n],
            title=title,
            owner=leader,
            due_on=previous + dt.timedelta(days=20),
            metric="queue_time_p85_hours",
            created_by=leader,
        )
        for i, title in enumerate(
            [
                "Redline template library and 48 h triage rota",
                "Publish discount matrix; deal desk approves ≤ 20%",
                "Add a second reviewer for security sign-offs",
                "Enforce the definition-of-ready checklist at intake",
                "Self-service environment templates",
            ]
        )
    )
    return contract


def a_leader():
    return UserFactory(username="lena", first_name="Lena", last_name="Leader", roles=["leader"])


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def shots(tmp_path) -> Path:
    """Where the journeys save screenshots: SEAMLINE_SCREENSHOTS (docs/screenshots holds the
    README's), else the test's own directory."""
    folder = Path(os.environ.get("SEAMLINE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def at(day: int) -> dt.datetime:
    """9:30 on a day of March 2026, in the organisation's time zone."""
    return dt.datetime(2026, 3, day, 9, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))
