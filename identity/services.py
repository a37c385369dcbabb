"""Writes that follow the identity provider: a person's groups becoming their mapped roles and
team memberships, and a person's deactivation."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from identity.models import DirectoryAccount, GroupMapping, SignedInSession
from seams.models import Membership, User
from seams.permissions import forget_access

DATABASE_SESSIONS = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}
SESSION_KEY_LENGTH = SignedInSession._meta.get_field("session_key").max_length

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


def grants_for(
    groups: Iterable[str], *, removed: GroupMapping | None = None
) -> tuple[set[str], dict[int, str], set[str], set[int]]:
    """What these groups grant under the current mappings: (roles, {team id: team role}), and
    the roles and teams that the mappings manage at all (with what a just `removed` mapping
    granted, so that it is taken away)."""
    wanted = {g.strip().casefold() for g in groups if isinstance(g, str) and g.strip()}
    roles: set[str] = set()
    teams: dict[int, str] = {}
    managed_roles: set[str] = {removed.role} if removed and removed.role else set()
    managed_teams: set[int] = {removed.team_id} if removed and removed.team_id else set()
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
def sync_groups(
    *, user: User, groups: Iterable[str], removed: GroupMapping | None = None
) -> GroupSync:
    """Give `user` exactly the mapped roles and team places their `groups` grant.

    Roles and teams that some mapping names follow the groups (added and removed); those no
    mapping names are left as they are, so what a leader set by hand outside the mappings
    stays. Each change is a model save, so the audit log records it.
    """
    roles, teams, managed_roles, managed_teams = grants_for(groups, removed=removed)
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
    """Note that this session is `user`'s, so that deactivation can end it. A session kept in
    a signed cookie has no key on the server to end (its person's deactivation refuses it)."""
    if session_key and len(session_key) <= SESSION_KEY_LENGTH:
        SignedInSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


@transaction.atomic
def deactivate_person(*, user: User) -> None:
    """Refuse the person from their very next request: no sign-in, no session, no API token.

    They stay in Seamline with everything they wrote (audit log, spec versions, decisions);
    a leader or the directory can activate them again.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in SignedInSession.objects.filter(user=user).values_list("session_key", flat=True):
        store(session_key=key).delete()  # the database's row, or the cache's entry, or both
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


def groups_of(user: User) -> set[str]:
    """Every group the identity provider places the person in: the SCIM directory's groups
    they are a member of, and the groups claim of their latest single sign-on."""
    names = set(user.directory_groups.values_list("display_name", flat=True))
    account = DirectoryAccount.objects.filter(user=user).only("sso_groups").first()
    if account and isinstance(account.sso_groups, list):
        names.update(g for g in account.sso_groups if isinstance(g, str))
    return names


def resync_person(*, user: User, removed: GroupMapping | None = None) -> GroupSync:
    """Apply all of the person's groups (`groups_of`) to their mapped roles and teams."""
    return sync_groups(user=user, groups=groups_of(user), removed=removed)


def resync_everyone(*, removed: GroupMapping | None = None) -> int:
    """After the mappings change (a mapping added, or `removed`): re-apply the groups of
    everyone the provider has told us about. Returns how many people's roles or teams
    changed."""
    people = User.objects.filter(
        Q(directory_account__isnull=False) | Q(directory_groups__isnull=False)
    ).distinct()
    return sum(resync_person(user=person, removed=removed).changed for person in people.iterator())


def forget_ended_sessions(now=None) -> int:
    """Delete expired sessions (Django's `clearsessions`) and the notes of whose they were.
    Sessions kept elsewhere than the database expire on their own."""
    if settings.SESSION_ENGINE not in DATABASE_SESSIONS:
        return 0
    now = now or timezone.now()
    Session.objects.filter(expire_date__lt=now).delete()
    live = Session.objects.filter(expire_date__gte=now).values("session_key")
    return SignedInSession.objects.exclude(session_key__in=live).delete()[0]
