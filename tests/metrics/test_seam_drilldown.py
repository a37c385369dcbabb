"""The seam drill-down: its charts draw the stored months with text alternatives, and the page
lists what is open on the seam, in a bounded number of queries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from metrics import charts, engine
from metrics.models import MonthlySeamMetrics
from seams.business_time import clock_hours
from seams.models import Handoff
from tests.conftest import client_for

MONTH = engine.current_month()
REVIEWED = engine.month_under_review()  # what the drill-down opens on


def test_a_line_chart_says_its_latest_values_and_target_and_marks_a_miss():
    months = [engine.previous_month(MONTH), MONTH]
    svg = str(
        charts.line_chart(
            "Queue time",
            months,
            [
                charts.Series("p50", [10.0, 12.0], "line-p50"),
                charts.Series("p85", [20.0, 30.0], "line-p85"),
            ],
            Decimal(24),
        )
    )
    assert "Latest: p50 12.0h; p85 30.0h. Target 24h." in svg
    assert svg.count("<polyline") == 2
    assert "chart-dot chart-dot-red" in svg  # p85 ends past the target
    assert "Target 24h" in svg


def test_charts_without_data_say_so_rather_than_drawing_zero():
    assert "No data for queue time yet." in charts.line_chart(
        "Queue time", [MONTH], [charts.Series("p50", [None], "line-p50")]
    )
    assert "No sla breaches in these months." in charts.bar_chart("SLA breaches", [MONTH], [0])


def test_the_drilldown_shows_the_seams_months(viewer_client, seam, django_assert_max_num_queries):
    before = engine.previous_month(REVIEWED)
    MonthlySeamMetrics.objects.create(
        seam=seam, month=before, sla_breaches=4, queue_time_p85_hours=Decimal("30")
    )
    MonthlySeamMetrics.objects.create(
        seam=seam,
        month=REVIEWED,
        sla_breaches=6,
        queue_time_p85_hours=Decimal("41.6"),
        lead_time_by_approval_type={"standard": {"p50": 5.5, "p85": 7.6, "n": 2}},
    )
    # The review's rows and agenda (dashboard.build, ~12), the charts' months, the why panel
    # (4), what is open (3), the actions and their verdicts (3), the session and the user,
    # contract vs reality (the seam's leading signals, ~6; its contracts and open drafts, 2),
    # the flow charts (8: open items and the calendar's holidays, the SLE, completions, and the
    # cumulative flow's four).
    with django_assert_max_num_queries(48):
        page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert f'{before:%b %Y} 4, {REVIEWED:%b %Y} 6"' in page  # the alternative text
    assert "p85 41.6h" in page
    assert "<td>standard</td>" in page
    assert '<td class="num">—</td>' in page
    assert viewer_client.get(reverse("metrics:seam", args=["nope"])).status_code == 404


def clocked(**fields) -> Handoff:
    """A handoff written as it stands, with the business clock its age is read from."""
    rules = fields["seam"].calendar.working_time()
    clock = Decimal(str(clock_hours(rules, fields["submitted_at"]))).quantize(Decimal("0.0001"))
    return Handoff.objects.create(**fields, submitted_clock=clock)


def test_the_drilldown_draws_the_months_flow(viewer_client, seam, django_assert_max_num_queries):
    start = engine.month_bounds(REVIEWED)[0]
    for n in range(3):  # open at the month's end: one waiting to start, two started
        clocked(
            seam=seam,
            external_id=f"open-{n}",
            title=f"Open {n}",
            submitted_at=start + timedelta(days=2 + n),
            started_at=None if n == 0 else start + timedelta(days=4 + n),
            queue_hours=None if n == 0 else Decimal(5 + n),
        )
    for n in range(4):
        Handoff.objects.create(
            seam=seam,
            external_id=f"done-{n}",
            title=f"Done {n}",
            submitted_at=start + timedelta(days=1),
            started_at=start + timedelta(days=2),
            completed_at=start + timedelta(days=10 + n),
            queue_hours=Decimal(8),
            lead_hours=Decimal(10 * (n + 1)),
        )
    # As above: the flow's eight queries whatever the month holds, with the sides of the seam
    # and contract vs reality (41 in all when measured).
    with django_assert_max_num_queries(48):
        page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert page.count('class="aging-dot') == 3
    assert page.count('class="scatter-dot"') == 4
    assert page.count('<polygon points="') == 3
    assert "Not enough history for an SLE (6 of 20)" in page  # 2 open and 4 done started
    assert "band-p50" not in page
    assert "p50 25 h" in page  # of 10, 20, 30 and 40 h
    assert f"Open at the end of {REVIEWED:%B}" in page
    assert "<td>Open 0 <span" in page  # the figures table, oldest first


def test_the_drilldown_says_when_a_month_has_no_flow(viewer_client, seam):
    page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert f"No open items at the end of {REVIEWED:%B}." in page
    assert f"Nothing completed in {REVIEWED:%B}." in page
    assert f"Nothing on this seam in {REVIEWED:%B}." in page
    assert "aging-dot" not in page


@pytest.mark.parametrize(("today", "day"), [(1, 1), (3, 3), (28, 28)])
def test_the_current_months_flow_is_cut_off_now(viewer, seam, today, day):
    with time_machine.travel(datetime(2027, 2, today, 12, tzinfo=UTC), tick=False):
        viewer_client = client_for(viewer)  # signed in on the day, so the session is fresh
        clocked(
            seam=seam,
            external_id="open",
            title="Open",
            submitted_at=datetime(2027, 2, 1, 9, tzinfo=UTC),
        )
        url = reverse("metrics:seam", args=[seam.slug]) + "?month=2027-02"
        page = viewer_client.get(url).content.decode()
    assert "Open now · business hours since submitted" in page
    assert page.count('class="aging-dot') == 1
    assert (
        f"Cumulative flow in February, day 1 to {day}: by the end of day {day}, 1 arrived" in page
    )
    assert "Nothing completed in February." in page
