"""The seam drill-down: its charts draw the stored months with text alternatives, and the page
lists what is open on the seam, in a bounded number of queries."""

from decimal import Decimal

from django.urls import reverse

from metrics import charts, engine
from metrics.models import MonthlySeamMetrics

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
    # contract vs reality (the seam's leading signals, ~6; its contracts and open drafts, 2).
    with django_assert_max_num_queries(40):
        page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert f'{before:%b %Y} 4, {REVIEWED:%b %Y} 6"' in page  # the alternative text
    assert "p85 41.6h" in page
    assert "<td>standard</td>" in page
    assert '<td class="num">—</td>' in page
    assert viewer_client.get(reverse("metrics:seam", args=["nope"])).status_code == 404
