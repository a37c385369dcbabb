"""The Teams page: every team with its leader and people."""

from django.urls import reverse

from seams.models import Membership
from tests.factories import MembershipFactory, TeamFactory, UserFactory

URL = reverse("seams:teams")


def test_it_shows_every_team_with_its_leader_and_people(viewer_client, team, owner):
    team.leader = UserFactory(first_name="Tom", last_name="Becker")
    team.save()
    TeamFactory(name="Legal")
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert [t.name for t in response.context["teams"]] == ["Legal", "Sales"]
    page = response.content.decode()
    assert "Tom Becker" in page
    assert "Owen Owner" in page
    assert response.context["people_count"] == 1


def test_it_keeps_its_queries_bounded_however_many_teams(
    viewer_client, django_assert_max_num_queries
):
    for n in range(12):
        team = TeamFactory(name=f"Team {n}", leader=UserFactory())
        MembershipFactory.create_batch(3, team=team)
        MembershipFactory(team=team, role=Membership.Role.OWNER)
    # session, user, savepoint and release (ATOMIC_REQUESTS), teams with their leaders,
    # memberships with their people, the viewer's roles (2), the people count, whether
    # there is a contract yet and, without one, where the guided start is
    with django_assert_max_num_queries(11):
        response = viewer_client.get(URL)
    assert len(response.context["teams"]) == 12


def test_it_shows_an_empty_state_with_the_next_step_for_leaders(leader_client):
    page = leader_client.get(URL).content.decode()
    assert "No teams yet" in page
    assert reverse("seams:team-create") in page


def test_it_names_the_users_role_and_rights(viewer_client, owner_client):
    assert "change nothing" in viewer_client.get(URL).content.decode()
    assert "edit the handoff specs of your teams" in owner_client.get(URL).content.decode()


def test_it_refuses_post(viewer_client):
    assert viewer_client.post(URL).status_code == 405
