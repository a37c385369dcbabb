"""Writes that follow the identity provider: a person's groups becoming their mapped roles and
team memberships, and a person's deactivation."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from identity.models import DirectoryAccount, DirectoryGroup, GroupMapping, SignedInSession
from identity.oidc import KEPT_GROUPS, Identity, SignInRefused
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


def groups_of(user: User, *, claim: Iterable | None = None) -> set[str]:
    """Every group the identity provider places the person in: the SCIM directory's groups
    they are a member of, and the groups claim of their latest single sign-on (`claim`, the
    one just read, else the one kept from the last sign-on)."""
    names = set(user.directory_groups.values_list("display_name", flat=True))
    if claim is None:
        account = DirectoryAccount.objects.filter(user=user).only("sso_groups").first()
        claim = account.sso_groups if account and isinstance(account.sso_groups, list) else []
    names.update(g for g in claim if isinstance(g, str))
    return names


def resync_person(
    *, user: User, removed: GroupMapping | None = None, claim: Iterable | None = None
) -> GroupSync:
    """Apply all of the person's groups (`groups_of`) to their mapped roles and teams."""
    return sync_groups(user=user, groups=groups_of(user, claim=claim), removed=removed)


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


# --- The SCIM directory: people and groups it provisions --------------------------------------


class DirectoryConflict(Exception):
    """The directory asked for something another person or group already holds."""


@dataclass(frozen=True)
class DirectoryPerson:
    """A person as the SCIM directory describes them, already checked."""

    user_name: str
    external_id: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    title: str = ""
    active: bool | None = None


def _match_existing(person: DirectoryPerson) -> User | None:
    """The Seamline person the directory means, matched by username or email; a conflict if
    the two name different people."""
    by_name = User.objects.filter(username__iexact=person.user_name).first()
    by_email = None
    if person.email:
        by_email = User.objects.filter(email__iexact=person.email).order_by("pk").first()
    if by_name and by_email and by_name.pk != by_email.pk:
        raise DirectoryConflict(
            f"userName {person.user_name!r} and email {person.email!r} belong to two "
            "different people in Seamline."
        )
    return by_name or by_email


@transaction.atomic
def provision_person(*, person: DirectoryPerson) -> User:
    """Create the person the directory pushes, or claim the Seamline person it already is
    (same username or email): never a second account for one person.

    A person the directory provisions signs in through the identity provider: no password.
    Superusers are Seamline's own way in and are never handed to the directory.
    """
    user = _match_existing(person)
    if user is not None:
        account, _ = DirectoryAccount.objects.get_or_create(user=user)
        if account.scim_provisioned and account.scim_deleted_at is None:
            raise DirectoryConflict(f"userName {person.user_name!r} is already provisioned.")
        if user.is_superuser:
            raise DirectoryConflict(
                f"{person.user_name!r} is a Seamline superuser, managed in Seamline only."
            )
    else:
        user = User(username=person.user_name, is_active=True)
        user.set_unusable_password()
        user.save()
        account = DirectoryAccount.objects.create(user=user)
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    account.scim_provisioned = True
    account.scim_deleted_at = None
    account.save(update_fields=["scim_provisioned", "scim_deleted_at", "updated_at"])
    update_person(user=user, person=person)
    return user


@transaction.atomic
def update_person(*, user: User, person: DirectoryPerson) -> None:
    """Make the person what the directory says; `active` false deactivates them at once (no
    session, no API token), true lets them in again."""
    clash = User.objects.filter(username__iexact=person.user_name).exclude(pk=user.pk)
    if clash.exists():
        raise DirectoryConflict(f"userName {person.user_name!r} belongs to someone else.")
    wanted = {
        "username": person.user_name,
        "first_name": person.given_name,
        "last_name": person.family_name,
        "email": person.email,
        "job_title": person.title,
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if changed:
        user.save(update_fields=changed)
    account, _ = DirectoryAccount.objects.get_or_create(user=user)
    if account.scim_external_id != person.external_id:
        account.scim_external_id = person.external_id
        account.save(update_fields=["scim_external_id", "updated_at"])
    if person.active is False and user.is_active:
        deactivate_person(user=user)
    elif person.active is True and not user.is_active:
        activate_person(user=user)


@transaction.atomic
def remove_person_from_directory(*, user: User) -> None:
    """The directory deleted the person: they stay in Seamline, deactivated, with everything
    they wrote; they leave the directory's groups (and what those granted)."""
    deactivate_person(user=user)
    groups = list(user.directory_groups.all())
    for group in groups:
        group.members.remove(user)
    if groups:
        resync_directory_groups(users=[user])
    account = DirectoryAccount.objects.get(user=user)
    account.scim_deleted_at = timezone.now()
    account.save(update_fields=["scim_deleted_at", "updated_at"])


def resync_directory_groups(*, users: Iterable[User]) -> None:
    """Give each person the mapped roles and teams of all their groups (`resync_person`)."""
    for user in users:
        resync_person(user=user)


@transaction.atomic
def save_directory_group(
    *,
    group: DirectoryGroup,
    display_name: str,
    external_id: str,
    members: list[User] | None,
) -> None:
    """Create or change a directory group; `members` None keeps its members. Everyone whose
    groups changed (all its members when it is renamed) gets their mapped roles and teams."""
    clash = DirectoryGroup.objects.filter(display_name__iexact=display_name)
    if group.pk:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise DirectoryConflict(f"displayName {display_name!r} is already a group.")
    renamed = group.pk is not None and group.display_name != display_name
    before = {u.pk: u for u in group.members.all()} if group.pk else {}
    if not group.pk or renamed or group.external_id != external_id:
        group.display_name = display_name
        group.external_id = external_id
        group.save()
    after = before
    if members is not None:
        after = {u.pk: u for u in members}
        gone = [u for pk, u in before.items() if pk not in after]
        new = [u for pk, u in after.items() if pk not in before]
        if gone:
            group.members.remove(*gone)
        if new:
            group.members.add(*new)
    if renamed:
        affected = {**before, **after}
    else:
        affected = {
            pk: u for pk, u in {**before, **after}.items() if (pk in before) != (pk in after)
        }
    resync_directory_groups(users=affected.values())


@transaction.atomic
def delete_directory_group(*, group: DirectoryGroup) -> None:
    """Delete the group; its members keep only what their other groups grant."""
    members = list(group.members.all())
    group.delete()
    resync_directory_groups(users=members)


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
        # The claim's groups with the SCIM directory's: one set, whichever told us.
        resync_person(user=user, claim=identity.groups)
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
