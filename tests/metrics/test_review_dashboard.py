"""The monthly seam review: worst first, tiles against targets, why, and bounded queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Contract, ContractSeam, MetricTarget
from decisions.models import Escalation
from metrics import dashboard, engine
from metrics.dashboard import build
from metrics.models import MonthlySeamMetrics
from seams.models import Handoff, HandoffReturn, Seam
from tests.factories import CalendarFactory, SeamFactory, TeamFactory

MONTH = engine.month_under_review()  # what the review opens on
LAST = engine.previous_month(MONTH)


def snapshot(seam, month, **values):
    return MonthlySeamMetrics.objects.create(seam=seam, month=month, **values)


@pytest.fixture
def contract(leader):
    return Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )


def target(contract, seam, metric, value, direction="lower"):
    ContractSeam.objects.get_or_create(contract=contract, seam=seam)
    return MetricTarget.objects.create(
        contract=contract, seam=seam, metric=metric, target=Decimal(value), direction=direction
    )


@pytest.fixture
def seams(contract):
    calm = SeamFactory(name="Calm seam")
    sore = SeamFactory(name="Sore seam")
    loose = SeamFactory(name="Untargeted seam")
    target(contract, calm, "queue_time_p85_hours", 24)
    target(contract, sore, "queue_time_p85_hours", 24)
    target(contract, sore, "throughput", 10, "higher")
    snapshot(calm, MONTH, queue_time_p85_hours=Decimal("20"))
    snapshot(calm, LAST, queue_time_p85_hours=Decimal("30"), rag={"queue_time_p85_hours": "red"})
    snapshot(sore, MONTH, queue_time_p85_hours=Decimal("41.6"), throughput=4, sla_breaches=3)
    snapshot(
        sore,
        LAST,
        queue_time_p85_hours=Decimal("27.5"),
        sla_breaches=1,
        rag={"queue_time_p85_hours": "amber"},
    )
    snapshot(loose, MONTH, queue_time_p85_hours=Decimal("5"))
    return calm, sore, loose


def test_red_seams_come_first_with_their_tiles_deltas_and_other_misses(seams):
    _calm, sore, _loose = seams
    review = build(MONTH)
    assert [(r.seam.name, r.status) for r in review.rows] == [
        ("Sore seam", "red"),
        ("Calm seam", "green"),
        ("Untargeted seam", "none"),
    ]
    sore_row = review.rows[0]
    queue = sore_row.tiles[0]
    assert (queue.value, queue.status, queue.delta, queue.trend) == (
        Decimal("41.6000"),
        "red",
        Decimal("14.1000"),
        "worse",
    )
    assert sore_row.last_status == "amber"
    assert [(t.metric, t.value, t.status) for t in sore_row.off_target] == [
        ("throughput", 4, "red")
    ]
    newly_red = [seam.pk for seam in review.newly_red]
    assert (review.counts["red"], newly_red, review.breaches, review.breaches_before) == (
        1,
        [sore.pk],
        3,
        1,
    )
    assert review.rows[1].tiles[0].trend == "better"


def test_the_why_line_says_what_the_data_says(seams):
    sore = seams[1]
    start, _ = engine.month_bounds(MONTH)
    for cause in ("missing_inputs", "missing_inputs", "capacity"):
        Escalation.objects.create(seam=sore, summary="x", cause=cause, raised_at=start)
    handoff = Handoff.objects.create(
        seam=sore, source="t", external_id="1", title="t", submitted_at=start, returned_count=3
    )
    for item in ("Sample payload", "Sample payload", "Use case"):
        HandoffReturn.objects.create(
            handoff=handoff, reason="r", missing_item=item, returned_at=start
        )
    why = build(MONTH).rows[0].why
    assert why == "“Sample payload” missing in 2 of 3 returns; 2 escalations: missing inputs"


def test_a_contract_shows_only_its_seams(seams, contract, leader_client):
    page = leader_client.get(reverse("metrics:review"), {"contract": "launch"}).content.decode()
    assert "Sore seam" in page
    assert "Untargeted seam" not in page
    bad = leader_client.get(reverse("metrics:review"), {"contract": "nope"})
    assert bad.status_code == 400
    assert "No contract in force is called “nope”" in bad.content.decode()


def test_a_month_without_snapshots_says_so(viewer_client, db):
    page = viewer_client.get(reverse("metrics:review")).content.decode()
    assert f"No metrics for {MONTH:%B %Y} yet" in page


def add_seams(contract, n: int, start: int) -> None:
    """n more seams under the contract, half red, each with a target and two months of data."""
    a, b = TeamFactory(), TeamFactory()
    calendar = CalendarFactory()
    seams = Seam.objects.bulk_create(
        Seam(
            name=f"Seam {start + i:03d}",
            slug=f"seam-{start + i:03d}",
            from_team=a,
            to_team=b,
            calendar=calendar,
        )
        for i in range(n)
    )
    ContractSeam.objects.bulk_create(ContractSeam(contract=contract, seam=s) for s in seams)
    MetricTarget.objects.bulk_create(
        MetricTarget(contract=contract, seam=s, metric="sla_breach_rate", target=10) for s in seams
    )
    MonthlySeamMetrics.objects.bulk_create(
        MonthlySeamMetrics(
            seam=s, month=month, sla_breach_rate=Decimal(rate), queue_time_p85_hours=1
        )
        for i, s in enumerate(seams)
        for month, rate in ((MONTH, "0.2" if i % 2 else "0.05"), (LAST, "0.05"))
    )


def test_the_page_runs_the_same_number_of_queries_at_10_and_300_seams(leader_client, contract):
    def count_for(total: int, **params) -> tuple[int, int]:
        have = Seam.objects.count()
        if total > have:
            add_seams(contract, total - have, have)
        with CaptureQueriesContext(connection) as queries:
            response = leader_client.get(reverse("metrics:review"), params)
        return len(queries), response.content.decode().count('<th scope="row">')

    at_10, rows = count_for(10)
    assert rows == 10
    at_10_pack, rows = count_for(10, pack=1)
    assert rows == 10
    at_300, rows = count_for(300)
    assert rows == dashboard.PER_PAGE  # a page of the worst
    at_300_red, rows = count_for(300, status="red", page=3)
    assert rows == dashboard.PER_PAGE  # 150 red seams: the third page is full
    at_300_pack, rows = count_for(300, pack=1)
    assert rows == 300  # the review pack holds every seam
    assert at_10 == at_300 == at_300_red <= 30
    assert at_10_pack == at_300_pack


def test_the_seam_map_draws_every_seam_as_a_linked_arrow_coloured_by_status(seams):
    from metrics import seam_map

    review = build(MONTH)
    svg = str(seam_map.render(review.rows))
    for row in review.rows:  # each arrow opens the seam's drill-down
        assert f'href="{reverse("metrics:seam", args=[row.seam.slug])}"' in svg
    assert svg.count('class="map-seam map-red"') == 1
    assert svg.count('class="map-seam map-green"') == 1
    assert ">Sore seam</text>" in svg  # red seams are named on the map
    assert ">Calm seam</text>" not in svg
    assert "<title>Sore seam:" in svg


def test_many_seams_between_two_teams_draw_as_one_arrow_to_the_table_of_them(
    leader_client, contract
):
    from metrics import seam_map

    add_seams(contract, 6, 0)  # six seams from one team to another, every other one red
    other = SeamFactory(name="Lone seam")
    review = build(MONTH)
    svg = str(seam_map.render(review.rows, f"month={MONTH:%Y-%m}"))
    first = Seam.objects.get(slug="seam-000")
    pair = f"from={first.from_team.slug}&amp;to={first.to_team.slug}"
    assert svg.count("<title>6 seams from") == 1
    assert "3 red, 3 green</title>" in svg
    assert f'href="/review/?month={MONTH:%Y-%m}&amp;{pair}#seams"' in svg
    assert ">6 seams, 3 red or amber</text>" in svg  # named, as it is red
    assert svg.count('class="map-seam ') == 2  # the bundle and the lone seam
    assert f'href="{reverse("metrics:seam", args=[other.slug])}"' in svg

    # The bundle's link shows just those seams.
    page = leader_client.get(
        reverse("metrics:review"),
        {"month": f"{MONTH:%Y-%m}", "from": first.from_team.slug, "to": first.to_team.slug},
    ).content.decode()
    assert page.count('<th scope="row">') == 6
    assert "Lone seam" not in page.split("Seams, worst first")[1].split("</table>")[0]
    assert f"Only the seams from {first.from_team.name} to {first.to_team.name}" in page


def test_the_ring_order_removes_avoidable_crossings():
    from metrics.seam_map import _crossings, _ring_order

    edges = (("A", "C"), ("B", "D"))  # A, B, C, D around a ring: these two cross
    assert _crossings(("A", "B", "C", "D"), edges) == 1
    assert _crossings(_ring_order(("A", "B", "C", "D"), edges), edges) == 0


def test_names_in_the_svg_are_escaped(seams):
    from metrics import charts, seam_map

    sore = seams[1]
    sore.name = '<script>alert("x")</script>'
    sore.save()
    sore.from_team.name = "R&D <b>"
    sore.from_team.save()
    svg = str(seam_map.render(build(MONTH).rows))
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert "R&amp;D &lt;b&gt;" in svg
    chart = str(charts.bar_chart('<img src=x onerror="y">', [MONTH], [3]))
    assert "<img" not in chart
