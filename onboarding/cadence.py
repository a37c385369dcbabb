"""Step 2 of the guided start, the decision cadence: the decisions to make and the
constraints to remove at the chosen seams, the leaders' first agenda."""

from django.db import transaction

from decisions.models import Constraint, Decision
from decisions.services import log_decision
from onboarding.models import GuidedStart
from seams.models import Seam, User

DEFAULT_DECISION_TYPE = "Seam operating decision"


@transaction.atomic
def add_decision(
    *, guide: GuidedStart, question: str, seam: Seam, decider: User, decision_type: str, by: User
) -> Decision:
    decision = log_decision(
        question=question,
        decision_type=decision_type or DEFAULT_DECISION_TYPE,
        seam=seam,
        requested_by=by,
        decider=decider,
    )
    guide.decisions.add(decision)
    guide.touch(by=by)
    return decision


@transaction.atomic
def add_constraint(
    *, guide: GuidedStart, description: str, seam: Seam, owner: User, by: User
) -> Constraint:
    constraint = Constraint(description=description, seam=seam, owner=owner)
    constraint.full_clean()
    constraint.save()
    guide.constraints.add(constraint)
    guide.touch(by=by)
    return constraint


def first_agenda(guide: GuidedStart) -> tuple[list[Decision], list[Constraint]]:
    """The decisions to make and the constraints to remove at the chosen seams."""
    seams = guide.seams.all()
    decisions = (
        Decision.objects.pending()
        .filter(seam__in=seams)
        .select_related("seam", "decider")
        .order_by("requested_at", "pk")
    )
    constraints = (
        Constraint.objects.in_place()
        .filter(seam__in=seams)
        .select_related("seam", "owner")
        .order_by("raised_at", "pk")
    )
    return list(decisions), list(constraints)
