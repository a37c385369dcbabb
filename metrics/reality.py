"""Contract vs reality: the response SLA a seam's queue times support (the leading signals'
proposed SLA) beside the one its spec contracts, once its pilot has ended; and drafting a
contract revision that carries the proposed SLA, for leaders to publish and sign.

Drafting changes nothing live. Publishing a draft writes the spec's response SLA (a new spec
version) and the contract's queue time p85 target on the seam, then publishes the contract's
next revision (contracts.services.publish_revision), which its leaders sign as any other.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from contracts.models import Contract, ContractRevision, ContractSeam, MetricTarget
from contracts.services import publish_revision
from metrics import signals
from metrics.models import SlaRevisionDraft
from seams.models import Seam, User
from seams.services import save_spec

TARGET_METRIC = "queue_time_p85_hours"
BASIS_TEXT = {"pilot": "over the pilot", "last_90_days": "over the last 90 days"}


class ProposalRefused(Exception):
    """Why no revision can be drafted (or published) for this seam now."""


def pilot_ended(seam: Seam, today: date) -> bool:
    """The pilot's review date has come (a seam never piloted has nothing to wait for)."""
    if not seam.pilot_started_on:
        return True
    return seam.pilot_review_on is not None and seam.pilot_review_on <= today


@dataclass(frozen=True)
class Reality:
    """The seam's contracted response SLA and the one reality supports."""

    contracted_hours: Decimal | None
    proposal: signals.ProposedSla | None
    pilot_ended: bool

    @property
    def proposed_hours(self) -> int | None:
        return self.proposal.hours if self.proposal else None

    @property
    def basis_text(self) -> str:
        return BASIS_TEXT.get(self.proposal.basis, "") if self.proposal else ""

    @property
    def shown(self) -> bool:
        return self.pilot_ended


def reality_of(seam: Seam, found: signals.SeamSignals, today: date) -> Reality:
    spec = getattr(seam, "spec", None)
    return Reality(
        contracted_hours=spec.response_sla_hours if spec else None,
        proposal=found.proposed_response_sla,
        pilot_ended=pilot_ended(seam, today),
    )


def _changelog(seam: Seam, reality: Reality) -> str:
    proposal = reality.proposal
    was = (
        f"{reality.contracted_hours.normalize():f} h"
        if reality.contracted_hours is not None
        else "none"
    )
    return (
        f"{seam.name}: response SLA {was} → {proposal.hours} h, and queue time p85 target "
        f"{proposal.hours} h. The queue time p85 {BASIS_TEXT[proposal.basis]} was "
        f"{proposal.queue_p85_hours} business hours over {proposal.n} started handoffs "
        "(contract vs reality)."
    )


@transaction.atomic
def draft_sla_revision(
    *, seam: Seam, contract: Contract, by: User, at: datetime | None = None
) -> SlaRevisionDraft:
    """Draft (or redraft) the contract's revision carrying the seam's proposed response SLA.
    Nothing live changes. Refused when the contract doesn't cover the seam, the pilot runs
    on, or there is no proposal (fewer than 20 started handoffs)."""
    at = at or timezone.now()
    if contract.status == Contract.Status.RETIRED:
        raise ProposalRefused(f"{contract.title} is retired: draft a new contract instead.")
    if not ContractSeam.objects.filter(contract=contract, seam=seam).exists():
        raise ProposalRefused(f"{contract.title} doesn't cover {seam.name}.")
    today = timezone.localtime(at).date()
    if not pilot_ended(seam, today):
        raise ProposalRefused(
            f"The pilot of {seam.name} runs until {seam.pilot_review_on:%-d %b %Y}: the "
            "proposal is made from the whole pilot."
        )
    found = signals.signals_for([seam], at)[seam.pk]
    reality = reality_of(seam, found, today)
    if reality.proposed_hours is None:
        n = reality.proposal.n if reality.proposal else 0
        raise ProposalRefused(
            f"No SLA to propose for {seam.name} yet: it needs {signals.SLE_MIN_N} started "
            f"handoffs {reality.basis_text} and has {n}."
        )
    draft, _ = SlaRevisionDraft.objects.update_or_create(
        contract=contract,
        seam=seam,
        published_at__isnull=True,
        defaults={
            "response_sla_hours": Decimal(reality.proposed_hours),
            "contracted_sla_hours": reality.contracted_hours,
            "basis": reality.proposal.basis,
            "n": reality.proposal.n,
            "changelog": _changelog(seam, reality),
            "created_by": by,
            "created_at": at,
        },
    )
    return draft


@transaction.atomic
def publish_sla_draft(
    *, draft: SlaRevisionDraft, by: User, at: datetime | None = None
) -> ContractRevision:
    """Make the draft live: the spec's response SLA and the contract's queue time p85 target
    on the seam take the proposed hours, and the contract's next revision is published for
    its leaders to sign."""
    draft = SlaRevisionDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.is_published:
        raise ProposalRefused("This draft is already published.")
    at = at or timezone.now()
    seam = Seam.objects.select_related("spec").get(pk=draft.seam_id)
    contract = draft.contract
    if contract.status == Contract.Status.RETIRED:
        raise ProposalRefused(f"{contract.title} is retired: nothing to publish.")
    hours = draft.response_sla_hours
    spec = seam.spec
    if spec.response_sla_hours != hours:
        save_spec(
            spec=spec,
            changes={"response_sla_hours": hours},
            base_version=spec.version,
            by=by,
            note=f"Response SLA {hours.normalize():f} h, from contract vs reality "
            f"({contract.title})",
            at=at,
        )
    MetricTarget.objects.update_or_create(
        contract=contract, seam=seam, metric=TARGET_METRIC, defaults={"target": hours}
    )
    revision = publish_revision(contract=contract, changelog=draft.changelog, by=by, at=at)
    draft.published_revision = revision
    draft.published_at = at
    draft.save(update_fields=["published_revision", "published_at"])
    return revision
