"""The drill-down's two sides of the seam: the receiver's responses on time (1 - SLA breach
rate) and the sender's handoffs ready the first time, for the month shown."""

from decimal import Decimal

from django.urls import reverse

from contracts.models import MetricTarget
from metrics import engine, seam_views
from metrics.models import MonthlySeamMetrics

REVIEWED = engine.month_under_review()


def test_it_shows_both_sides_side_by_side(viewer_client, seam):
    MonthlySeamMetrics.objects.create(
        seam=seam,
        month=REVIEWED,
        sla_due=10,
        sla_breaches=2,
        sla_breach_rate=Decimal("0.2"),
        started=8,
        first_time_ready_rate=Decimal("0.75"),
    )
    page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert "Both sides of the seam" in page
    assert "Receiver · <strong>Product</strong>" in page
    assert "Sender · <strong>Sales</strong>" in page
    # On time: 1 - 0.2 = 80 %, 8 of the 10 due; ready the first time: 75 %, 6 of 8 started.
    assert "80<small>%</small>" in page
    assert f"8 of 10 due in {REVIEWED:%B}" in page
    assert "75<small>%</small>" in page
    assert f"6 of 8 started in {REVIEWED:%B}" in page


def test_a_month_without_data_says_nothing_happened(viewer_client, seam):
    page = viewer_client.get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert f"Nothing due in {REVIEWED:%B}" in page
    assert f"Nothing started in {REVIEWED:%B}" in page


def test_each_side_is_judged_against_its_own_target(seam):
    goals = {
        "sla_breach_rate": engine.Goal(
            "sla_breach_rate", Decimal(10), MetricTarget.Direction.LOWER, Decimal(20)
        ),
        "first_time_ready_rate": engine.Goal(
            "first_time_ready_rate", Decimal(80), MetricTarget.Direction.HIGHER, Decimal(20)
        ),
    }
    latest = {
        "sla_due": 10,
        "sla_breaches": 2,
        "sla_breach_rate": Decimal("0.2"),
        "started": 8,
        "first_time_ready_rate": Decimal("0.75"),
    }
    receiver, sender = seam_views._two_sides(seam, latest, goals)
    # Breach rate 20 % against ≤ 10 % (amber to 12 %): red. Ready 75 % against ≥ 80 %
    # (amber from 64 %): amber.
    assert (receiver.status, receiver.percent, receiver.part) == ("red", "80", 8)
    assert (sender.status, sender.percent, sender.part) == ("amber", "75", 6)
    assert sender.target == "≥ 80 %"
