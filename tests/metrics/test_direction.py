"""Direction (DESIGN.md): which way each metric is better decides its RAG, its delta's colour
and the words around it; an arrow only says which way the value moved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import catalogue
from contracts.models import Contract, ContractSeam, MetricTarget
from metrics import dashboard, engine, review_table
from metrics.dashboard import Tile
from metrics.models import MonthlySeamMetrics
from tests.factories import SeamFactory

MONTH = engine.month_under_review()


def goal(metric: str, target: str, direction: str | None = None) -> engine.Goal:
    direction = direction or catalogue.BY_NAME[metric].better
    return engine.Goal(metric, Decimal(target), direction, Decimal(20))


def tile(metric: str, delta: str | None, value="10", target: engine.Goal | None = None) -> Tile:
    label = catalogue.BY_NAME[metric].label
    return Tile(metric, label, Decimal(value), target, "none", delta and Decimal(delta))


@pytest.mark.parametrize(
    ("metric", "delta", "text", "trend"),
    [
        # Lower is better: up is worse, down is better.
        ("queue_time_p85_hours", "14.1", "↑ 14.1 h", "worse"),
        ("queue_time_p85_hours", "-4", "↓ 4.0 h", "better"),
        ("escalations", "2", "↑ 2", "worse"),
        ("sla_breach_rate", "-12", "↓ 12 pts", "better"),  # rates change in points
        ("sla_breach_rate", "0.5", "↑ 0.5 pts", "worse"),
        # Higher is better: up is better, down is worse.
        ("throughput", "5", "↑ 5", "better"),
        ("throughput", "-3", "↓ 3", "worse"),
        ("dependencies_on_time", "1", "↑ 1", "better"),
        ("throughput", "0", "– 0", "same"),
    ],
)
def test_arrows_show_the_move_and_colours_the_direction(metric, delta, text, trend):
    t = tile(metric, delta)
    assert (t.delta_text, t.trend) == (text, trend)
    cell = str(review_table._delta(t))
    assert f'class="delta delta-{trend}"' in cell
    better = "higher" if catalogue.BY_NAME[metric].better == catalogue.HIGHER else "lower"
    words = {"better": "better", "worse": "worse", "same": "no change"}[trend]
    assert f"({words}, {better} is better)" in cell  # said, not only coloured


@pytest.mark.parametrize(
    ("metric", "value", "status"),
    [
        ("queue_time_p85_hours", "20", "green"),
        ("queue_time_p85_hours", "24", "green"),  # on target is on the better side
        ("queue_time_p85_hours", "28", "amber"),  # within 20 % over
        ("queue_time_p85_hours", "29", "red"),
        ("throughput", "30", "green"),
        ("throughput", "24", "green"),
        ("throughput", "20", "amber"),  # within 20 % under
        ("throughput", "19", "red"),
    ],
)
def test_rag_follows_the_direction(metric, value, status):
    target = goal(metric, "24")
    assert dashboard.judge(Decimal(value), target, provisional=False) == status
    assert tile(metric, None, value, target).target_text == (
        "≥ 24" if metric == "throughput" else "≤ 24 h"
    )


def test_a_month_still_running_leaves_higher_is_better_counts_in_progress():
    assert dashboard.judge(Decimal(2), goal("throughput", "24"), provisional=True) == "progress"
    assert dashboard.judge(None, goal("throughput", "24"), provisional=True) == "progress"
    # Lower-is-better values are judged as they stand: a month can only add to them.
    assert dashboard.judge(Decimal(40), goal("escalations", "4"), provisional=True) == "red"
    assert dashboard.judged_at_month_end("dependencies_on_time")
    assert not dashboard.judged_at_month_end("sla_breach_rate")


def test_the_words_name_each_direction():
    assert dashboard.direction_text(["queue_time_p85_hours", "throughput"]) == (
        "Lower is better for queue time p85; higher is better for throughput."
    )
    assert dashboard.direction_text(dashboard.TILES) == (
        "Lower is better for queue time p85, SLA breach rate, rework rate, decision latency p85"
        " and escalations."
    )
    assert dashboard.direction_text(["throughput", "dependencies_on_time"]) == (
        "Higher is better for throughput and dependencies on time."
    )


@pytest.fixture
def reviewed(leader):
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )
    seam = SeamFactory(name="Sore seam")
    ContractSeam.objects.create(contract=contract, seam=seam)
    for metric, target, direction in (
        ("queue_time_p85_hours", 24, "lower"),
        ("throughput", 10, "higher"),
    ):
        MetricTarget.objects.create(
            contract=contract, seam=seam, metric=metric, target=target, direction=direction
        )
    for month, queue, done in ((engine.previous_month(MONTH), "30", 12), (MONTH, "20", 6)):
        MonthlySeamMetrics.objects.create(
            seam=seam, month=month, queue_time_p85_hours=Decimal(queue), throughput=done
        )
    return seam


def test_no_page_says_lower_is_better_for_every_metric(leader_client, reviewed):
    pages = [
        leader_client.get(reverse("metrics:review")),
        leader_client.get(reverse("metrics:review"), {"pack": "1"}),
        leader_client.get(reverse("metrics:month")),
    ]
    for response in pages:
        page = response.content.decode()
        assert "every metric" not in page.lower()
    review, pack, month = (r.content.decode() for r in pages)
    assert "Lower is better for queue time p85, SLA breach rate" in review
    assert "red when it is worse and green when it is better" in review
    assert "red when worse, green when better, by each metric's direction" in pack
    assert "throughput and dependencies on time are better higher" in month
    # The queue time fell from 30 to 20 h: down, and better (green), since lower is better.
    assert '<span class="delta delta-better">↓ 10.0 h' in review
    # Throughput fell from 12 to 6 against at least 10: red, since higher is better.
    assert "Throughput 6, target ≥ 10" in review
    row = dashboard.build(MONTH).rows[0]
    assert (row.status, row.judged) == (
        "red",
        {"queue_time_p85_hours": "green", "throughput": "red"},
    )
