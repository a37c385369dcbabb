"""The review meeting's page: "Should move" starts on the seam's worst red (else amber)
targeted metric, an action's baseline shows in its unit, and the root cause shows once."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractSeam, MetricTarget
from decisions.models import Escalation
from metrics import dashboard, engine, reviews
from metrics.models import CorrectiveAction, MonthlySeamMetrics
from tests.factories import SeamFactory

MONTH = engine.month_under_review()
CAUSE = "Requests arrive without a sample payload"


@pytest.fixture
def contract(leader):
    return Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )


def seam_with(contract, name: str, **metrics):
    """A seam under the contract; each metric given as (target, this month's value)."""
    seam = SeamFactory(name=name)
    ContractSeam.objects.create(contract=contract, seam=seam)
    values = {}
    for metric, (target, value) in metrics.items():
        direction = "higher" if metric == "throughput" else "lower"
        MetricTarget.objects.create(
            contract=contract, seam=seam, metric=metric, target=target, direction=direction
        )
        values[metric] = Decimal(value) if "." in value else int(value)
    MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, **values)
    return seam


@pytest.fixture
def seams(contract):
    return {
        # Two reds: queue time 73 % past its target, rework five times its 10 %.
        "rework_rate": seam_with(
            contract,
            "Two reds",
            queue_time_p85_hours=(24, "41.6"),
            rework_rate=(10, "0.5"),
            escalations=(10, "11"),  # amber: red wins
        ),
        # Amber only: queue time 17 % over, decision latency 15 % over.
        "queue_time_p85_hours": seam_with(
            contract,
            "Amber only",
            queue_time_p85_hours=(24, "28.0"),
            decision_latency_p85_hours=(10, "11.5"),
        ),
        # Higher is better: throughput 80 % short of its target beats queue time 25 % over.
        "throughput": seam_with(
            contract, "Short of work", queue_time_p85_hours=(24, "30.0"), throughput=(10, "2")
        ),
    }


def meeting(client, review) -> str:
    response = client.get(reverse("metrics:review-record", args=[review.pk]))
    assert response.status_code == 200
    return response.content.decode()


def block(page: str, seam) -> str:
    return page.split(f'id="seam-{seam.slug}"', 1)[1].split('<div class="review-seam"', 1)[0]


def test_should_move_starts_on_the_worst_red_else_amber_metric(leader_client, leader, seams):
    review = reviews.start_review(month=MONTH, contract=None, by=leader)
    page = meeting(leader_client, review)
    for metric, seam in seams.items():
        selected = re.findall(r'<option value="([a-z0-9_]+)" selected>', block(page, seam))
        assert selected == [metric], seam.name
    rows = {r.seam.name: r for r in dashboard.build(MONTH).rows}
    assert rows["Two reds"].worst_metric == "rework_rate"
    assert rows["Amber only"].worst_metric == "queue_time_p85_hours"
    assert rows["Short of work"].worst_metric == "throughput"


def test_a_seam_only_green_or_untargeted_has_no_worst_metric(contract):
    seam_with(contract, "Calm", queue_time_p85_hours=(24, "10.0"))
    SeamFactory(name="Loose")
    assert [r.worst_metric for r in dashboard.build(MONTH).rows] == [None, None]


def test_the_baseline_shows_in_its_unit(leader_client, leader, seams):
    review = reviews.start_review(month=MONTH, contract=None, by=leader)
    seam = seams["rework_rate"]
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    for title, metric in (
        ("Require the payload", "rework_rate"),
        ("Triage", "queue_time_p85_hours"),
    ):
        form = {"title": title, "owner": leader.pk, "due_on": due, "metric": metric}
        response = leader_client.post(
            reverse("metrics:review-add-action", args=[review.pk, seam.slug]), form
        )
        assert response.status_code == 302, response.content.decode()[-600:]
    assert sorted(CorrectiveAction.objects.values_list("metric", "baseline")) == [
        ("queue_time_p85_hours", Decimal("41.6000")),
        ("rework_rate", Decimal("0.5000")),
    ]
    lines = block(meeting(leader_client, review), seam)
    assert "should move rework rate (from 50 %)" in lines
    assert "should move queue time p85 (from 41.6 h)" in lines
    assert "(from 0.50)" not in lines


def test_the_root_cause_shows_once_beside_what_the_data_says(leader_client, leader, seams):
    seam = seams["rework_rate"]
    start, _ = engine.month_bounds(MONTH)
    Escalation.objects.create(seam=seam, summary="x", cause="missing_inputs", raised_at=start)
    review = reviews.start_review(month=MONTH, contract=None, by=leader)
    url = reverse("metrics:review-root-cause", args=[review.pk, seam.slug])
    partial = leader_client.post(url, {"text": CAUSE}, HTTP_HX_REQUEST="true").content.decode()
    for html in (partial, block(meeting(leader_client, review), seam)):
        shown = re.sub(r'value="[^"]*"', "", html)  # the edit field's value is not shown text
        assert shown.count(CAUSE) == 1
        assert f'<span class="cause-text">{CAUSE}</span>' in html
        assert "The data says: 1 escalation: missing inputs" in html
        assert "<summary>Change the root cause</summary>" in html  # the edit field, folded
    # On the review itself, the seam's row gives the recorded cause once, as its why.
    page = leader_client.get(reverse("metrics:review")).content.decode()
    assert page.count(CAUSE) == 1
    assert "Root cause</span> " + CAUSE in page
