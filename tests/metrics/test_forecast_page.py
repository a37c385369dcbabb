"""The forecast on the initiative's page and on the review (metrics.forecast_panels), and the
assumption it offers to record."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contracts.models import Assumption, Commitment
from decisions.models import Dependency
from metrics import forecast_panels
from metrics.forecast_panels import look, percent, review_lines
from tests.conftest import client_for
from tests.metrics.conftest import at_day

pytestmark = pytest.mark.django_db


def test_a_chance_never_rounds_to_a_certainty_it_lacks():
    assert percent(None) == "—"
    assert percent(1.0) == "100 %"
    assert percent(0.996) == "99 %"
    assert percent(0.0) == "0 %"
    assert percent(0.001) == "<1 %"
    assert percent(0.384) == "38 %"
    assert [look(c) for c in (None, 0.49, 0.5, 0.849, 0.85)] == [
        "nodata",
        "red",
        "amber",
        "amber",
        "green",
    ]


@pytest.fixture
def at_risk(make_seam, history, need, launch, team, other_team):
    """Two dependencies of the launch: one certain (every past one took 5 days, needed in 10),
    one hopeless (every past one took 30 days, needed in 3): the hopeless one's seam is the
    riskiest."""
    quick, slow = make_seam("Quick seam"), make_seam("Slow seam")
    history(quick, {5: 12})
    history(slow, {30: 12})
    need(quick, age=1, needed_in=10, title="Easy part")
    need(slow, age=1, needed_in=3, title="Hard part")
    return quick, slow


def _page(client, launch):
    return client.get(reverse("contracts:initiative", args=[launch.slug])).content.decode()


@time_machine.travel(date(2026, 11, 2), tick=False)
def test_the_page_shows_the_chance_the_riskiest_seam_and_the_worst_first(
    viewer_client, at_risk, launch
):
    page = _page(viewer_client, launch)
    assert 'id="forecast-chance">0 %' in page
    assert "Slow seam</a> adds most risk" in page
    assert "rise by 100 points" in page
    assert page.index("Hard part") < page.index("Easy part")
    assert 'badge badge-red">0 %' in page
    assert 'badge badge-green">100 %' in page
    assert 'role="img"' in page  # the histogram


@time_machine.travel(date(2026, 11, 2), tick=False)
def test_a_weak_dependency_offers_to_record_its_assumption_when_none_connects(
    viewer_client, at_risk, launch, team, other_team
):
    assert "can connect them yet" in _page(viewer_client, launch)  # no commitments yet
    relying = Commitment.objects.create(initiative=launch, team=team, commitment="Sell")
    relied = Commitment.objects.create(initiative=launch, team=other_team, commitment="Build")
    page = _page(viewer_client, launch)
    assert "Record one with an owner" in page
    assert f"assume_from={relying.pk}&amp;assume_to={relied.pk}" in page
    assert page.count("Record one with an owner") == 1  # the certain one asks for nothing

    Assumption.objects.create(
        initiative=launch,
        statement="Product ships the pricing API first",
        from_commitment=relying,
        to_commitment=relied,
    )
    page = _page(viewer_client, launch)
    assert "Rests on the assumption" in page
    assert "Product ships the pricing API first" in page
    assert "Unowned" in page


def test_the_offered_assumption_fills_the_form_and_only_with_the_initiatives_commitments(
    leader_client, launch, team, other_team
):
    relying = Commitment.objects.create(initiative=launch, team=team, commitment="Sell")
    relied = Commitment.objects.create(initiative=launch, team=other_team, commitment="Build")
    url = reverse("contracts:initiative", args=[launch.slug])
    response = leader_client.get(
        url,
        {"assume_from": relying.pk, "assume_to": relied.pk, "assume_statement": "Product ships"},
    )
    form = response.context["assumption_form"]
    assert form.initial == {
        "from_commitment": str(relying.pk),
        "to_commitment": str(relied.pk),
        "statement": "Product ships",
    }
    assert "<details open><summary>Record an assumption" in response.content.decode()
    other = Commitment.objects.create(
        initiative=type(launch).objects.create(slug="x", name="X", leader=launch.leader),
        team=team,
        commitment="Other",
    )
    for query in (
        {"assume_from": other.pk, "assume_to": relied.pk},
        {"assume_from": relied.pk, "assume_to": relied.pk},
        {"assume_from": "abc", "assume_to": "[]"},
        {"assume_from": relying.pk},
    ):
        response = leader_client.get(url, query)
        assert response.status_code == 200
        assert response.context["assumption_form"].initial == {}


def test_nothing_to_forecast_says_how_to_begin(viewer_client, launch):
    page = _page(viewer_client, launch)
    assert "Nothing to forecast" in page
    assert "dependency board" in page


@time_machine.travel(date(2026, 11, 2), tick=False)
def test_the_initiative_page_reads_in_bounded_queries(
    viewer_client, make_seam, history, need, launch, django_assert_max_num_queries
):
    for n in range(12):
        seam = make_seam(f"Seam {n}")
        history(seam, {4 + n: 3})
        need(seam, age=1, needed_in=5, title=f"Need {n}")
    with django_assert_max_num_queries(30):
        _page(viewer_client, launch)


# --- The review's lines ---------------------------------------------------------------------


@time_machine.travel(date(2026, 11, 2), tick=False)
def test_the_review_names_each_initiative_in_scope_worst_first(
    at_risk, launch, leader, team, other_team, make_seam, history, need
):
    from contracts.models import Initiative

    calm = Initiative.objects.create(slug="calm", name="Calm one", leader=leader)
    Dependency.objects.filter(title="Easy part").update(initiative=calm)
    lines, more = review_lines(seams=None, day=date(2026, 11, 2))
    assert [(line.initiative.name, line.percent) for line in lines] == [
        ("The launch", "0 %"),
        ("Calm one", "100 %"),
    ]
    assert more == 0
    quick, _slow = at_risk
    lines, _ = review_lines(seams=type(quick).objects.filter(pk=quick.pk), day=date(2026, 11, 2))
    assert [line.initiative.name for line in lines] == ["Calm one"]


@pytest.mark.parametrize("day", [1, 3, 28])
def test_the_review_line_is_as_of_the_months_end_or_today(
    day, leader, make_seam, history, need, launch
):
    """A dependency asked for on 10 November shows on November's review and on December's,
    whatever the day the review is opened; on October's it wasn't asked for yet."""
    seam = make_seam("Seam")
    history(seam, {5: 12})
    dependency = need(seam, age=0, needed_in=60)
    Dependency.objects.filter(pk=dependency.pk).update(
        created_at=at_day(date(2026, 11, 10)), needed_by=date(2027, 2, 1)
    )
    with time_machine.travel(at_day(date(2026, 12, day)), tick=False):
        leader_client = client_for(leader)
        for month, shown in (("2026-10", False), ("2026-11", True), ("2026-12", True)):
            page = leader_client.get(reverse("metrics:review"), {"month": month})
            assert ("Will the initiatives land?" in page.content.decode()) is shown, month
            if shown:
                (line,) = page.context["initiative_lines"]
                assert line.forecast.today == min(
                    date(2026, 12, day), date(2026, 11, 30) if month == "2026-11" else date.max
                )


def test_the_review_counts_what_it_leaves_out(monkeypatch, make_seam, history, need, leader):
    from contracts.models import Initiative

    monkeypatch.setattr(forecast_panels, "REVIEW_LINES", 2)
    seam = make_seam("Seam")
    history(seam, {5: 12})
    for n in range(3):
        initiative = Initiative.objects.create(slug=f"i{n}", name=f"I{n}", leader=leader)
        found = need(seam, age=1, needed_in=10, title=f"N{n}")
        Dependency.objects.filter(pk=found.pk).update(initiative=initiative)
    lines, more = review_lines(seams=None, day=timezone.localdate())
    assert (len(lines), more) == (2, 1)
