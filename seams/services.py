"""Writes that span several models. Views, the API and commands all call these."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.slugs import free_slug
from seams.models import (
    Calendar,
    CalendarHoliday,
    HandoffSpec,
    Membership,
    Seam,
    SpecContent,
    SpecVersion,
    Team,
    User,
)


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


# --- Seams and their specs -------------------------------------------------------------------


class SpecConflict(Exception):
    """The spec changed since the version the editor started from."""

    def __init__(self, *, spec: HandoffSpec, base_version: int):
        self.spec = spec
        self.base_version = base_version
        super().__init__(
            f"The spec is at version {spec.version}; the change was based on version "
            f"{base_version}."
        )


@transaction.atomic
def create_seam(*, seam: Seam, owner: User | None, by: User, note: str = "Seam registered") -> Seam:
    """Save a new seam with its spec; naming an owner writes that into version 1."""
    seam.save()
    spec = HandoffSpec.objects.create(seam=seam)
    if owner is not None:
        save_spec(spec=spec, changes={"owner": owner}, base_version=0, by=by, note=note)
    return seam


@transaction.atomic
def save_spec(
    *,
    spec: HandoffSpec,
    changes: dict,
    base_version: int,
    by: User,
    note: str,
    restored_from: int | None = None,
    at: datetime | None = None,
) -> SpecVersion:
    """Write `changes` on top of the current content as a new version.

    First save wins: if the spec is no longer at `base_version`, nothing is written and
    SpecConflict is raised. The check and the bump are one conditional UPDATE, so two
    concurrent saves of the same base can't both succeed, on any database.
    """
    unknown = set(changes) - set(SpecContent.CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not spec fields: {', '.join(sorted(unknown))}")
    at = at or timezone.now()
    content = {**_current_content(spec), **changes}
    bumped = HandoffSpec.objects.filter(pk=spec.pk, version=base_version).update(
        version=F("version") + 1, updated_at=at, updated_by=by, **content
    )
    if not bumped:
        spec.refresh_from_db()
        raise SpecConflict(spec=spec, base_version=base_version)
    spec.refresh_from_db()
    return SpecVersion.objects.create(
        spec=spec,
        number=spec.version,
        author=by,
        created_at=at,
        note=note,
        restored_from=restored_from,
        **content,
    )


@transaction.atomic
def save_sla(
    *,
    spec: HandoffSpec,
    changes: dict,
    base_version: int,
    by: User,
    note: str,
    calendar: Calendar | None = None,
) -> SpecVersion:
    """The SLA editor's save: a new spec version and, when another calendar was picked, the
    seam moved onto it, all or nothing. The version's note is the history's record of both."""
    version = save_spec(spec=spec, changes=changes, base_version=base_version, by=by, note=note)
    seam = spec.seam
    if calendar is not None and calendar.pk != seam.calendar_id:
        seam.change_calendar(calendar)
    return version


def restore_spec_version(
    *, spec: HandoffSpec, number: int, base_version: int, by: User, note: str = ""
) -> SpecVersion:
    """Make an old version's content current again, as a new version."""
    old = spec.versions.get(number=number)
    return save_spec(
        spec=spec,
        changes=old.content(),
        base_version=base_version,
        by=by,
        note=note or f"Restored version {number}",
        restored_from=number,
    )


def _current_content(spec: HandoffSpec) -> dict:
    current = HandoffSpec.objects.get(pk=spec.pk)
    return current.content()


@transaction.atomic
def create_calendar(*, calendar: Calendar, holidays: dict[date, str]) -> Calendar:
    """Save a new calendar (its slug from its name) with the given holidays."""
    if not calendar.slug:
        calendar.slug = free_slug(Calendar, calendar.name, fallback="calendar")
    calendar.save()
    CalendarHoliday.objects.bulk_create(
        CalendarHoliday(calendar=calendar, date=day, name=name[:120])
        for day, name in sorted(holidays.items())
    )
    return calendar
