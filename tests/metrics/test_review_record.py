"""The review record's rules: only leaders hold reviews; owners update their own actions;
an action remembers its metric's value when agreed and later gets a verdict."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from metrics import engine, reviews
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review, RootCause

MONTH = engine.previous_month(engine.current_month())


@pytest.fixture
def review(leader):
    return reviews.start_review(month=MONTH, contract=None, by=leader)


def test_only_leaders_hold_reviews(owner, ops, leader):
    for person in (owner, ops):
        with pytest.raises(reviews.ReviewRefused, match="Only leaders"):
            reviews.start_review(month=MONTH, contract=None, by=person)
    first = reviews.start_review(month=MONTH, contract=None, by=leader)
    assert reviews.start_review(month=MONTH, contract=None, by=leader) == first  # one per scope


def test_a_review_records_causes_and_actions_until_it_is_closed(review, leader, owner, seam):
    MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, queue_time_p85_hours=Decimal("41.6"))
    reviews.record_root_cause(review=review, seam=seam, text="No sample payload", by=leader)
    reviews.record_root_cause(review=review, seam=seam, text="Intake skips the DoR", by=leader)
    assert RootCause.objects.get().text == "Intake skips the DoR"  # one per seam, updated
    action = reviews.add_action(
        review=review,
        seam=seam,
        title="Require the payload",
        owner=owner,
        due_on=dt.date.today() + dt.timedelta(days=14),
        metric="queue_time_p85_hours",
        by=leader,
    )
    assert action.baseline == Decimal("41.6000")
    with pytest.raises(reviews.ReviewRefused, match="Only leaders"):
        reviews.record_root_cause(review=review, seam=seam, text="x", by=owner)
    with pytest.raises(reviews.ReviewRefused, match="before the review"):
        reviews.add_action(
            review=review,
            seam=seam,
            title="Late",
            owner=owner,
            due_on=dt.date(2000, 1, 1),
            metric="queue_time_p85_hours",
            by=leader,
        )
    reviews.close_review(review=review, by=leader, notes="Agreed: payload first.")
    with pytest.raises(reviews.ReviewRefused, match="closed"):
        reviews.record_root_cause(review=review, seam=seam, text="x", by=leader)


def test_owners_update_their_own_actions_and_nobody_elses(review, leader, owner, other_owner, seam):
    action = reviews.add_action(
        review=review,
        seam=seam,
        title="Require the payload",
        owner=owner,
        due_on=dt.date.today() + dt.timedelta(days=7),
        metric="rework_rate",
        by=leader,
    )
    with pytest.raises(reviews.ReviewRefused, match="owner or a leader"):
        reviews.update_action(action=action, status="done", by=other_owner)
    reviews.update_action(action=action, status="done", by=owner)
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("done", dt.date.today())


@pytest.mark.parametrize(
    ("metric", "baseline", "latest", "target", "expected"),
    [
        ("queue_time_p85_hours", "27.5", "41.6", "24", "not moved"),
        ("queue_time_p85_hours", "88", "71", "40", "partly"),  # 17 of a 48 h gap
        ("queue_time_p85_hours", "46", "26", "24", "moved"),  # more than half the gap
        ("sla_breach_rate", "0.31", "0.00", "0.10", "moved"),  # reached the target
        ("throughput", "20", "30", "40", "moved"),  # higher is better: half the gap closed
        ("queue_time_p85_hours", "46", None, "24", "too early"),
        ("rework_rate", "0.2", "0.2", None, "not moved"),
    ],
)
def test_verdicts(metric, baseline, latest, target, expected):
    action = CorrectiveAction(metric=metric, baseline=Decimal(baseline))
    target = None if target is None else Decimal(target)
    assert reviews.verdict(action, latest and Decimal(latest), target) == expected


def test_the_review_page_flow_for_a_leader_and_what_others_may_do(
    leader_client, owner_client, seam, leader, owner
):
    MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, rag={"wip_open": "red"})
    response = leader_client.post(reverse("metrics:review-start"), {"month": f"{MONTH:%Y-%m}"})
    review = Review.objects.get()
    assert response["Location"] == reverse("metrics:review-record", args=[review.pk])
    assert (
        owner_client.post(reverse("metrics:review-start"), {"month": f"{MONTH:%Y-%m}"}).status_code
        == 403
    )
    url = reverse("metrics:review-add-action", args=[review.pk, seam.slug])
    bad = leader_client.post(url, {"title": "x", "metric": "rework_rate", "due_on": "soon"})
    assert bad.status_code == 400
    assert "Give the due date as YYYY-MM-DD." in bad.content.decode()
    assert not CorrectiveAction.objects.exists()
    due = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    leader_client.post(
        url, {"title": "Pair on intake", "owner": owner.pk, "due_on": due, "metric": "rework_rate"}
    )
    action = CorrectiveAction.objects.get()
    page = owner_client.get(reverse("metrics:actions")).content.decode()
    assert "Pair on intake" in page
    assert 'name="status"' in page
    owner_client.post(reverse("metrics:actions"), {"action": action.pk, "status": "done"})
    assert CorrectiveAction.objects.get().status == "done"
    leader_client.post(reverse("metrics:review-close", args=[review.pk]), {"notes": "Done"})
    assert Review.objects.get().status == "closed"


def test_judge_reads_the_latest_full_month_against_the_target(leader, owner, seam):
    from contracts.models import Contract, ContractSeam, MetricTarget

    agreed = engine.previous_month(MONTH)  # a full month has ended since
    review = reviews.start_review(month=agreed, contract=None, by=leader)
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    MetricTarget.objects.create(
        contract=contract, seam=seam, metric="sla_breach_rate", target=Decimal(10)
    )
    MonthlySeamMetrics.objects.create(seam=seam, month=agreed, sla_breach_rate=Decimal("0.31"))
    action = reviews.add_action(
        review=review,
        seam=seam,
        title="Triage rota",
        owner=owner,
        due_on=dt.date.today() + dt.timedelta(days=3),
        metric="sla_breach_rate",
        by=leader,
    )
    MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, sla_breach_rate=Decimal("0.15"))
    reviews.judge([action])
    # 31 % to 15 % against a 10 % target: 16 of the 21 points closed.
    assert (action.latest, action.verdict) == (Decimal("0.1500"), "moved")


def test_a_refused_form_goes_back_to_its_own_page_and_never_elsewhere(leader_client, seam):
    MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, rag={"wip_open": "red"})
    leader_client.post(reverse("metrics:review-start"), {"month": f"{MONTH:%Y-%m}"})
    review = Review.objects.get()
    url = reverse("metrics:review-add-action", args=[review.pk, seam.slug])
    record = "http://testserver" + reverse("metrics:review-record", args=[review.pk])
    body = {"title": "x", "metric": "rework_rate", "due_on": "soon"}
    for referer, back in [
        (record, record),
        ("https://evil.example/phish", reverse("metrics:review")),
        ("", reverse("metrics:review")),
    ]:
        page = leader_client.post(url, body, headers={"Referer": referer}).content.decode()
        assert f'<a class="button" href="{back}">Go back</a>' in page
