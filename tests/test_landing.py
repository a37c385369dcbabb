"""Where each role lands after signing in ("/"): where its work is."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from contracts.models import Contract
from seams.models import Membership
from tests.conftest import client_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# The clock on the 1st, the 3rd and the 28th: the review still opens on the last full month.
DAYS = [
    (datetime(2025, 3, 1, 9, 0, tzinfo=LONDON), "2025-02"),
    (datetime(2025, 3, 3, 9, 0, tzinfo=LONDON), "2025-02"),
    (datetime(2025, 3, 28, 17, 0, tzinfo=LONDON), "2025-02"),
    (datetime(2026, 1, 1, 0, 30, tzinfo=LONDON), "2025-12"),
]


@pytest.fixture
def contract(leader):
    return Contract.objects.create(title="C", slug="c", scope="s", leader=leader)


def review_of(month: str) -> str:
    return f"{reverse('metrics:review')}?month={month}"


def lands(user) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(("now", "month"), DAYS)
def test_it_lands_leaders_and_viewers_on_the_review_of_the_month_under_review(
    leader, viewer, contract, now, month
):
    with time_machine.travel(now, tick=False):
        assert lands(leader) == review_of(month)
        assert lands(viewer) == review_of(month)
        page = client_for(viewer).get("/", follow=True).content.decode()
    assert "Seam review" in page or "review" in page.lower()


@pytest.mark.parametrize(("now", "_month"), DAYS)
def test_it_lands_owners_on_their_seams_and_ops_on_today(owner, ops, contract, now, _month):
    with time_machine.travel(now, tick=False):
        assert lands(owner) == reverse("metrics:mine")
        assert lands(ops) == reverse("metrics:today")


def test_it_sends_leaders_to_the_guided_start_while_there_is_no_contract(leader, viewer, owner):
    assert lands(leader) == reverse("onboarding:guide")
    # Only leaders: the others land where they always do.
    assert lands(owner) == reverse("metrics:mine")
    assert lands(viewer).startswith(reverse("metrics:review"))


def test_it_lets_the_strongest_role_win_for_people_with_several(team, contract):
    leader_owner = UserFactory(username="lo", roles=["leader", "ops"])
    MembershipFactory(team=team, user=leader_owner, role=Membership.Role.OWNER)
    ops_owner = UserFactory(username="oo", roles=["ops", "viewer"])
    MembershipFactory(team=team, user=ops_owner, role=Membership.Role.OWNER)
    ops_viewer = UserFactory(username="ov", roles=["ops", "viewer"])
    member = UserFactory(username="member")  # a team member owning nothing: a viewer
    MembershipFactory(team=team, user=member, role=Membership.Role.MEMBER)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert lands(leader_owner).startswith(reverse("metrics:review"))
    assert lands(superuser).startswith(reverse("metrics:review"))
    assert lands(ops_owner) == reverse("metrics:mine")
    assert lands(ops_viewer) == reverse("metrics:today")
    assert lands(member).startswith(reverse("metrics:review"))


def test_it_signs_in_straight_to_the_landing_page(client, owner, contract):
    response = client.post(
        reverse("login"), {"username": "owner", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("metrics:mine")
    assert "My seams" in response.content.decode()


def test_it_keeps_home_for_everyone_signed_in_and_nobody_else(client, viewer_client):
    assert client.get("/")["Location"].startswith(reverse("login"))
    assert viewer_client.get("/", follow=True).status_code == 200
    assert viewer_client.post("/").status_code == 405
