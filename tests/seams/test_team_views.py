import pytest
from django.urls import reverse

from seams.models import Membership, Team
from tests.factories import MembershipFactory, UserFactory


def member_rows(*rows, existing=()):
    """POST data for the membership formset: existing memberships first, then new rows."""
    data = {
        "members-TOTAL_FORMS": str(len(existing) + len(rows)),
        "members-INITIAL_FORMS": str(len(existing)),
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, (membership, delete) in enumerate(existing):
        data[f"members-{i}-id"] = str(membership.pk)
        data[f"members-{i}-user"] = str(membership.user_id)
        data[f"members-{i}-role"] = membership.role
        if delete:
            data[f"members-{i}-DELETE"] = "on"
    for j, (user, role) in enumerate(rows, start=len(existing)):
        data[f"members-{j}-user"] = str(user.pk) if user else ""
        data[f"members-{j}-role"] = role
    return data


class TestTeamDetail:
    def test_it_shows_the_team_with_its_leader_owners_and_members(self, viewer_client, team):
        chief = UserFactory(first_name="Tom", last_name="Becker", job_title="VP Sales")
        team.leader = chief
        team.save()
        MembershipFactory(
            team=team, user__first_name="Dana", user__last_name="Ortiz", role=Membership.Role.OWNER
        )
        MembershipFactory(team=team, user__first_name="Ben", user__last_name="Carter")
        response = viewer_client.get(reverse("seams:team-detail", args=[team.slug]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Tom Becker" in page
        assert "Dana Ortiz" in page
        assert "Ben Carter" in page
        assert [m.user.first_name for m in response.context["team"].memberships.all()] == [
            "Dana",
            "Ben",  # owners first
        ]
        assert "Edit team" not in page  # a viewer cannot change teams

    def test_it_answers_404_for_an_unknown_team(self, viewer_client, db):
        assert viewer_client.get(reverse("seams:team-detail", args=["nope"])).status_code == 404

    def test_it_refuses_post(self, leader_client, team):
        response = leader_client.post(reverse("seams:team-detail", args=[team.slug]))
        assert response.status_code == 405


class TestTeamCreate:
    url = reverse("seams:team-create")

    def test_it_creates_a_team_with_its_people(self, leader_client, leader):
        dana, ben = UserFactory(), UserFactory()
        data = {"name": "Customer Success", "description": "Keeps customers.", "leader": leader.pk}
        data |= member_rows((dana, "owner"), (ben, "member"), (None, "member"))
        response = leader_client.post(self.url, data)
        team = Team.objects.get(slug="customer-success")
        assert response.status_code == 302
        assert response["Location"] == team.get_absolute_url()
        assert team.leader == leader
        assert {(m.user, m.role) for m in team.memberships.all()} == {
            (dana, "owner"),
            (ben, "member"),
        }

    def test_it_refuses_a_name_whose_address_is_taken(self, leader_client, team):
        data = {"name": "SALES!"} | member_rows()
        response = leader_client.post(self.url, data)
        assert response.status_code == 400
        assert "already uses the address" in response.context["form"].errors["name"][0]
        assert Team.objects.count() == 1

    def test_it_refuses_the_same_person_twice_and_saves_nothing(self, leader_client, db):
        dana = UserFactory()
        data = {"name": "Support"} | member_rows((dana, "owner"), (dana, "member"))
        response = leader_client.post(self.url, data)
        assert response.status_code == 400
        assert response.context["formset"].non_form_errors()
        assert not Team.objects.filter(slug="support").exists()

    @pytest.mark.parametrize("client_name", ["owner_client", "ops_client", "viewer_client"])
    def test_it_refuses_anyone_but_a_leader_and_changes_nothing(self, request, client_name):
        client = request.getfixturevalue(client_name)
        before = Team.objects.count()
        assert client.get(self.url).status_code == 403
        response = client.post(self.url, {"name": "Shadow IT"} | member_rows())
        assert response.status_code == 403
        assert Team.objects.count() == before

    def test_it_refuses_put(self, leader_client):
        assert leader_client.put(self.url).status_code == 405


class TestTeamEdit:
    def test_it_renames_changes_roles_and_removes_people(self, leader_client, team, owner):
        member = MembershipFactory(team=team)
        owner_membership = owner.memberships.get()
        newcomer = UserFactory()
        data = {"name": "Sales EMEA", "description": ""}
        data |= member_rows(
            (newcomer, "owner"), existing=[(owner_membership, False), (member, True)]
        )
        data["members-0-role"] = "member"  # the owner steps down to member
        response = leader_client.post(reverse("seams:team-edit", args=[team.slug]), data)
        assert response.status_code == 302
        team.refresh_from_db()
        assert team.name == "Sales EMEA"
        assert team.slug == "sales"  # the address never changes
        assert {(m.user, m.role) for m in team.memberships.all()} == {
            (owner, "member"),
            (newcomer, "owner"),
        }

    def test_it_refuses_a_team_owner(self, owner_client, team):
        response = owner_client.post(
            reverse("seams:team-edit", args=[team.slug]), {"name": "Mine now"} | member_rows()
        )
        assert response.status_code == 403
        team.refresh_from_db()
        assert team.name == "Sales"
