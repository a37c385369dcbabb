"""Step 5 of the guided start: three metrics to review monthly, with targets; finishing
creates the contract in pilot and starts the seam's 30-day pilot."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts import catalogue
from contracts.models import Contract, MetricTarget, SpecTemplate
from contracts.services import cover_seam, transition_contract
from onboarding.guide import Step, StepRefused
from onboarding.models import GuidedStart
from seams.models import Seam, User

METRICS_TO_CHOOSE = 3


FALLBACK_TARGETS = [
    ("queue_time_p85_hours", None),
    ("sla_breach_rate", Decimal(10)),
    ("rework_rate", Decimal(15)),
]


def suggested_targets(guide: GuidedStart) -> list[tuple[str, Decimal | None]]:
    """Three (metric, target) pairs: the template's, following the spec's response SLA."""
    sla = guide.top_seam.spec.response_sla_hours if guide.top_seam else None
    template = guide.template or SpecTemplate.objects.filter(slug="blank").first()
    suggestions = template.targets_for(sla) if template else []
    if len(suggestions) < METRICS_TO_CHOOSE:
        taken = {metric for metric, _ in suggestions}
        for metric, target in FALLBACK_TARGETS:
            if metric not in taken and len(suggestions) < METRICS_TO_CHOOSE:
                suggestions.append((metric, sla if target is None else target))
    return suggestions[:METRICS_TO_CHOOSE]


@transaction.atomic
def finish(
    *,
    guide: GuidedStart,
    title: str,
    scope: str,
    review_day: int,
    targets: list[tuple[str, Decimal]],
    by: User,
    today: date | None = None,
) -> Contract:
    """Create the contract on the top seam with its three targets, move it to pilot and start
    the seam's 30-day pilot; the first monthly review is the contract's next review day."""
    today = today or timezone.localdate()
    # Two leaders finishing at once: the second waits here, then finds it finished.
    guide = GuidedStart.objects.select_for_update().get(pk=guide.pk)
    if guide.finished_at:
        raise StepRefused("The guided start is already finished.")
    seam = guide.top_seam
    if seam is None:
        raise StepRefused("Choose the seam to pilot first (step 3).")
    contract = Contract(title=title, scope=scope, leader=by, review_day=review_day)
    contract.full_clean(exclude=["slug"])  # clean() derives it
    contract.save()
    cover_seam(contract=contract, seam=seam)
    for metric, target in targets:
        MetricTarget.objects.create(
            contract=contract,
            seam=seam,
            metric=metric,
            target=target,
            direction=catalogue.BY_NAME[metric].better,
        )
    transition_contract(contract=contract, to_status=Contract.Status.PILOT, by=by)
    if seam.status != Seam.Status.PILOT:
        seam.start_pilot(today)
    guide.decisions.filter(contract__isnull=True).update(contract=contract)
    guide.contract = contract
    guide.first_review_on = contract.next_review(today)
    guide.finished_at = timezone.now()
    guide.step = Step.DONE
    guide.touch(by=by, fields=["contract", "first_review_on", "finished_at", "step"])
    contract.refresh_from_db()
    return contract
