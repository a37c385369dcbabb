"""The decision-cadence agenda for a scope: exactly two lists, the decisions to make and the
constraints to remove. The agenda page shows them whole; the monthly review shows their heads."""

from django.db.models import Q, QuerySet

from contracts.models import Contract
from decisions.models import Constraint, Decision
from seams.models import Seam


def decisions_to_make(contract: Contract | None = None) -> QuerySet[Decision]:
    """Open and reopened decisions of a contract or on its seams (every one without)."""
    decisions = Decision.objects.with_related().pending()
    if contract is not None:
        decisions = decisions.filter(Q(contract=contract) | Q(seam__in=seams_of(contract)))
    return decisions


def constraints_to_remove(contract: Contract | None = None) -> QuerySet[Constraint]:
    """Constraints still in the way on a contract's seams or on the teams either side of them,
    oldest first."""
    constraints = Constraint.objects.in_place().select_related(
        "owner", "seam__from_team", "seam__to_team", "team"
    )
    if contract is not None:
        seams = seams_of(contract)
        constraints = constraints.filter(
            Q(seam__in=seams)
            | Q(team__in=seams.values("from_team"))
            | Q(team__in=seams.values("to_team"))
        )
    return constraints


def seams_of(contract: Contract) -> QuerySet[Seam]:
    """The seams a contract covers."""
    return Seam.objects.filter(contracts=contract)
