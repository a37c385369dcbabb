"""Every page of the monthly review opens on the month under review (the last full month),
whatever day of the current one it is; the current month can be chosen and runs "so far", its
values provisional and its higher-is-better counts in progress, never red (DESIGN.md)."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contracts.models import Contract, ContractSeam, MetricTarget
from metrics import dashboard
from metrics.models import MonthlySeamMetrics, Review
from tests.factories import SeamFactory

NOVEMBER, DECEMBER, OCTOBER = date(2026, 11, 1), date(2026, 12, 1), date(2026, 10, 1)
DAYS = [1, 3, 28]  # the first day of the month, early in it, late in it


@pytest.fixture
def seams(leader):
    """Two seams under a contract: "Sore" targeted on queue time p85 and throughput, "Busy"
    on throughput alone (below target in every month, and stored red)."""
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )
    sore, busy = SeamFactory(name="Sore seam"), SeamFactory(name="Busy seam")
    for seam, metric, value, direction in (
        (sore, "queue_time_p85_hours", 24, "lower"),
        (sore, "throughput", 10, "higher"),
        (busy, "throughput", 10, "higher"),
    ):
        ContractSeam.objects.get_or_create(contract=contract, seam=seam)
        MetricTarget.objects.create(
            contract=contract, seam=seam, metric=metric, target=Decimal(value), direction=direction
        )
    for month, queue in ((OCTOBER, "30"), (NOVEMBER, "41.6"), (DECEMBER, "50")):
        MonthlySeamMetrics.objects.create(
            seam=sore,
            month=month,
            queue_time_p85_hours=Decimal(queue),
            throughput=4,
            rag={"queue_time_p85_hours": "red", "throughput": "red"},
        )
        MonthlySeamMetrics.objects.create(
            seam=busy, month=month, throughput=3, rag={"throughput": "red"}
        )
    return sore, busy


def at(day: int):
    return time_machine.travel(datetime(2026, 12, day, 9, tzinfo=UTC), tick=False)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


@pytest.mark.parametrize("day", DAYS)
def test_the_review_its_pack_and_csv_open_on_the_last_full_month(leader, seams, day):
    with at(day):
        client = signed_in(leader)
        page = text(client.get(reverse("metrics:review")))
        assert '<span class="review-month">November 2026</span></h1>' in page
        assert "so far" not in page
        assert "provisional" not in page.lower()
        assert "41.6" in page  # November's queue time, not December's 50
        assert '<input type="hidden" name="month" value="2026-11">' in page  # the meeting's

        pack = text(client.get(reverse("metrics:review"), {"pack": "1"}))
        assert '<span class="review-month">November 2026</span>' in pack

        response = client.get(reverse("metrics:review-export"))
        assert "seam-review-2026-11-all-seams.csv" in response["Content-Disposition"]
        rows = list(
            csv.DictReader(
                io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))
            )
        )
        sore = next(r for r in rows if r["seam"] == seams[0].slug)
        assert (sore["queue_time_p85_hours"], sore["status"]) == ("41.6000", "red")


@pytest.mark.parametrize("day", DAYS)
def test_the_metrics_page_and_its_csv_open_on_the_last_full_month(leader, seams, day):
    with at(day):
        client = signed_in(leader)
        page = text(client.get(reverse("metrics:month")))
        assert "Seam metrics · November 2026</h1>" in page
        assert "so far" not in page
        assert 'href="?month=2026-12" rel="next"' in page  # the current month, one pick away
        response = client.get(reverse("metrics:export"))
        assert 'filename="seam-metrics-2026-11.csv"' in response["Content-Disposition"]
        body = b"".join(response.streaming_content).decode()
        assert ",2026-11," in body
        assert ",2026-12," not in body


@pytest.mark.parametrize("day", DAYS)
def test_starting_the_meeting_holds_it_for_the_month_under_review(leader, seams, day):
    with at(day):
        client = signed_in(leader)
        response = client.post(reverse("metrics:review-start"), {"contract": ""})
        review = Review.objects.get()
        assert (review.month, review.contract) == (NOVEMBER, None)
        assert response["Location"] == reverse("metrics:review-record", args=[review.pk])
        # From the current month's page too, the button holds November.
        page = text(client.get(reverse("metrics:review"), {"month": "2026-12"}))
        assert '<input type="hidden" name="month" value="2026-11">' in page
        assert "Open the November review meeting" in page


@pytest.mark.parametrize("day", DAYS)
def test_the_current_month_chosen_runs_so_far_provisional_with_throughput_in_progress(
    leader, seams, day
):
    with at(day):
        client = signed_in(leader)
        page = text(client.get(reverse("metrics:review"), {"month": "2026-12"}))
        assert f'<span class="so-far">so far (day {day} of 31)</span>' in page
        assert "<strong>Provisional.</strong>" in page
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        tiles = body.count('<div class="tile ')
        assert tiles == 2 * len(dashboard.TILES)
        assert body.count('<span aria-hidden="true">provisional</span>') == tiles
        assert body.count("Provisional: the month is not over") == tiles  # for screen readers
        # Throughput, under target, is in progress: neutral, not red.
        assert "Throughput 4 so far, target ≥ 10: in progress" in body
        assert "Throughput 3 so far, target ≥ 10: in progress" in body
        assert "Throughput 4, target" not in body  # not among the off-target reds
        busy_row = body.split('<tr class="review-row review-row-', 2)[2].split("</tr>")[0]
        assert busy_row.startswith("progress")
        assert "Busy seam" in busy_row
        assert "badge-red" not in busy_row
        assert '<span class="badge badge-progress">' in busy_row
        assert "In progress</span>" in busy_row
        review = dashboard.build(DECEMBER)
        assert {r.seam.name: r.status for r in review.rows} == {
            "Sore seam": "red",  # queue time is judged: lower is better, and it's over
            "Busy seam": "progress",
        }
        assert review.counts["red"] == 1

        month = text(client.get(reverse("metrics:month"), {"month": "2026-12"}))
        assert f'<span class="so-far">so far (day {day} of 31)</span>' in month
        assert "<strong>Provisional.</strong>" in month
        assert month.count('<span class="in-progress"> in progress</span>') == 2
        assert '<span class="badge badge-red" title="off target">4</span>' not in month
        # The queue time, lower-is-better, is still judged as it stands.
        assert '<span class="badge badge-red" title="off target">50.0 h</span>' in month


@pytest.mark.parametrize("day", DAYS)
def test_a_past_month_chosen_is_judged_in_full(leader, seams, day):
    with at(day):
        client = signed_in(leader)
        for name in ("metrics:review", "metrics:month"):
            page = text(client.get(reverse(name), {"month": "2026-10"}))
            assert "October 2026" in page
            assert "so far" not in page
            assert "provisional" not in page.lower()
            assert "in progress" not in page
        review = dashboard.build(OCTOBER)
        assert {r.seam.name: r.status for r in review.rows} == {
            "Sore seam": "red",
            "Busy seam": "red",  # throughput 3 against at least 10, the month over
        }
        page = text(client.get(reverse("metrics:review"), {"month": "2026-10"}))
        assert "Throughput 3, target ≥ 10" in page


def test_a_month_yet_to_come_is_refused_and_the_month_under_review_shown(leader, seams):
    with at(3):
        client = signed_in(leader)
        response = client.get(reverse("metrics:review"), {"month": "2027-01"})
        assert response.status_code == 400
        assert "January 2027 hasn&#x27;t started yet." in response.content.decode()
        assert '<span class="review-month">November 2026</span>' in response.content.decode()
