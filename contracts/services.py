"""Writes on contracts that span models: transitions, revisions, signatures."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from common import events
from contracts import catalogue
from contracts.models import (
    TARGETS_MAX,
    TARGETS_MIN,
    Contract,
    ContractEvent,
    ContractRevision,
    ContractSeam,
    DecisionRight,
    MetricTarget,
    Signature,
)
from seams.models import Seam, User


class TransitionRefused(Exception):
    """A status change that the rules don't allow; the message says why."""


class SigningRefused(Exception):
    """A signature that can't be given; the message says why."""


# --- Coverage -------------------------------------------------------------------------------


def cover_seam(*, contract: Contract, seam: Seam) -> None:
    ContractSeam.objects.get_or_create(contract=contract, seam=seam)


@transaction.atomic
def uncover_seam(*, contract: Contract, seam: Seam) -> None:
    """Stop covering a seam; its targets and decision rights in this contract go with it.

    The last published revision still records them, and the next one's diff shows them removed.
    """
    MetricTarget.objects.filter(contract=contract, seam=seam).delete()
    DecisionRight.objects.filter(contract=contract, seam=seam).delete()
    ContractSeam.objects.filter(contract=contract, seam=seam).delete()


# --- Readiness and transitions ------------------------------------------------------------


def running_problems(contract: Contract) -> list[str]:
    """Why the contract can't run (pilot or active) yet; empty when it can."""
    seams = list(contract.seams.all())
    if not seams:
        return ["Add at least one seam: a contract governs the seams it names."]
    with_targets = set(
        MetricTarget.objects.filter(contract=contract).values_list("seam_id", flat=True)
    )
    return [
        f"Set at least one metric target for {seam.name}."
        for seam in seams
        if seam.pk not in with_targets
    ]


def target_warnings(contract: Contract) -> list[str]:
    """Seams reviewed on fewer than 3 or more than 5 metrics: allowed, but worth a look."""
    counts: dict[int, int] = {}
    for target in contract.targets.all():
        counts[target.seam_id] = counts.get(target.seam_id, 0) + 1
    warnings = []
    for seam in contract.seams.all():
        n = counts.get(seam.pk, 0)
        if 0 < n < TARGETS_MIN:
            warnings.append(
                f"{seam.name} has {n} metric target{'s' if n > 1 else ''}; "
                f"3 to 5 make a useful monthly review."
            )
        elif n > TARGETS_MAX:
            warnings.append(
                f"{seam.name} has {n} metric targets; more than 5 dilutes the monthly review."
            )
    return warnings


def transition_refusal(contract: Contract, to_status: str) -> str | None:
    """Why `contract` may not move to `to_status`, or None when it may."""
    Status = Contract.Status
    if to_status not in Status.values:
        return f"“{to_status}” is not a contract status."
    if to_status == contract.status:
        return f"The contract is already {contract.get_status_display().lower()}."
    allowed = Contract.TRANSITIONS[Status(contract.status)]
    if to_status not in allowed:
        if contract.status == Status.RETIRED:
            return "A retired contract stays retired; draft a new one instead."
        if contract.status == Status.DRAFT and to_status == Status.ACTIVE:
            return "A draft goes through a pilot before it becomes active."
        if contract.status == Status.ACTIVE:
            return "An active contract can only be retired; change it with a new revision."
        return f"A {contract.status} contract can't become {to_status}."
    if to_status in (Status.PILOT, Status.ACTIVE):
        problems = running_problems(contract)
        if problems:
            return " ".join(problems)
    return None


@dataclass
class TransitionResult:
    contract: Contract
    warnings: list[str]


@transaction.atomic
def transition_contract(*, contract: Contract, to_status: str, by: User) -> TransitionResult:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    reason = transition_refusal(contract, to_status)
    if reason:
        raise TransitionRefused(reason)
    before = contract.get_status_display()
    contract.status = to_status
    contract.save(update_fields=["status", "updated_at"])
    ContractEvent.objects.create(
        contract=contract,
        kind=ContractEvent.Kind.STATUS,
        by=by,
        at=timezone.now(),
        summary=f"{before} → {contract.get_status_display()}",
    )
    return TransitionResult(contract, target_warnings(contract))


# --- Revisions ------------------------------------------------------------------------------


def binding_leaders(contract: Contract) -> set[User]:
    """The leaders a contract binds: its owner and the leaders of the teams on its seams."""
    leaders = {contract.leader}
    for seam in contract.seams.select_related("from_team__leader", "to_team__leader"):
        leaders |= {team.leader for team in (seam.from_team, seam.to_team) if team.leader}
    return {leader for leader in leaders if leader.is_active}


def snapshot(contract: Contract) -> dict:
    """The contract's content as plain data: what a revision records and diffs."""
    rights = DecisionRight.objects.filter(contract=contract).select_related("seam", "decider")
    return {
        "title": contract.title,
        "scope": contract.scope,
        "leader": contract.leader.display_name,
        "review_day": contract.review_day,
        "seams": sorted(seam.name for seam in contract.seams.all()),
        "targets": sorted(
            (
                {
                    "seam": t.seam.name,
                    "metric": t.metric_label,
                    "target": f"{t.target.normalize():f}",
                    "direction": t.direction,
                    "tolerance_pct": f"{t.tolerance_pct.normalize():f}",
                }
                for t in contract.targets.select_related("seam")
            ),
            key=lambda t: (t["seam"], t["metric"]),
        ),
        "decision_rights": sorted(
            (
                {
                    "decision_type": r.decision_type,
                    "seam": r.seam.name if r.seam else "",
                    "decider": r.decider.display_name,
                    "decision_sla_hours": f"{r.decision_sla_hours.normalize():f}",
                    "escalation_forum": r.escalation_forum,
                }
                for r in rights
            ),
            key=lambda r: r["decision_type"].lower(),
        ),
    }


@dataclass(frozen=True)
class Change:
    kind: str  # "changed", "added" or "removed"
    what: str
    old: str = ""
    new: str = ""


def _describe_target(t: dict) -> str:
    metric = catalogue.BY_LABEL.get(t["metric"])
    unit = metric.unit if metric else catalogue.NONE
    sign = "≤" if t["direction"] == catalogue.LOWER else "≥"
    return f"{sign} {t['target']}{(' ' + unit) if unit else ''}, amber +{t['tolerance_pct']} %"


def _describe_right(r: dict) -> str:
    where = f" at {r['seam']}" if r["seam"] else ""
    forum = f", escalate to {r['escalation_forum']}" if r["escalation_forum"] else ""
    return f"{r['decider']} decides{where} within {r['decision_sla_hours']} h{forum}"


def diff_snapshots(old: dict | None, new: dict) -> list[Change]:
    """What changed between two revisions' content, as sentences people can read."""
    old = old or {"seams": [], "targets": [], "decision_rights": []}
    changes = []
    for key, label in (
        ("title", "Title"),
        ("scope", "Scope"),
        ("leader", "Owning leader"),
        ("review_day", "Review day"),
    ):
        if key in old and old[key] != new[key]:
            changes.append(Change("changed", label, str(old[key]), str(new[key])))
    changes += [Change("added", f"Seam {s}") for s in new["seams"] if s not in old["seams"]]
    changes += [Change("removed", f"Seam {s}") for s in old["seams"] if s not in new["seams"]]
    changes += _keyed_changes(
        old["targets"],
        new["targets"],
        lambda t: (t["seam"], t["metric"]),
        lambda t: f"Target {t['metric']} on {t['seam']}",
        _describe_target,
    )
    changes += _keyed_changes(
        old["decision_rights"],
        new["decision_rights"],
        lambda r: r["decision_type"].lower(),
        lambda r: f"Decision right “{r['decision_type']}”",
        _describe_right,
    )
    return changes


def _keyed_changes(old_items, new_items, key, name, describe) -> list[Change]:
    old_by, new_by = {key(i): i for i in old_items}, {key(i): i for i in new_items}
    changes = []
    for k, item in new_by.items():
        if k not in old_by:
            changes.append(Change("added", name(item), new=describe(item)))
        elif old_by[k] != item:
            changes.append(Change("changed", name(item), describe(old_by[k]), describe(item)))
    changes += [
        Change("removed", name(i), old=describe(i)) for k, i in old_by.items() if k not in new_by
    ]
    return changes


@transaction.atomic
def publish_revision(
    *, contract: Contract, changelog: str, by: User, at: datetime | None = None
) -> ContractRevision:
    """Record the contract as it is now as the next revision, for its leaders to sign."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    at = at or timezone.now()
    last = contract.revisions.first()
    revision = ContractRevision.objects.create(
        contract=contract,
        number=(last.number + 1) if last else 1,
        changelog=changelog,
        content=snapshot(contract),
        published_by=by,
        published_at=at,
    )
    revision.binding_leaders.set(binding_leaders(contract))
    ContractEvent.objects.create(
        contract=contract,
        kind=ContractEvent.Kind.PUBLISHED,
        by=by,
        at=at,
        summary=f"Revision {revision.number} published: {changelog[:200]}",
    )
    events.emit("revision.published", revision_id=revision.pk)
    return revision


@transaction.atomic
def sign_revision(
    *, revision: ContractRevision, leader: User, at: datetime | None = None
) -> Signature:
    """Sign a revision; the last binding leader to sign makes it signed, exactly once.

    The revision row is locked first, so two leaders signing at the same moment are taken one
    after the other: the second sees the first's signature and completes the revision.
    """
    revision = ContractRevision.objects.select_for_update().get(pk=revision.pk)
    at = at or timezone.now()
    latest = ContractRevision.objects.filter(contract_id=revision.contract_id).first()
    if latest.pk != revision.pk:
        raise SigningRefused(
            f"Revision {revision.number} has been replaced by revision "
            f"{latest.number}; sign that one."
        )
    binding = set(revision.binding_leaders.all())
    if leader not in binding:
        raise SigningRefused(
            "This revision doesn't bind you: only its owning leader and the "
            "leaders of the teams on its seams sign it."
        )
    if revision.signatures.filter(leader=leader).exists():
        raise SigningRefused("You have already signed this revision.")
    signature = Signature.objects.create(revision=revision, leader=leader, signed_at=at)
    signed = set(User.objects.filter(pk__in=revision.signatures.values("leader_id")))
    if revision.status == ContractRevision.Status.AWAITING and binding <= signed:
        revision.status = ContractRevision.Status.SIGNED
        revision.fully_signed_at = at
        revision.save(update_fields=["status", "fully_signed_at"])
        ContractEvent.objects.create(
            contract_id=revision.contract_id,
            kind=ContractEvent.Kind.SIGNED,
            by=leader,
            at=at,
            summary=f"Revision {revision.number} signed by all {len(binding)} leaders it binds",
        )
    return signature
