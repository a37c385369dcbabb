"""GET /api/v1/initiatives/<slug>/forecast/: the initiative forecast, as of today or `?at=`."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Initiative
from decisions.models import Dependency
from tests.factories import SeamFactory

TODAY = date(2026, 11, 2)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(slug: str = "launch") -> str:
    return f"/api/v1/initiatives/{slug}/forecast/"


def at_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def launch(leader, team, other_team, owner):
    """The launch needs a pricing API (certain: the 12 longer past needs took 6 days) and a
    contract template on a seam with no history (beyond history)."""
    initiative = Initiative.objects.create(slug="launch", name="The launch", leader=leader)
    pricing = SeamFactory(name="Pricing", from_team=team, to_team=other_team)
    unknown = SeamFactory(name="Unknown", from_team=team, to_team=other_team)
    common = {"consumer": team, "provider": other_team, "owner": owner}
    delivered = TODAY - timedelta(days=30)
    Dependency.objects.bulk_create(
        Dependency(
            title="Past need",
            seam=pricing,
            needed_by=delivered,
            status=Dependency.Status.DELIVERED,
            delivered_at=delivered,
            created_at=at_day(delivered - timedelta(days=6)),
            **common,
        )
        for _ in range(12)
    )
    Dependency.objects.create(
        title="Pricing API",
        seam=pricing,
        initiative=initiative,
        needed_by=TODAY + timedelta(days=5),
        committed_date=TODAY + timedelta(days=4),
        status=Dependency.Status.COMMITTED,
        created_at=at_day(TODAY - timedelta(days=2)),
        **common,
    )
    Dependency.objects.create(
        title="Contract template",
        seam=unknown,
        initiative=initiative,
        needed_by=TODAY + timedelta(days=9),
        created_at=at_day(TODAY - timedelta(days=1)),
        **common,
    )
    return initiative


@time_machine.travel(datetime(2026, 11, 2, 12, 0), tick=False)
def test_it_answers_the_forecast_with_its_fields(viewer, launch):
    response = api(viewer).get(url())
    assert response.status_code == 200
    body = response.json()
    pricing, template = Dependency.objects.filter(initiative=launch).order_by("needed_by")
    assert body["at"] == "2026-11-02"
    assert body["draws"] == 10_000
    assert body["dependencies"] == [
        {
            "id": pricing.pk,
            "title": "Pricing API",
            "status": "committed",
            "seam": {"slug": "pricing", "name": "Pricing"},
            "needed_by": "2026-11-07",
            "committed_date": "2026-11-06",
            "age_days": 2,
            "chance_on_time": 1.0,
            "p50": "2026-11-06",
            "p85": "2026-11-06",
            "p95": "2026-11-06",
            "n": 12,
            "basis": "dependencies",
            "note": "",
        },
        {
            "id": template.pk,
            "title": "Contract template",
            "status": "requested",
            "seam": {"slug": "unknown", "name": "Unknown"},
            "needed_by": "2026-11-11",
            "committed_date": None,
            "age_days": 1,
            "chance_on_time": None,
            "p50": None,
            "p85": None,
            "p95": None,
            "n": 0,
            "basis": None,
            "note": "Beyond history: nothing delivered took longer than 1 days.",
        },
    ]
    initiative = body["initiative"]
    assert initiative["slug"] == "launch"
    assert initiative["name"] == "The launch"
    assert initiative["chance_all_on_time"] == 1.0
    assert initiative["riskiest_seam"] is None
    assert initiative["beyond_history"] == [template.pk]
    assert initiative["histogram"] == [{"start": "2026-11-06", "end": "2026-11-06", "draws": 10000}]
    assert any("“Contract template”" in note for note in body["notes"])


@time_machine.travel(datetime(2026, 11, 2, 12, 0), tick=False)
def test_it_forecasts_as_of_a_past_day(viewer, launch):
    body = api(viewer).get(url(), {"at": "2026-11-01"}).json()
    assert body["at"] == "2026-11-01"
    assert [d["title"] for d in body["dependencies"]] == ["Pricing API", "Contract template"]
    assert [d["age_days"] for d in body["dependencies"]] == [1, 0]
    # A day before the launch's first need was logged, nothing was open.
    body = api(viewer).get(url(), {"at": "2026-10-30"}).json()
    assert body["dependencies"] == []
    assert body["initiative"]["chance_all_on_time"] is None


def test_the_same_data_gives_the_same_answer(viewer, launch):
    first = api(viewer).get(url(), {"at": "2026-11-02"}).json()
    assert api(viewer).get(url(), {"at": "2026-11-02"}).json() == first


def test_an_unknown_initiative_is_404(viewer, launch):
    response = api(viewer).get(url("no-such-launch"))
    assert response.status_code == 404
    assert "no-such-launch" in response.json()["detail"]


def test_a_slug_that_cannot_be_one_is_404(viewer, launch):
    assert api(viewer).get("/api/v1/initiatives/la%00unch/forecast/").status_code == 404
    assert api(viewer).get("/api/v1/initiatives/la.unch/forecast/").status_code == 404


def test_anonymous_callers_must_sign_in(launch):
    assert api().get(url()).status_code == 401


def test_it_reads_only(leader, launch):
    assert api(leader).post(url(), {}, format="json").status_code == 405


@pytest.mark.parametrize(
    "at",
    [
        "yesterday",
        "2026-13-01",
        "2026-02-30",
        "1999-12-31",
        "2100-01-01",
        "0001-01-01",
        "9999-12-31",
        "2026-11-02T10:00",
        "2026-11-2",
        "+2026-11-02",
        "\uff12\uff10\uff12\uff16-\uff11\uff11-\uff10\uff12",  # full-width digits
        "2026-11-02\x00",
        "2026-11-0" + "2" * 10_000,
        "-1",
    ],
)
def test_a_hostile_at_is_refused_with_a_reason(viewer, launch, at):
    response = api(viewer).get(url(), {"at": at})
    assert response.status_code == 400
    assert response.json()["errors"]["at"] == ["A day as YYYY-MM-DD, from 2000 to 2099."]


def test_an_empty_at_means_today(viewer, launch):
    body = api(viewer).get(url(), {"at": ""}).json()
    assert body["at"] == timezone.localdate().isoformat()


def test_it_is_in_the_schema(viewer):
    schema = api(viewer).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/initiatives/{slug}/forecast/"]["get"]
    reply = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert reply == {"$ref": "#/components/schemas/Forecast"}
    assert {"slug", "at"} <= {p["name"] for p in operation["parameters"]}
    assert {"404", "400", "401"} <= set(operation["responses"])
