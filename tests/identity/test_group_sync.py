"""A person's groups become exactly their mapped roles and team places (identity.services)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from identity.models import DirectoryAccount, GroupMapping, SignedInSession
from identity.services import deactivate_person, remember_session, sync_groups
from seams.models import Membership
from seams.permissions import access_for, is_leader
from tests.conftest import client_for
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mappings(team):
    security = TeamFactory(name="Security")
    GroupMapping.objects.create(group="seamline-leaders", role="leader")
    GroupMapping.objects.create(group="seamline-ops", role="ops")
    GroupMapping.objects.create(group="Sales", team=team)
    GroupMapping.objects.create(group="Sales-owners", team=team, team_role="owner")
    GroupMapping.objects.create(group="Security", team=security)
    return security


def roles(user):
    return set(user.groups.values_list("name", flat=True))


def places(user):
    return {
        m.team.name: m.role for m in Membership.objects.filter(user=user).select_related("team")
    }


def test_groups_grant_roles_and_team_places_ignoring_case(mappings):
    person = UserFactory()
    result = sync_groups(user=person, groups=["SEAMLINE-LEADERS", "sales", "unknown"])
    assert roles(person) == {"leader"}
    assert places(person) == {"Sales": "member"}
    assert result.roles_added == ["leader"]
    assert result.teams_joined == ["Sales"]
    assert is_leader(person)


def test_owner_beats_member_when_two_groups_name_one_team(mappings):
    person = UserFactory()
    sync_groups(user=person, groups=["Sales", "Sales-owners"])
    assert places(person) == {"Sales": "owner"}
    assert access_for(person).owned_team_ids


def test_leaving_a_group_takes_away_what_it_granted(mappings):
    person = UserFactory()
    sync_groups(user=person, groups=["seamline-leaders", "Sales-owners", "Security"])
    result = sync_groups(user=person, groups=["Sales"])
    assert roles(person) == set()
    assert places(person) == {"Sales": "member"}
    assert result.roles_removed == ["leader"]
    assert result.teams_changed == ["Sales"]
    assert result.teams_left == ["Security"]
    assert not is_leader(person)


def test_roles_and_teams_no_mapping_names_are_left_alone(mappings):
    person = UserFactory(roles=["viewer"])
    legal = TeamFactory(name="Legal")
    Membership.objects.create(user=person, team=legal, role="owner")
    result = sync_groups(user=person, groups=[])
    assert roles(person) == {"viewer"}
    assert places(person) == {"Legal": "owner"}
    assert not result.changed


def test_the_same_groups_twice_change_nothing(mappings):
    person = UserFactory()
    sync_groups(user=person, groups=["seamline-ops", "Security"])
    assert not sync_groups(user=person, groups=["seamline-ops", "Security"]).changed


def test_groups_that_are_not_text_are_ignored(mappings):
    person = UserFactory()
    sync_groups(user=person, groups=[None, 7, {"a": 1}, "", "   ", "seamline-ops"])
    assert roles(person) == {"ops"}


def test_a_mapping_grants_a_role_or_a_team_never_both_nor_neither(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMapping.objects.create(group="x", role="leader", team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMapping.objects.create(group="x")
    GroupMapping.objects.create(group="x", role="leader")
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMapping.objects.create(group="X", role="leader")


def test_deactivation_ends_sessions_and_tokens_and_keeps_the_person(viewer):
    client = client_for(viewer)
    token = Token.objects.create(user=viewer)
    other = SessionStore()
    other.create()
    key = client.session.session_key
    assert SignedInSession.objects.filter(user=viewer, session_key=key).exists()

    deactivate_person(user=viewer)

    viewer.refresh_from_db()
    assert not viewer.is_active
    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.filter(session_key=other.session_key).exists()
    assert not Token.objects.filter(key=token.key).exists()
    assert DirectoryAccount.objects.get(user=viewer).deactivated_at is not None
    assert client.get("/account/").status_code == 302


def test_remember_session_ignores_a_missing_key(viewer):
    remember_session(user=viewer, session_key=None)
    assert not SignedInSession.objects.exists()


def test_a_removed_mapping_takes_away_what_it_granted_even_the_last_of_its_kind(team):
    person = UserFactory()
    leaders = GroupMapping.objects.create(group="Leadership", role="leader")
    sales = GroupMapping.objects.create(group="Sales", team=team)
    sync_groups(user=person, groups=["Leadership", "Sales"])
    leaders.delete()
    sales.delete()
    sync_groups(user=person, groups=["Leadership", "Sales"], removed=leaders)
    sync_groups(user=person, groups=["Leadership", "Sales"], removed=sales)
    assert roles(person) == set()
    assert places(person) == {}
