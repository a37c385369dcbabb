"""A dependency belongs to an initiative (optional): set through the API and the board's form,
refused clearly when the initiative is unknown, and shown on its card."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Initiative
from decisions.models import Dependency

URL = "/api/v1/dependencies/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def launch(leader):
    return Initiative.objects.create(slug="launch", name="The launch", leader=leader)


@pytest.fixture
def body(seam, owner):
    return {
        "title": "Pricing API",
        "provider": "product",
        "consumer": "sales",
        "seam": seam.slug,
        "owner": "owner",
        "needed_by": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }


def test_it_logs_a_dependency_for_an_initiative(ops, launch, body):
    response = api(ops).post(URL, body | {"initiative": "launch"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["initiative"] == "launch"
    assert Dependency.objects.get().initiative == launch
    assert list(launch.dependencies.values_list("title", flat=True)) == ["Pricing API"]


def test_the_initiative_is_optional_and_can_be_cleared(ops, launch, body):
    created = api(ops).post(URL, body, format="json").json()
    assert created["initiative"] is None
    path = f"{URL}{created['id']}/"
    assert api(ops).patch(path, {"initiative": "launch"}, format="json").status_code == 200
    assert Dependency.objects.get().initiative == launch
    assert api(ops).patch(path, {"initiative": None}, format="json").json()["initiative"] is None
    assert Dependency.objects.get().initiative is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("no-such-launch", "There is no initiative “no-such-launch”."),
        ("", "This field may not be blank."),
    ],
)
def test_an_unknown_initiative_is_refused_and_nothing_is_written(ops, launch, body, value, message):
    response = api(ops).post(URL, body | {"initiative": value}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["initiative"] == [message]
    assert not Dependency.objects.exists()


@pytest.mark.parametrize("value", [7, ["launch"], {"slug": "launch"}, "x" * 10_000])
def test_an_initiative_of_the_wrong_kind_is_refused(ops, launch, body, value):
    response = api(ops).post(URL, body | {"initiative": value}, format="json")
    assert response.status_code == 400
    assert "initiative" in response.json()["errors"]
    assert not Dependency.objects.exists()


def test_a_nul_in_the_initiative_is_refused(ops, launch, body):
    response = api(ops).post(URL, body | {"initiative": "la\x00unch"}, format="json")
    assert response.status_code == 400
    assert not Dependency.objects.exists()


def test_deleting_the_initiative_keeps_its_dependencies(ops, launch, body):
    api(ops).post(URL, body | {"initiative": "launch"}, format="json")
    launch.delete()
    assert Dependency.objects.get().initiative is None


def test_the_boards_form_sets_the_initiative_and_the_card_shows_it(
    ops_client, launch, seam, owner, team, other_team
):
    form = {
        "title": "Sandbox tenant",
        "provider": other_team.pk,
        "consumer": team.pk,
        "seam": seam.pk,
        "initiative": launch.pk,
        "owner": owner.pk,
        "needed_by": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }
    response = ops_client.post(reverse("decisions:dependencies"), form)
    assert response.status_code == 302
    assert Dependency.objects.get().initiative == launch
    page = ops_client.get(reverse("decisions:dependencies")).content.decode()
    assert 'For <a href="/initiatives/launch/">The launch</a>' in page


def test_the_boards_form_refuses_an_unknown_initiative(ops_client, seam, owner, team, other_team):
    form = {
        "title": "Sandbox tenant",
        "provider": other_team.pk,
        "consumer": team.pk,
        "initiative": 999_999,
        "owner": owner.pk,
        "needed_by": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }
    response = ops_client.post(reverse("decisions:dependencies"), form)
    assert response.status_code == 400
    assert "initiative" in response.context["form"].errors
    assert not Dependency.objects.exists()
