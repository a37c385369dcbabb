"""The permission matrix of DESIGN.md as plain predicates, used by views and the API alike.

| action                                              | leader | team owner      | ops | viewer |
| read anything in the organisation                   |   ✓    |   ✓             |  ✓  |   ✓    |
| edit a handoff spec                                 |   ✓    | own seams only  |  —  |   —    |
| create/approve/sign contracts, hold reviews, targets|   ✓    |   —             |  —  |   —    |
| log decisions, escalations, constraints, deps, …    |   ✓    | own teams       |  ✓  |   —    |
| import handoffs, trigger recompute                  |   ✓    |   —             |  ✓  |   —    |

Organisation roles are Django groups (`leader`, `ops`, `viewer`); team ownership is a
`Membership` with role `owner`. Rights add up over a person's roles; a signed-in person with
neither has the viewer's rights. Superusers count as leaders.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

LEADER = "leader"
OPS = "ops"
VIEWER = "viewer"
ORG_ROLES = (LEADER, OPS, VIEWER)

_CACHE_ATTR = "_seamline_access"

# Why a write was refused for its place: the pages and the API say the same.
NOT_YOUR_PLACE = (
    "Leaders and ops log anywhere; team owners log for their own teams and their seams, and "
    "every seam or team a write names must be one of theirs."
)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    owned_team_ids: frozenset[int]


def access_for(user) -> Access:
    """What a user is, read once per user object (one request) and kept on it."""
    if not (user.is_authenticated and user.is_active):
        return Access(frozenset(), frozenset())
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from seams.models import Membership

        roles = set(user.groups.filter(name__in=ORG_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            roles.add(LEADER)
        owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER).values_list(
            "team_id", flat=True
        )
        cached = Access(frozenset(roles), frozenset(owned))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_access(user) -> None:
    """Drop the cached roles, after changing a user's groups or memberships."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def can_read(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_leader(user) -> bool:
    return LEADER in access_for(user).roles


def is_ops(user) -> bool:
    return OPS in access_for(user).roles


def owns_any_team(user) -> bool:
    return bool(access_for(user).owned_team_ids)


def owns_team(user, team_id: int) -> bool:
    return team_id in access_for(user).owned_team_ids


def can_edit_spec(user, seam) -> bool:
    """Leaders, and owners of the seam's from- or to-team."""
    if is_leader(user):
        return True
    return bool(access_for(user).owned_team_ids & {seam.from_team_id, seam.to_team_id})


def can_manage_contracts(user) -> bool:
    """Create, approve and sign contracts, hold reviews, set targets: leaders only."""
    return is_leader(user)


def can_log(user, team_ids: Iterable[int]) -> bool:
    """Log decisions, escalations, constraints, dependencies and handoffs involving `team_ids`.

    Leaders and ops log anywhere; a team owner logs where one of the teams involved is theirs
    (so nothing that involves no team).
    """
    access = access_for(user)
    if access.roles & {LEADER, OPS}:
        return True
    return bool(access.owned_team_ids & set(team_ids))


def can_log_at(user, *places) -> bool:
    """Log a write that names these places: each one must be a place the user logs for.

    A place is a seam, a team, or a tuple of them where any one will do (a dependency's two
    teams); `None` (a place left empty) asks nothing. Checking each place on its own is what
    keeps a team owner from tagging their own team's constraint or dependency to another
    team's seam: one team of theirs somewhere on the write is not enough.
    """
    named = [place for place in places if place is not None]
    if not named:  # nothing involves any team: leaders and ops only
        return can_log(user, [])
    return all(
        can_log(user, teams_of(*(place if isinstance(place, tuple | list) else [place])))
        for place in named
    )


def require_log_at(user, *places) -> None:
    """`can_log_at`, or a 403 that says why (pages and API alike)."""
    if not can_log_at(user, *places):
        raise PermissionDenied(NOT_YOUR_PLACE)


def may_be_named(person, *places) -> bool:
    """Whether `person` may be named to act at these places: a decision's decider, the owner
    of a constraint or a dependency. Only someone who logs there: viewers change nothing, and
    a team owner acts for their own teams."""
    return bool(person.is_active) and can_log_at(person, *places)


def named_person_error(person, *places) -> str:
    """Why `person` can't be named at these places ("" when they can): the one message the
    forms and the API give."""
    if person is None or may_be_named(person, *places):
        return ""
    return (
        f"{person.get_full_name() or person.username} can't be named here: only leaders, ops "
        "and the owners of the teams involved act on it (viewers change nothing)."
    )


def can_decide(user, decider, *places) -> bool:
    """Decide a decision: leaders, and the named decider while they may still act at its
    place (one whose rights were taken away since has a viewer's rights)."""
    return is_leader(user) or (user == decider and may_be_named(user, *places))


def can_log_somewhere(user) -> bool:
    """Whether the user logs anything at all: to offer the quick-add forms and the Log menu."""
    access = access_for(user)
    return bool(access.roles & {LEADER, OPS} or access.owned_team_ids)


def can_import_handoffs(user) -> bool:
    return bool(access_for(user).roles & {LEADER, OPS})


def can_trigger_recompute(user) -> bool:
    return bool(access_for(user).roles & {LEADER, OPS})


def can_manage_teams(user) -> bool:
    """Create teams and change who leads, owns and belongs to them: leaders."""
    return is_leader(user)


def role_label(user) -> str:
    """One line for the header: the organisation role, then any team ownership."""
    access = access_for(user)
    if LEADER in access.roles:
        label = "Leader"
    elif OPS in access.roles:
        label = "Ops"
    elif access.owned_team_ids:
        label = "Team owner"
    else:
        label = "Viewer"
    if access.owned_team_ids and label != "Team owner":
        label += " · team owner"
    return label


def role_summary(user) -> str:
    """What the user's roles let them do, in a sentence or two."""
    access = access_for(user)
    if LEADER in access.roles:
        return (
            "You approve contracts, hold the monthly review, set targets, edit any handoff spec "
            "and log anything."
        )
    sentences = []
    if OPS in access.roles:
        sentences.append(
            "You log decisions, escalations, dependencies and handoffs anywhere, import "
            "handoffs and trigger metric recomputes."
        )
    if access.owned_team_ids:
        sentences.append(
            "You edit the handoff specs of your teams' seams and log decisions, escalations "
            "and handoffs for them."
        )
    return " ".join(sentences) or "You read everything in the organisation and change nothing."


def teams_of(*places) -> list[int]:
    """The team ids involved in seams (both sides) and teams: what `can_log` checks against."""
    ids: list[int] = []
    for place in places:
        if place is None:
            continue
        if hasattr(place, "from_team_id"):
            ids += [place.from_team_id, place.to_team_id]
        else:
            ids.append(place.pk)
    return ids
