"""The directory groups page: leaders map the identity provider's groups to roles and teams."""

import pytest
from django.urls import reverse

from identity.models import DirectoryAccount, DirectoryGroup, GroupMapping
from seams.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("identity:groups")
ADD = reverse("identity:group-mapping-add")


@pytest.fixture
def directory_person(db):
    """Someone the SCIM directory placed in "Leadership" and whose last sign-on said "Sales"."""
    person = UserFactory(username="dana")
    DirectoryAccount.objects.create(user=person, sso_groups=["Sales"])
    DirectoryGroup.objects.create(display_name="Leadership").members.add(person)
    return person


def test_everyone_reads_it_and_only_leaders_get_the_controls(viewer_client, leader_client):
    GroupMapping.objects.create(group="seamline-ops", role="ops")
    page = viewer_client.get(URL).content.decode()
    assert "seamline-ops" in page
    assert "Add mapping" not in page
    assert "Add mapping" in leader_client.get(URL).content.decode()


def test_an_empty_page_says_what_to_do(leader_client):
    page = leader_client.get(URL).content.decode()
    assert "No groups mapped yet" in page
    assert "No directory groups" in page


def test_a_leader_maps_a_group_and_its_people_get_the_role_at_once(leader_client, directory_person):
    response = leader_client.post(ADD, {"group": " leadership ", "grants": "role:leader"})
    assert response.status_code == 302
    mapping = GroupMapping.objects.get()
    assert (mapping.group, mapping.role) == ("leadership", "leader")
    assert set(directory_person.groups.values_list("name", flat=True)) == {"leader"}
    page = leader_client.get(URL).content.decode()
    assert "1 person updated" in page
    assert "Mapped" in page


def test_a_team_mapping_uses_the_sign_on_groups_too(leader_client, directory_person, team):
    leader_client.post(ADD, {"group": "Sales", "grants": f"team:{team.pk}:owner"})
    membership = Membership.objects.get(user=directory_person)
    assert (membership.team, membership.role) == (team, "owner")


def test_removing_a_mapping_takes_the_role_away(leader_client, directory_person):
    leader_client.post(ADD, {"group": "Leadership", "grants": "role:leader"})
    mapping = GroupMapping.objects.get()
    response = leader_client.post(
        reverse("identity:group-mapping-remove", args=[mapping.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "no longer grants Leader" in response.content.decode()
    assert not GroupMapping.objects.exists()
    assert not directory_person.groups.exists()


def test_htmx_add_answers_with_the_table_alone(leader_client):
    response = leader_client.post(
        ADD, {"group": "seamline-ops", "grants": "role:ops"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="card section-gap" id="mappings"')
    assert "seamline-ops" in body


def test_the_same_grant_twice_is_refused_with_a_reason(leader_client):
    GroupMapping.objects.create(group="Leadership", role="leader")
    response = leader_client.post(ADD, {"group": "LEADERSHIP", "grants": "role:leader"})
    assert response.status_code == 400
    assert "already grants this" in response.content.decode()
    assert GroupMapping.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"group": "", "grants": "role:leader"},
        {"group": "   ", "grants": "role:leader"},
        {"group": "x" * 256, "grants": "role:leader"},
        {"group": "ops", "grants": ""},
        {"group": "ops", "grants": "role:god"},
        {"group": "ops", "grants": "team:999999:owner"},
        {"group": "ops", "grants": "team:abc:member"},
        {"group": "ops", "grants": "team:1:king"},
        {"group": "ops\x00", "grants": "role:ops"},
    ],
)
def test_bad_input_is_refused_and_nothing_written(leader_client, body):
    response = leader_client.post(ADD, body)
    assert response.status_code == 400
    if "\x00" not in body["group"]:
        assert "errorlist" in response.content.decode()
    assert not GroupMapping.objects.exists()


def test_people_who_are_not_leaders_change_nothing(ops_client, owner_client):
    for client in (ops_client, owner_client):
        assert client.post(ADD, {"group": "x", "grants": "role:leader"}).status_code == 403
    mapping = GroupMapping.objects.create(group="x", role="ops")
    remove = reverse("identity:group-mapping-remove", args=[mapping.pk])
    assert ops_client.post(remove).status_code == 403
    assert GroupMapping.objects.count() == 1


def test_removing_what_is_gone_is_404(leader_client):
    assert (
        leader_client.post(reverse("identity:group-mapping-remove", args=[404])).status_code == 404
    )


def test_the_page_reads_in_bounded_queries(leader_client, django_assert_max_num_queries, team):
    for n in range(30):
        GroupMapping.objects.create(
            group=f"group-{n}",
            team=team if n % 2 else None,
            role="" if n % 2 else "ops" if n % 4 == 0 else "viewer",
        )
        DirectoryGroup.objects.create(display_name=f"group-{n}")
    with django_assert_max_num_queries(16):
        leader_client.get(URL)
