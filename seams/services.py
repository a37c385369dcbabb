"""Writes that span several models. Views, the API and commands all call these."""

from dataclasses import dataclass

from django.db import transaction

from seams.models import Membership, Team, User


@dataclass(frozen=True)
class MemberSpec:
    user: User
    role: str = Membership.Role.MEMBER


@transaction.atomic
def save_team(*, team: Team, members: list[MemberSpec] | None = None) -> Team:
    """Save a team and, when `members` is given, make its memberships exactly those.

    The caller has validated `team` with `full_clean()` (which sets a new team's slug),
    as a ModelForm or the API serializer does.
    """
    team.save()
    if members is None:
        return team
    wanted = {spec.user.pk: spec for spec in members}
    existing = {m.user_id: m for m in team.memberships.all()}
    Membership.objects.filter(team=team).exclude(user_id__in=wanted).delete()
    for user_id, spec in wanted.items():
        membership = existing.get(user_id)
        if membership is None:
            Membership.objects.create(team=team, user=spec.user, role=spec.role)
        elif membership.role != spec.role:
            membership.role = spec.role
            membership.save(update_fields=["role"])
    return team
