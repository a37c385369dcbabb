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


# --- Linking from the initiative's page -------------------------------------------------------

LINK = reverse("decisions:dependency-initiative")


@pytest.fixture
def open_need(seam, owner):
    return Dependency.objects.create(
        title="Pricing API",
        provider=seam.to_team,
        consumer=seam.from_team,
        seam=seam,
        owner=owner,
        needed_by=timezone.localdate() + timedelta(days=10),
    )


def test_the_initiative_page_links_a_dependency_and_unlinks_it(owner_client, launch, open_need):
    page = owner_client.get(launch.get_absolute_url()).content.decode()
    assert 'id="link-dependency"' in page
    assert f'<option value="{open_need.pk}">Pricing API' in page
    back = launch.get_absolute_url() + "#forecast"
    response = owner_client.post(
        LINK, {"dependency": open_need.pk, "initiative": launch.slug, "next": back}
    )
    assert response["Location"] == back
    open_need.refresh_from_db()
    assert open_need.initiative == launch
    page = owner_client.get(launch.get_absolute_url()).content.decode()
    assert "is now needed for The launch" in page
    assert "Unlink" in page
    assert f'<option value="{open_need.pk}">Pricing API' not in page  # no longer offered

    owner_client.post(LINK, {"dependency": open_need.pk, "initiative": "", "next": back})
    open_need.refresh_from_db()
    assert open_need.initiative is None


def test_linking_twice_says_so_and_changes_nothing(owner_client, launch, open_need):
    Dependency.objects.filter(pk=open_need.pk).update(initiative=launch)
    response = owner_client.post(
        LINK, {"dependency": open_need.pk, "initiative": launch.slug}, follow=True
    )
    assert "was already needed for The launch" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"dependency": "999999", "initiative": "launch"},
        {"dependency": "abc", "initiative": "launch"},
        {"dependency": "", "initiative": "launch"},
        {"initiative": "launch"},
        {"dependency": "PK", "initiative": "no-such-thing"},
        {"dependency": "PK", "initiative": "x" * 5000},
    ],
)
def test_bad_links_are_refused_with_a_reason_and_nothing_written(
    leader_client, launch, open_need, body
):
    body = {k: str(open_need.pk) if v == "PK" else v for k, v in body.items()}
    response = leader_client.post(LINK, body, follow=True)
    assert "Not linked:" in response.content.decode()
    open_need.refresh_from_db()
    assert open_need.initiative is None


def test_only_those_who_log_there_link(viewer_client, unrelated_owner_client, launch, open_need):
    for client in (viewer_client, unrelated_owner_client):
        response = client.post(LINK, {"dependency": open_need.pk, "initiative": launch.slug})
        assert response.status_code == 403
        assert 'id="link-dependency"' not in client.get(launch.get_absolute_url()).content.decode()
    open_need.refresh_from_db()
    assert open_need.initiative is None


def test_it_goes_back_only_to_this_site(leader_client, launch, open_need):
    response = leader_client.post(
        LINK,
        {"dependency": open_need.pk, "initiative": launch.slug, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("decisions:dependencies")
