"""Writes that follow the identity provider: a person's groups becoming their mapped roles and
team memberships, and a person's deactivation."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from identity.models import DirectoryAccount, GroupMapping, SignedInSession
from identity.oidc import KEPT_GROUPS, Identity, SignInRefused
from seams.models import Membership, User
from seams.permissions import forget_access

# An owner of a team is also a member of it: when two groups place a person in one team, the
# stronger place wins.
_TEAM_ROLE_RANK = {Membership.Role.MEMBER: 0, Membership.Role.OWNER: 1}


@dataclass
class GroupSync:
    """What applying a person's groups changed."""

    roles_added: list[str] = field(default_factory=list)
    roles_removed: list[str] = field(default_factory=list)
    teams_joined: list[str] = field(default_factory=list)
    teams_changed: list[str] = field(default_factory=list)
    teams_left: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


def grants_for(groups: Iterable[str]) -> tuple[set[str], dict[int, str], set[str], set[int]]:
    """What these groups grant under the current mappings: (roles, {team id: team role}), and
    the roles and teams that the mappings manage at all."""
    wanted = {g.strip().casefold() for g in groups if isinstance(g, str) and g.strip()}
    roles: set[str] = set()
    teams: dict[int, str] = {}
    managed_roles: set[str] = set()
    managed_teams: set[int] = set()
    for mapping in GroupMapping.objects.all():
        matches = mapping.group.strip().casefold() in wanted
        if mapping.role:
            managed_roles.add(mapping.role)
            if matches:
                roles.add(mapping.role)
        else:
            managed_teams.add(mapping.team_id)
            if matches and _TEAM_ROLE_RANK[mapping.team_role] >= _TEAM_ROLE_RANK.get(
                teams.get(mapping.team_id), -1
            ):
                teams[mapping.team_id] = mapping.team_role
    return roles, teams, managed_roles, managed_teams


@transaction.atomic
def sync_groups(*, user: User, groups: Iterable[str]) -> GroupSync:
    """Give `user` exactly the mapped roles and team places their `groups` grant.

    Roles and teams that some mapping names follow the groups (added and removed); those no
    mapping names are left as they are, so what a leader set by hand outside the mappings
    stays. Each change is a model save, so the audit log records it.
    """
    roles, teams, managed_roles, managed_teams = grants_for(groups)
    result = GroupSync()

    current_roles = set(user.groups.filter(name__in=managed_roles).values_list("name", flat=True))
    for name in sorted(roles - current_roles):
        user.groups.add(Group.objects.get_or_create(name=name)[0])
        result.roles_added.append(name)
    removed = current_roles - roles
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
        result.roles_removed.extend(sorted(removed))

    memberships = {
        m.team_id: m
        for m in Membership.objects.filter(user=user, team_id__in=managed_teams).select_related(
            "team"
        )
    }
    for team_id in sorted(managed_teams):
        membership = memberships.get(team_id)
        wanted = teams.get(team_id)
        if wanted is None and membership is not None:
            result.teams_left.append(membership.team.name)
            membership.delete()
        elif wanted is not None and membership is None:
            membership = Membership.objects.create(user=user, team_id=team_id, role=wanted)
            result.teams_joined.append(membership.team.name)
        elif wanted is not None and membership.role != wanted:
            membership.role = wanted
            membership.save(update_fields=["role"])
            result.teams_changed.append(membership.team.name)
    forget_access(user)
    return result


def remember_session(*, user: User, session_key: str | None) -> None:
    """Note that this session is `user`'s, so that deactivation can end it."""
    if session_key:
        SignedInSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


@transaction.atomic
def deactivate_person(*, user: User) -> None:
    """Refuse the person from their very next request: no sign-in, no session, no API token.

    They stay in Seamline with everything they wrote (audit log, spec versions, decisions);
    a leader or the directory can activate them again.
    """
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    SignedInSession.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    account, _ = DirectoryAccount.objects.get_or_create(user=user)
    account.deactivated_at = timezone.now()
    account.save(update_fields=["deactivated_at", "updated_at"])
    forget_access(user)


@transaction.atomic
def activate_person(*, user: User) -> None:
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    DirectoryAccount.objects.filter(user=user).update(deactivated_at=None)
    forget_access(user)


# --- Single sign-on -----------------------------------------------------------------------


@transaction.atomic
def sign_in_with_sso(*, issuer: str, identity: Identity, create_people: bool) -> User:
    """The person the identity provider signed in, found by their verified email address
    (created when `create_people` allows), with their subject recorded and their groups
    applied. Raises SignInRefused, before writing anything, when Seamline can't accept them."""
    _check_claims(identity)
    user, account = _find_person(issuer=issuer, identity=identity, create_people=create_people)
    account = account or DirectoryAccount.objects.get_or_create(user=user)[0]
    account.oidc_issuer = issuer
    account.oidc_subject = identity.subject
    account.last_sso_at = timezone.now()
    update = ["oidc_issuer", "oidc_subject", "last_sso_at", "updated_at"]
    if identity.groups is not None:
        account.sso_groups = identity.groups[:KEPT_GROUPS]
        update.append("sso_groups")
    account.save(update_fields=update)
    if identity.groups is not None:
        sync_groups(user=user, groups=identity.groups)
    return user


def _check_claims(identity: Identity) -> None:
    refused = {"email": identity.email, "subject": identity.subject}
    if not identity.subject or identity.email_unreadable:
        raise SignInRefused("bad_claims", **refused)
    if not identity.email:
        raise SignInRefused("missing_email", **refused)
    try:
        validate_email(identity.email)
    except ValidationError:
        raise SignInRefused("bad_claims", **refused) from None
    if not identity.email_verified:
        raise SignInRefused("unverified_email", **refused)


def _find_person(
    *, issuer: str, identity: Identity, create_people: bool
) -> tuple[User, DirectoryAccount | None]:
    """The one active person with this email address, whose directory account (if linked)
    is this subject's; or a new person."""
    refused = {"email": identity.email, "subject": identity.subject}
    people = list(User.objects.filter(email__iexact=identity.email)[:2])
    if len(people) > 1:
        raise SignInRefused("several_people", **refused)
    linked = (
        DirectoryAccount.objects.filter(oidc_issuer=issuer, oidc_subject=identity.subject)
        .select_related("user")
        .first()
    )
    if not people:
        if linked:
            # The provider's account is someone's here, under another email address now.
            raise SignInRefused("subject_taken", user=linked.user, **refused)
        if not create_people:
            raise SignInRefused("unknown_person", **refused)
        return _create_person(identity), None
    user = people[0]
    if not user.is_active:
        raise SignInRefused("deactivated", user=user, **refused)
    account = DirectoryAccount.objects.filter(user=user).first()
    if (
        account
        and account.oidc_subject
        and (account.oidc_issuer, account.oidc_subject)
        != (
            issuer,
            identity.subject,
        )
    ):
        raise SignInRefused("subject_mismatch", user=user, **refused)
    if linked and linked.user_id != user.pk:
        raise SignInRefused("subject_taken", user=user, **refused)
    return user, account


def _create_person(identity: Identity) -> User:
    user = User(
        username=_free_username(identity.email),
        email=identity.email,
        first_name=identity.first_name,
        last_name=identity.last_name,
    )
    user.set_unusable_password()
    user.save()
    return user


def _free_username(email: str) -> str:
    """A username from the email address's local part ("lena.lind"), made unique with a
    number ("lena.lind2") when someone has it already."""
    base = re.sub(r"[^\w.+-]", "", email.split("@", 1)[0])[:140] or "person"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.casefold() for name in taken}
    candidate, number = base, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate
