"""The review page around its table: status segments and pages, the agenda's two lists, the
last review's actions judged, the month's escalation Pareto, the CSV and the review pack."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractSeam, MetricTarget
from decisions.models import Constraint, Decision, Escalation
from metrics import dashboard, engine, reviews
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review
from tests.factories import SeamFactory

MONTH = engine.month_under_review()  # what the review opens on: the last full month


@pytest.fixture
def contract(leader):
    return Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )


def targeted(contract, name: str, breach_rate: str, **seam):
    """A seam under the contract targeted at a 10 % breach rate, with this month's rate."""
    seam = SeamFactory(name=name, **seam)
    ContractSeam.objects.create(contract=contract, seam=seam)
    MetricTarget.objects.create(
        contract=contract, seam=seam, metric="sla_breach_rate", target=Decimal(10)
    )
    MonthlySeamMetrics.objects.create(
        seam=seam, month=MONTH, sla_breach_rate=Decimal(breach_rate), sla_breaches=2
    )
    return seam


def review_page(client, **params) -> str:
    return client.get(reverse("metrics:review"), params).content.decode()


def table(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_status_segments_filter_the_table_and_pages_keep_the_filter(
    leader_client, contract, monkeypatch
):
    monkeypatch.setattr(dashboard, "PER_PAGE", 2)
    for n in range(3):
        targeted(contract, f"Red {n}", "0.5")
    targeted(contract, "Amber 0", "0.11")
    targeted(contract, "Green 0", "0.02")

    page = review_page(leader_client)
    assert table(page).count('<th scope="row">') == 2  # a page, the worst first
    assert "Red 0" in table(page)
    assert "Red 1" in table(page)
    assert "Page 1 of 3" in page
    assert 'Red <span class="count">3</span>' in page  # the segments count every seam

    red = review_page(leader_client, status="red", page=2)
    assert [n for n in ("Red 0", "Red 1", "Red 2", "Amber 0") if n in table(red)] == ["Red 2"]
    assert "status=red&amp;page=1" in red  # the pager keeps the filter

    green = review_page(leader_client, status="green")
    assert "Green 0" in table(green)
    assert "Red 0" not in table(green)
    # The summary strip counts every seam whatever the filter.
    assert '<span class="kpi">3</span> of 5 seams red' in green

    bad = leader_client.get(reverse("metrics:review"), {"status": "purple"})
    assert bad.status_code == 400
    assert "not a status to filter by" in bad.content.decode()

    pack = review_page(leader_client, pack=1)  # the review pack: every seam, one page
    assert table(pack).count('<th scope="row">') == 5
    assert "Page 1 of" not in pack


# Long: one agenda built by hand, then read in the order the panel shows it.
def test_the_agenda_panel_lists_decisions_overdue_first_and_constraints_on_red_seams_first(
    leader_client, contract, leader
):
    sore = targeted(contract, "Sore seam", "0.5")
    calm = targeted(contract, "Calm seam", "0.02")
    now = timezone.now()

    def ask(question, due):
        return Decision.objects.create(
            question=question,
            decision_type="Scope",
            seam=sore,
            requested_by=leader,
            decider=leader,
            due_at=due,
        )

    ask("Later question", now + dt.timedelta(days=3))
    ask("Oldest overdue question", now - dt.timedelta(days=6, hours=1))
    ask("Newer overdue question", now - dt.timedelta(days=1, hours=1))
    Decision.objects.create(
        question="Decided already",
        decision_type="Scope",
        seam=sore,
        requested_by=leader,
        decider=leader,
        status="decided",
        requested_at=now - dt.timedelta(days=2),
        decided_at=now - dt.timedelta(days=1),
    )
    today = timezone.localdate()
    Constraint.objects.create(
        description="Old constraint on a calm seam",
        owner=leader,
        seam=calm,
        raised_at=today - dt.timedelta(days=40),
    )
    Constraint.objects.create(
        description="Constraint on the red seam",
        owner=leader,
        seam=sore,
        raised_at=today - dt.timedelta(days=5),
    )

    page = review_page(leader_client)
    panel = page.split('id="to-decide"', 1)[1].split("</section>", 1)[0]
    order = ["Oldest overdue question", "Newer overdue question", "Later question"]
    assert sorted(order, key=panel.index) == order
    assert "Decided already" not in panel
    assert "Overdue 6 d" in panel
    assert '<span class="count">3</span>' in panel
    assert '<span class="kpi">2</span> overdue' in page  # the summary strip agrees
    assert "Oldest 6 days past due · 1 due this week" in page

    constraints = page.split('id="to-remove"', 1)[1].split("</section>", 1)[0]
    assert constraints.index("Constraint on the red seam") < constraints.index(
        "Old constraint on a calm seam"
    )
    assert ">40 d<" in constraints


def test_the_last_reviews_actions_are_judged_against_the_latest_full_month(
    leader_client, leader, owner, seam
):
    before = engine.previous_month(MONTH)
    for month, value in ((before, "40"), (MONTH, "20")):
        MonthlySeamMetrics.objects.create(
            seam=seam, month=month, queue_time_p85_hours=Decimal(value)
        )
    review = reviews.start_review(month=before, contract=None, by=leader)
    Review.objects.filter(pk=review.pk).update(held_on=engine.next_month(before))
    review.refresh_from_db()
    action = reviews.add_action(
        review=review,
        seam=seam,
        title="Second owner for triage",
        owner=owner,
        due_on=review.held_on + dt.timedelta(days=7),
        metric="queue_time_p85_hours",
        by=leader,
    )
    # The month under review's own review is too early to judge: the panel follows the one before.
    later = reviews.start_review(month=MONTH, contract=None, by=leader)
    CorrectiveAction.objects.create(
        review=later,
        seam=seam,
        title="Too early to tell",
        owner=owner,
        due_on=timezone.localdate(),
        metric="queue_time_p85_hours",
        created_by=leader,
    )

    page = review_page(leader_client)
    panel = page.split('id="moved"', 1)[1].split("</section>", 1)[0]
    assert f"Did {before:%B}'s corrective actions move anything?" in panel
    assert "Second owner for triage" in panel
    assert "Too early to tell" not in panel
    assert "40.0 h → <strong>20.0 h</strong>" in panel
    assert action.baseline == Decimal("40")
    assert ">Partly<" in panel  # better, with no target to judge the gap by


def test_the_months_escalation_pareto_counts_only_this_month_in_scope(leader_client, contract):
    sore = targeted(contract, "Sore seam", "0.5")
    outside = SeamFactory(name="Outside seam")
    start, _end = engine.month_bounds(MONTH)
    for seam, cause, when in (
        (sore, "missing_inputs", start + dt.timedelta(hours=1)),
        (sore, "missing_inputs", start + dt.timedelta(hours=2)),
        (sore, "sla_breach", start + dt.timedelta(hours=3)),
        (sore, "sla_breach", start - dt.timedelta(days=2)),  # last month
        (outside, "other", start + dt.timedelta(hours=1)),  # not the contract's
    ):
        Escalation.objects.create(seam=seam, summary="x", cause=cause, raised_at=when)

    page = review_page(leader_client, contract="launch")
    panel = page.split('id="pareto"', 1)[1].split("</section>", 1)[0]
    assert "3 escalations, by cause and by seam" in panel
    everyone = review_page(leader_client).split('id="pareto"', 1)[1]
    assert "4 escalations" in everyone


def test_the_month_exports_as_csv_worst_first_with_targets_and_the_why(leader_client, contract):
    targeted(contract, "Calm seam", "0.02")
    targeted(contract, "Sore seam", "0.5")
    response = leader_client.get(
        reverse("metrics:review-export"), {"month": f"{MONTH:%Y-%m}", "contract": "launch"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"seam-review-{MONTH:%Y-%m}-launch.csv" in response["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(b"".join(response).decode().lstrip("\ufeff"))))
    assert [(line["seam"], line["status"]) for line in lines] == [
        ("sore-seam", "red"),
        ("calm-seam", "green"),
    ]
    assert (lines[0]["sla_breach_rate"], lines[0]["sla_breach_rate_target"]) == ("0.5000", "10.00")
    assert lines[0]["sla_breach_rate_status"] == "red"

    bad = leader_client.get(reverse("metrics:review-export"), {"month": "2020-13"})
    assert bad.status_code == 400
