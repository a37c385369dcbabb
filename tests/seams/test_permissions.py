"""The permission matrix of DESIGN.md, predicate by predicate."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from seams import permissions
from tests.factories import UserFactory


def seam_between(from_team, to_team):
    return SimpleNamespace(from_team_id=from_team.pk, to_team_id=to_team.pk)


@pytest.mark.django_db
def test_it_lets_everyone_signed_in_read_and_no_one_anonymous(leader, owner, ops, viewer):
    for user in (leader, owner, ops, viewer, UserFactory()):
        assert permissions.can_read(user)
    assert not permissions.can_read(AnonymousUser())
    assert not permissions.can_read(UserFactory(is_active=False))


@pytest.mark.django_db
def test_it_lets_leaders_and_owners_of_either_team_edit_a_spec(
    leader, owner, other_owner, ops, viewer, team, other_team
):
    third = UserFactory(username="third")
    seam = seam_between(team, other_team)  # Sales → Product
    elsewhere = seam_between(other_team, other_team)
    assert permissions.can_edit_spec(leader, seam)
    assert permissions.can_edit_spec(owner, seam)  # owns the from-team
    assert permissions.can_edit_spec(other_owner, seam)  # owns the to-team
    assert not permissions.can_edit_spec(owner, elsewhere)
    assert not permissions.can_edit_spec(ops, seam)
    assert not permissions.can_edit_spec(viewer, seam)
    assert not permissions.can_edit_spec(third, seam)


@pytest.mark.django_db
def test_it_reserves_contracts_reviews_and_targets_to_leaders(leader, owner, ops, viewer):
    assert permissions.can_manage_contracts(leader)
    for user in (owner, ops, viewer):
        assert not permissions.can_manage_contracts(user)


@pytest.mark.django_db
def test_it_lets_leaders_ops_and_owners_of_their_teams_log(
    leader, owner, ops, viewer, team, other_team
):
    assert permissions.can_log(leader, [other_team.pk])
    assert permissions.can_log(ops, [other_team.pk])
    assert permissions.can_log(owner, [team.pk])
    assert permissions.can_log(owner, [team.pk, other_team.pk])
    assert not permissions.can_log(owner, [other_team.pk])
    assert not permissions.can_log(viewer, [team.pk])
    # May the user log anything at all? And something that involves no team: leaders and ops.
    assert permissions.can_log_somewhere(owner)
    assert not permissions.can_log_somewhere(viewer)
    assert not permissions.can_log(owner, [])
    assert permissions.can_log(ops, [])


@pytest.mark.django_db
def test_it_lets_leaders_and_ops_import_and_recompute(leader, owner, ops, viewer):
    for user in (leader, ops):
        assert permissions.can_import_handoffs(user)
        assert permissions.can_trigger_recompute(user)
    for user in (owner, viewer):
        assert not permissions.can_import_handoffs(user)
        assert not permissions.can_trigger_recompute(user)


@pytest.mark.django_db
def test_it_adds_up_rights_over_roles(team, other_team):
    from seams.models import Membership
    from tests.factories import MembershipFactory

    ops_owner = UserFactory(roles=["ops", "viewer"])
    MembershipFactory(team=team, user=ops_owner, role=Membership.Role.OWNER)
    assert permissions.can_import_handoffs(ops_owner)  # from ops
    assert permissions.can_edit_spec(ops_owner, seam_between(team, other_team))  # from owning
    assert permissions.role_label(ops_owner) == "Ops · team owner"


@pytest.mark.django_db
def test_it_gives_a_member_who_owns_no_team_the_viewers_rights(team, other_team):
    from tests.factories import MembershipFactory

    member = MembershipFactory(team=team).user
    assert permissions.can_read(member)
    assert not permissions.can_log(member, [team.pk])
    assert not permissions.can_edit_spec(member, seam_between(team, other_team))
    assert permissions.role_label(member) == "Viewer"


@pytest.mark.django_db
def test_it_treats_superusers_as_leaders():
    admin = UserFactory(is_superuser=True)
    assert permissions.can_manage_contracts(admin)
    assert permissions.role_label(admin) == "Leader"


@pytest.mark.django_db
def test_it_reads_roles_once_per_user_object(leader, django_assert_num_queries):
    permissions.forget_access(leader)
    with django_assert_num_queries(2):  # groups, owned teams
        permissions.is_leader(leader)
        permissions.can_log_somewhere(leader)
        permissions.role_label(leader)
