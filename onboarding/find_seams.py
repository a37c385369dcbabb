"""Step 1 of the guided start, finding the seams: each miss tagged to the seam it happened at
(teams and seams made on the spot), the live Pareto of misses by seam, and the seams chosen."""

from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dt_time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.slugs import free_slug
from decisions.models import Escalation
from decisions.pareto import ParetoBar, pareto
from onboarding.guide import Step, StepRefused
from onboarding.misses import MissInput, readable_team_name, team_name_problem
from onboarding.models import GuidedStart, Miss
from seams.models import Calendar, Seam, Team, User
from seams.services import create_seam

# The share of the misses the preselected seams must explain together.
PARETO_THRESHOLD = 70.0


@transaction.atomic
def add_misses(*, guide: GuidedStart, misses: list[MissInput], by: User) -> list[Miss]:
    """Add pasted misses; those that name their teams are tagged at once."""
    last = guide.misses.order_by("-position").values_list("position", flat=True).first() or 0
    added = []
    for offset, item in enumerate(misses, start=1):
        miss = Miss.objects.create(
            guided_start=guide,
            summary=item.summary,
            happened_on=item.happened_on,
            cause=item.cause,
            position=last + offset,
        )
        if item.from_team:
            tag_miss(miss=miss, from_team=item.from_team, to_team=item.to_team, by=by)
        added.append(miss)
    guide.touch(by=by)
    return added


@transaction.atomic
def tag_miss(
    *,
    miss: Miss,
    by: User,
    seam: Seam | None = None,
    from_team: str = "",
    to_team: str = "",
    cause: str | None = None,
) -> Miss:
    """Tag a miss to a seam, given or found between two teams (made on the spot if new), and
    keep its escalation on that seam."""
    if seam is None:
        seam = seam_between(from_team=from_team, to_team=to_team, by=by)
    if cause:  # a cause picked when tagging; none picked keeps the miss's own
        miss.cause = cause
    miss.seam = seam
    raised_at = _raised_at(miss.happened_on)
    escalation = miss.escalation
    if escalation is None:
        escalation = Escalation.objects.create(
            seam=seam,
            summary=miss.summary,
            cause=miss.cause or Escalation.Cause.OTHER,
            raised_by=by,
            raised_at=raised_at,
        )
    else:
        escalation.seam = seam
        escalation.cause = miss.cause or Escalation.Cause.OTHER
        escalation.save(update_fields=["seam", "cause"])
    miss.escalation = escalation
    miss.save(update_fields=["seam", "cause", "escalation"])
    return miss


def _raised_at(day: date | None) -> datetime:
    if day is None:
        return timezone.now()
    # A dated miss counts in its own day; noon keeps it there in any nearby time zone.
    return timezone.make_aware(datetime.combine(day, dt_time(12)))


def seam_between(*, from_team: str, to_team: str, by: User) -> Seam:
    """The seam from one team to another, by name; teams and seam are created when new."""
    from_team, to_team = readable_team_name(from_team), readable_team_name(to_team)
    if not from_team or not to_team:
        raise StepRefused(
            "Pick a seam, or name the team that sends the work and the one that receives it."
        )
    if from_team.lower() == to_team.lower():
        raise StepRefused("A seam connects two different teams.")
    sender, receiver = _team(from_team), _team(to_team)
    seam = (
        Seam.objects.filter(from_team=sender, to_team=receiver)
        .exclude(status=Seam.Status.RETIRED)
        .order_by("created_at", "pk")
        .first()
    )
    if seam is None:
        name = f"{sender.name} → {receiver.name}"[: Seam._meta.get_field("name").max_length]
        seam = Seam(
            name=name,
            slug=free_slug(Seam, name, fallback="seam"),
            from_team=sender,
            to_team=receiver,
            calendar=Calendar.objects.default_for_new_seams(),
            description="Found in the guided start.",
        )
        seam.full_clean()
        create_seam(seam=seam, owner=None, by=by, note="Found in the guided start")
    return seam


def _team(name: str) -> Team:
    name = readable_team_name(name)
    team = Team.objects.filter(name__iexact=name).first()
    if team is not None:
        return team
    if problem := team_name_problem(name):
        raise StepRefused(problem)
    team = Team(name=name)
    try:
        team.full_clean(exclude=["slug"])  # clean() derives it
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise StepRefused(f"Team “{name}”: {' '.join(messages)}") from exc
    team.save()
    return team


@transaction.atomic
def remove_miss(*, miss: Miss, by: User) -> None:
    """Take a miss out, with the escalation it became."""
    escalation = miss.escalation
    miss.delete()
    if escalation is not None:
        escalation.delete()
    miss.guided_start.touch(by=by)


@dataclass(frozen=True)
class SeamShare:
    """One seam's bar in the live Pareto."""

    seam: Seam
    bar: ParetoBar

    @property
    def preselected(self) -> bool:
        return self.bar.vital


def seam_pareto(misses: list[Miss]) -> list[SeamShare]:
    """Seams by how many of the tagged misses they explain; the smallest set reaching 70 %
    together is marked (ties at the edge are broken by name, so the set is stable)."""
    counts: dict[int, int] = {}
    seams: dict[int, Seam] = {}
    for miss in misses:
        if miss.seam_id:
            counts[miss.seam_id] = counts.get(miss.seam_id, 0) + 1
            seams[miss.seam_id] = miss.seam
    # The bars link to each seam's page, and that address says which seam a bar is.
    by_url = {seams[pk].get_absolute_url(): seams[pk] for pk in counts}
    rows = [(seam.name, counts[seam.pk], url) for url, seam in by_url.items()]
    bars = pareto(rows, threshold=PARETO_THRESHOLD)
    return [SeamShare(by_url[bar.url], bar) for bar in bars]


@transaction.atomic
def choose_seams(*, guide: GuidedStart, seams: list[Seam], by: User) -> None:
    """The seams to work on, in Pareto order: the first is the highest-friction one."""
    if not seams:
        raise StepRefused("Choose at least one seam to work on.")
    guide.seams.set(seams)
    if guide.top_seam_id not in {seam.pk for seam in seams}:
        guide.top_seam = seams[0]
        guide.save(update_fields=["top_seam"])
    guide.advance(Step.SEAMS, by=by)
