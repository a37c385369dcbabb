"""SCIM Groups: each membership change gives the people their mapped roles and teams."""

import pytest
from auditlog.models import LogEntry

from identity.models import DirectoryGroup, GroupMapping
from seams.models import Membership, User
from tests.identity.scim_helpers import GROUP, assert_scim_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(team):
    GroupMapping.objects.create(group="Seamline Leaders", role="leader")
    GroupMapping.objects.create(group="Sales", team=team, team_role="owner")
    return team


@pytest.fixture
def people(directory):
    return [directory.create_user(f"{n}@example.com") for n in ("ada", "bob", "cy")]


def user(resource: dict) -> User:
    return User.objects.get(directory_account__scim_id=resource["id"])


def roles(resource: dict) -> set[str]:
    return set(user(resource).groups.values_list("name", flat=True))


def teams(resource: dict) -> dict[str, str]:
    return {m.team.name: m.role for m in Membership.objects.filter(user=user(resource))}


def test_creating_a_group_with_members_grants_the_mapped_role(directory, mapped, people):
    created = directory.create_group("Seamline Leaders", [people[0]["id"], people[1]["id"]])
    assert roles(people[0]) == roles(people[1]) == {"leader"}
    assert roles(people[2]) == set()
    group = DirectoryGroup.objects.get(scim_id=created["id"])
    assert set(group.members.all()) == {user(people[0]), user(people[1])}
    assert {m["value"] for m in created["members"]} == {people[0]["id"], people[1]["id"]}
    ada = directory.get(f"/Users/{people[0]['id']}").json()
    assert ada["groups"][0]["value"] == created["id"]
    assert ada["groups"][0]["display"] == "Seamline Leaders"


def test_entra_adds_and_removes_members_and_the_team_follows(directory, mapped, people):
    sales = directory.create_group("Sales")
    # Entra ID adds members with the path and a list of values…
    ops = [
        {
            "op": "Add",
            "path": "members",
            "value": [{"value": people[0]["id"]}, {"value": people[1]["id"]}],
        }
    ]
    assert directory.patch(f"/Groups/{sales['id']}", ops).status_code == 200
    assert teams(people[0]) == teams(people[1]) == {"Sales": "owner"}
    # …and removes them the same way.
    ops = [{"op": "Remove", "path": "members", "value": [{"value": people[0]["id"]}]}]
    assert directory.patch(f"/Groups/{sales['id']}", ops).status_code == 200
    assert teams(people[0]) == {}
    assert teams(people[1]) == {"Sales": "owner"}


def test_okta_removes_a_member_by_filter_and_renames_with_a_value_object(directory, mapped, people):
    sales = directory.create_group("Sales", [people[0]["id"], people[1]["id"]])
    ops = [{"op": "remove", "path": f'members[value eq "{people[1]["id"]}"]'}]
    response = directory.patch(f"/Groups/{sales['id']}", ops)
    assert response.status_code == 200, response.content
    assert [m["value"] for m in response.json()["members"]] == [people[0]["id"]]
    assert teams(people[1]) == {}
    # Okta renames with {"id", "displayName"} as the value: the group no longer maps to Sales.
    ops = [{"op": "replace", "value": {"id": sales["id"], "displayName": "Seamline Leaders"}}]
    assert (
        directory.patch(f"/Groups/{sales['id']}", ops).json()["displayName"] == "Seamline Leaders"
    )
    assert teams(people[0]) == {}
    assert roles(people[0]) == {"leader"}


def test_put_replaces_the_members(directory, mapped, people):
    leaders = directory.create_group("Seamline Leaders", [people[0]["id"]])
    body = {
        "schemas": [GROUP],
        "displayName": "Seamline Leaders",
        "members": [{"value": people[2]["id"]}],
    }
    assert directory.put(f"/Groups/{leaders['id']}", body).status_code == 200
    assert roles(people[0]) == set()
    assert roles(people[2]) == {"leader"}


def test_deleting_a_group_takes_back_what_it_granted(directory, mapped, people):
    leaders = directory.create_group("Seamline Leaders", [people[0]["id"]])
    assert directory.delete(f"/Groups/{leaders['id']}").status_code == 204
    assert not DirectoryGroup.objects.exists()
    assert roles(people[0]) == set()
    assert user(people[0]).is_active  # the person stays
    assert_scim_error(directory.get(f"/Groups/{leaders['id']}"), 404)


def test_deleting_a_person_takes_them_out_of_their_groups(directory, mapped, people):
    leaders = directory.create_group("Seamline Leaders", [people[0]["id"], people[1]["id"]])
    assert directory.delete(f"/Users/{people[0]['id']}").status_code == 204
    assert roles(people[0]) == set()
    members = directory.get(f"/Groups/{leaders['id']}").json()["members"]
    assert [m["value"] for m in members] == [people[1]["id"]]


def test_it_filters_groups_by_display_name(directory, people):
    directory.create_group("Sales")
    directory.create_group("Support", [people[0]["id"]])
    found = directory.get("/Groups", filter='displayName eq "support"').json()
    assert [g["displayName"] for g in found["Resources"]] == ["Support"]
    by_member = directory.get("/Groups", filter=f'members.value eq "{people[0]["id"]}"').json()
    assert [g["displayName"] for g in by_member["Resources"]] == ["Support"]
    assert directory.get("/Groups").json()["totalResults"] == 2


def test_a_second_group_with_the_same_name_is_a_conflict(directory):
    directory.create_group("Sales")
    assert_scim_error(
        directory.post("/Groups", {"schemas": [GROUP], "displayName": "SALES"}), 409, "uniqueness"
    )
    assert DirectoryGroup.objects.count() == 1


@pytest.mark.parametrize(
    "members",
    [
        [{"value": "8f2d3c1e-0000-4000-8000-000000000000"}],
        [{"value": "not-an-id"}],
        [{"value": 12}],
        "everyone",
    ],
)
def test_members_that_are_no_directory_people_are_a_400(directory, people, leader, members):
    before = LogEntry.objects.count()
    body = {"schemas": [GROUP], "displayName": "Leaders", "members": members}
    assert_scim_error(directory.post("/Groups", body), 400, "invalidValue")
    assert not DirectoryGroup.objects.exists()
    assert LogEntry.objects.count() == before


def test_a_person_seamline_has_but_the_directory_never_provisioned_cannot_be_a_member(
    directory, leader
):
    # The leader exists in Seamline, but has no SCIM id: nothing can name them.
    body = {"schemas": [GROUP], "displayName": "Leaders", "members": [{"value": str(leader.pk)}]}
    assert_scim_error(directory.post("/Groups", body), 400)
    assert not DirectoryGroup.objects.exists()


def test_a_bad_group_patch_changes_nothing(directory, mapped, people):
    sales = directory.create_group("Sales", [people[0]["id"]])
    ops = [
        {"op": "add", "path": "members", "value": [{"value": people[1]["id"]}]},
        {"op": "remove", "path": 'members[display eq "x"]'},
    ]
    assert_scim_error(directory.patch(f"/Groups/{sales['id']}", ops), 400, "invalidFilter")
    assert teams(people[1]) == {}
    assert list(DirectoryGroup.objects.get().members.all()) == [user(people[0])]
    ops = [{"op": "replace", "path": "nonsense", "value": 1}]
    assert_scim_error(directory.patch(f"/Groups/{sales['id']}", ops), 400, "invalidPath")


def test_a_group_change_keeps_what_the_persons_single_sign_on_groups_grant(
    directory, mapped, people
):
    ada = user(people[0])
    ada.directory_account.sso_groups = ["Seamline Leaders"]
    ada.directory_account.save(update_fields=["sso_groups"])
    sales = directory.create_group("Sales", [people[0]["id"]])
    assert roles(people[0]) == {"leader"}
    assert teams(people[0]) == {"Sales": "owner"}
    directory.patch(f"/Groups/{sales['id']}", [{"op": "remove", "path": "members"}])
    assert teams(people[0]) == {}
    assert roles(people[0]) == {"leader"}
