"""The guided start: a leadership team's first sitting, from ten recent misses to a piloted
Team Execution Contract, in the five steps of the method.

1. Find the seams: recent misses, each tagged to a seam; the few seams that explain most
   (onboarding/misses.py reads what is pasted, onboarding/find_seams.py tags and counts).
2. Set the decision cadence: the decisions to make and constraints to remove at them
   (onboarding/cadence.py).
3. Write the one-page spec of the highest-friction seam, from a template
   (onboarding/first_spec.py).
4. Connect the data, so queue time at that seam is measured (onboarding/data_source.py).
5. Choose three metrics to review monthly; finishing pilots the contract for 30 days
   (onboarding/pilot.py).

Everything a step writes is ordinary data (teams, seams, escalations, decisions, constraints,
the spec, a webhook source, the contract), so it stays editable on the usual pages; the
`GuidedStart` row only remembers where the leaders are and what they chose. This module
holds the steps themselves and what every step shares.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.urls import reverse

from contracts.models import Contract
from onboarding.models import GuidedStart
from seams.models import Seam, User

Step = GuidedStart.Step


@dataclass(frozen=True)
class StepInfo:
    key: str
    number: int
    title: str
    sentence: str
    url_name: str


STEPS = [
    StepInfo(
        Step.SEAMS,
        1,
        "Find your seams",
        "Pull ten recent misses or escalations and tag each to the seam it happened at: two "
        "or three seams usually explain most of the pain.",
        "onboarding:guide-seams",
    ),
    StepInfo(
        Step.CADENCE,
        2,
        "Set the decision cadence",
        "List the decisions to make and the constraints to remove at those seams: that is your "
        "first agenda.",
        "onboarding:guide-cadence",
    ),
    StepInfo(
        Step.SPEC,
        3,
        "Write the spec",
        "Write a one-page handoff spec for the highest-friction seam, from a template, and "
        "pilot it for 30 days.",
        "onboarding:guide-spec",
    ),
    StepInfo(
        Step.DATA,
        4,
        "Measure queue time",
        "Choose how handoffs at that seam reach Seamline (a CSV file, the Jira webhook, or by "
        "hand), so queue time is measured from day one.",
        "onboarding:guide-data",
    ),
    StepInfo(
        Step.METRICS,
        5,
        "Review three metrics monthly",
        "Pick three seam metrics with targets and the day of the month you review them; "
        "finishing starts the 30-day pilot.",
        "onboarding:guide-metrics",
    ),
]
BY_KEY = {step.key: step for step in STEPS}


def current() -> GuidedStart | None:
    """The organisation's guided start, if one was begun."""
    return GuidedStart.objects.first()


def begin(*, by: User) -> GuidedStart:
    """The guided start, begun by `by` if nobody has yet."""
    with transaction.atomic():
        guide = current()
        if guide is None:
            guide = GuidedStart.objects.create(started_by=by, updated_by=by)
    return guide


def is_needed() -> bool:
    """Leaders land on "Start here" while the organisation has no contract."""
    return not Contract.objects.exists()


def step_url(step: str) -> str:
    return reverse(BY_KEY[step].url_name) if step in BY_KEY else reverse("onboarding:guide")


class StepRefused(ValueError):
    """A step's write that can't be made: the message says why."""


def chosen_seams(guide: GuidedStart) -> list[Seam]:
    """The chosen seams, the highest-friction (most misses) first."""
    seams = list(guide.seams.select_related("from_team", "to_team", "spec"))
    counts: dict[int, int] = {}
    for seam_id in guide.misses.filter(seam__in=seams).values_list("seam_id", flat=True):
        counts[seam_id] = counts.get(seam_id, 0) + 1
    return sorted(seams, key=lambda s: (-counts.get(s.pk, 0), s.name.casefold(), s.pk))


def chosen_queryset(guide: GuidedStart) -> QuerySet[Seam]:
    """The chosen seams as a queryset for choice fields, in the same order."""
    order = [seam.pk for seam in chosen_seams(guide)]
    rank = Case(*[When(pk=pk, then=Value(n)) for n, pk in enumerate(order)], default=Value(0))
    return (
        Seam.objects.filter(pk__in=order)
        .select_related("from_team", "to_team")
        .order_by(rank, "name")
    )
