import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from seams.models import Team
from tests.factories import MembershipFactory, TeamFactory, UserFactory

URL = "/api/v1/teams/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestList:
    def test_it_lists_teams_with_people_for_any_signed_in_user(self, viewer, team, owner):
        team.leader = UserFactory(username="tom")
        team.save()
        response = api_as(viewer).get(URL)
        assert response.status_code == 200
        [item] = response.json()["results"]
        assert item["slug"] == "sales"
        assert item["leader"] == "tom"
        assert item["members"] == [
            {
                "username": "owner",
                "name": "Owen Owner",
                "job_title": owner.job_title,
                "role": "owner",
            }
        ]

    def test_it_paginates(self, viewer, django_assert_max_num_queries):
        for n in range(7):
            MembershipFactory(team=TeamFactory(name=f"Team {n:02d}"))
        with django_assert_max_num_queries(8):
            page = api_as(viewer).get(URL, {"page_size": 5}).json()
        assert page["count"] == 7
        assert len(page["results"]) == 5
        assert page["next"].endswith("page=2&page_size=5")

    def test_it_refuses_anonymous_requests_with_the_error_shape(self, db):
        response = APIClient().get(URL)
        assert response.status_code in (401, 403)
        body = response.json()
        assert body["status"] == response.status_code
        assert body["code"] == "not_authenticated"
        assert body["detail"]

    def test_it_accepts_a_token(self, viewer, team):
        token = Token.objects.create(user=viewer)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        assert client.get(URL).json()["count"] == 1

    def test_it_answers_a_json_404_for_an_unknown_team(self, viewer):
        response = api_as(viewer).get(URL + "nope/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestWrite:
    def test_it_lets_a_leader_create_a_team_with_members(self, leader):
        UserFactory(username="dana")
        UserFactory(username="ben")
        response = api_as(leader).post(
            URL,
            {
                "name": "Customer Success",
                "leader": "leader",
                "members": [{"username": "dana", "role": "owner"}, {"username": "ben"}],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["slug"] == "customer-success"
        team = Team.objects.get(slug="customer-success")
        assert {(m.user.username, m.role) for m in team.memberships.all()} == {
            ("dana", "owner"),
            ("ben", "member"),
        }

    def test_it_replaces_members_on_update_and_keeps_them_when_absent(self, leader, team, owner):
        UserFactory(username="newbie")
        client = api_as(leader)
        response = client.patch(URL + "sales/", {"description": "EMEA sales"}, format="json")
        assert response.status_code == 200
        assert [m["username"] for m in response.json()["members"]] == ["owner"]
        response = client.patch(
            URL + "sales/", {"members": [{"username": "newbie", "role": "owner"}]}, format="json"
        )
        assert response.status_code == 200
        assert [m["username"] for m in response.json()["members"]] == ["newbie"]
        team.refresh_from_db()
        assert team.description == "EMEA sales"

    @pytest.mark.parametrize("role", ["viewer", "ops", "owner"])
    def test_it_refuses_a_write_by_anyone_but_a_leader_and_changes_no_row(
        self, request, role, team
    ):
        client = api_as(request.getfixturevalue(role))
        before = list(Team.objects.values_list("name", "description"))
        created = client.post(URL, {"name": "Shadow IT"}, format="json")
        changed = client.patch(URL + "sales/", {"name": "Renamed"}, format="json")
        assert created.status_code == changed.status_code == 403
        assert created.json()["code"] == "permission_denied"
        assert list(Team.objects.values_list("name", "description")) == before

    def test_it_reports_every_invalid_field(self, leader, team):
        response = api_as(leader).post(
            URL,
            {
                "name": "Support",
                "leader": "ghost",
                "members": [{"username": "ghost"}, {"username": "leader", "role": "boss"}],
            },
            format="json",
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert set(body["errors"]) == {"leader", "members"}
        assert "ghost" in body["errors"]["leader"][0]
        assert Team.objects.count() == 1

    def test_it_refuses_a_name_whose_address_is_taken(self, leader, team):
        response = api_as(leader).post(URL, {"name": "sales"}, format="json")
        assert response.status_code == 400
        assert "already uses the address" in response.json()["errors"]["name"][0]

    def test_it_refuses_a_person_listed_twice(self, leader, owner):
        response = api_as(leader).post(
            URL,
            {"name": "Dupes", "members": [{"username": "owner"}, {"username": "owner"}]},
            format="json",
        )
        assert response.status_code == 400
        assert "owner" in str(response.json()["errors"]["members"])
        assert not Team.objects.filter(slug="dupes").exists()

    def test_it_does_not_offer_delete(self, leader, team):
        assert api_as(leader).delete(URL + "sales/").status_code == 405
        assert Team.objects.filter(slug="sales").exists()
