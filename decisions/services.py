"""Writes on the decision log and the dependency board, shared by pages, API and commands."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from contracts.models import Contract, DecisionRight
from decisions.history import TimeRefused, check_day, check_time, start_of_day
from decisions.models import Decision, DecisionEvent, Dependency, DependencyMove, Escalation
from seams.models import Calendar, Seam, User


class DecisionRefused(Exception):
    """A decide, reopen or withdraw that the decision's state doesn't allow; says why."""


class EscalationRefused(Exception):
    """A resolve that the escalation's state doesn't allow (it is resolved already); says why."""


def find_decision_right(*, seam: Seam | None, decision_type: str) -> DecisionRight | None:
    """The right that says who decides `decision_type` at `seam`.

    A right at the seam itself wins over a contract-wide one; running contracts (active, then
    pilot) win over drafts. Retired contracts don't count.
    """
    if seam is None:
        return None
    rights = (
        DecisionRight.objects.filter(decision_type__iexact=decision_type.strip())
        .filter(Q(seam=seam) | Q(seam__isnull=True, contract__covered__seam=seam))
        .exclude(contract__status=Contract.Status.RETIRED)
        .select_related("seam__calendar", "contract", "decider")
        .distinct()
    )
    order = {Contract.Status.ACTIVE: 0, Contract.Status.PILOT: 1, Contract.Status.DRAFT: 2}
    return min(
        rights,
        key=lambda r: (r.seam_id is None, order[Contract.Status(r.contract.status)]),
        default=None,
    )


def due_time(
    *, right: DecisionRight | None, seam: Seam | None, requested_at: datetime
) -> datetime | None:
    """When the decision is due: its right's SLA in business hours from `requested_at`, on
    the calendar of the seam it is tagged to, whether the right is the seam's or contract-wide
    (DESIGN.md). No right, no due time. An untagged decision never has a right today
    (`find_decision_right` needs a seam); should one come, its right's own calendar counts."""
    if right is None:
        return None
    calendar = seam.calendar if seam is not None else right.calendar
    return calendar.add_business_hours(requested_at, right.decision_sla_hours)


def restamp_due_times(*, decisions: QuerySet[Decision]) -> int:
    """Stamp these decisions' due times again by `due_time` (after a calendar changed);
    returns how many moved."""
    moved = 0
    rows = decisions.filter(decision_right__isnull=False).select_related(
        "decision_right__seam__calendar", "seam__calendar"
    )
    calendars: dict[int, Calendar] = {}  # one per calendar, so its holidays are read once
    for decision in rows.iterator(chunk_size=500):
        if decision.seam is not None:
            calendar = decision.seam.calendar
            decision.seam.calendar = calendars.setdefault(calendar.pk, calendar)
        due = due_time(
            right=decision.decision_right, seam=decision.seam, requested_at=decision.requested_at
        )
        if due != decision.due_at:
            Decision.objects.filter(pk=decision.pk).update(due_at=due)
            moved += 1
    return moved


@transaction.atomic
def log_decision(
    *,
    question: str,
    decision_type: str,
    seam: Seam | None,
    requested_by: User,
    decider: User | None = None,
    contract: Contract | None = None,
    requested_at: datetime | None = None,
) -> Decision:
    """Log a decision to make. The decision right names the decider and sets the due time,
    from `requested_at` (now, or a past time from history: `decisions.history`); without a
    right, `decider` must be given and the decision has no due time."""
    if requested_at is not None:
        check_time(requested_at)
    requested_at = requested_at or timezone.now()
    right = find_decision_right(seam=seam, decision_type=decision_type)
    if right is None and decider is None:
        raise ValueError("No decision right covers this: name the decider.")
    decision = Decision.objects.create(
        question=question,
        decision_type=right.decision_type if right else decision_type.strip(),
        seam=seam,
        contract=contract or (right.contract if right else None),
        decision_right=right,
        requested_by=requested_by,
        requested_at=requested_at,
        decider=right.decider if right else decider,
        due_at=due_time(right=right, seam=seam, requested_at=requested_at),
    )
    DecisionEvent.objects.create(decision=decision, kind="logged", by=requested_by, at=requested_at)
    return decision


def latency_hours(decision: Decision) -> Decimal | None:
    """Business hours from request to decision, on the seam's calendar (elapsed hours for a
    decision on no seam)."""
    if decision.decided_at is None:
        return None
    if decision.seam_id:
        hours = decision.seam.calendar.business_hours_between(
            decision.requested_at, decision.decided_at
        )
    else:
        hours = (decision.decided_at - decision.requested_at).total_seconds() / 3600
    return Decimal(str(hours)).quantize(Decimal("0.0001"))


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().get(pk=decision.pk)


def _check_turn(decision: Decision, at: datetime, done: str) -> None:
    """A decide, reopen or withdraw at `at` comes after the decision's last recorded step (its
    request at the earliest): history keeps its order. Raises DecisionRefused."""
    last = decision.events.order_by("-at", "-pk").first()
    if last is not None and at < last.at:
        raise DecisionRefused(
            f"It can't be {done} before it was {last.get_kind_display().lower()} "
            f"({timezone.localtime(last.at):%-d %b %Y %H:%M})."
        )
    try:
        check_time(at)
    except TimeRefused as refused:
        raise DecisionRefused(str(refused)) from refused


@transaction.atomic
def decide(
    *, decision: Decision, by: User, outcome: str, rationale: str = "", at: datetime | None = None
) -> Decision:
    decision = _locked(decision)
    at = at or timezone.now()
    if not decision.is_pending:
        raise DecisionRefused(
            f"This decision is {decision.get_status_display().lower()}: reopen "
            "it first to decide again."
            if decision.status == "decided"
            else "A withdrawn decision can't be decided."
        )
    if at < decision.requested_at:
        raise DecisionRefused("A decision can't be made before it was asked.")
    _check_turn(decision, at, "decided")
    decision.status = Decision.Status.DECIDED
    decision.decided_at, decision.outcome, decision.rationale = at, outcome, rationale
    decision.latency_hours = latency_hours(decision)
    decision.save(update_fields=["status", "decided_at", "latency_hours", "outcome", "rationale"])
    DecisionEvent.objects.create(
        decision=decision, kind="decided", by=by, at=at, note=f"{outcome}\n{rationale}".strip()
    )
    return decision


@transaction.atomic
def reopen(*, decision: Decision, by: User, reason: str, at: datetime | None = None) -> Decision:
    """Re-litigate a decision: it counts. The request time and the due time stay: latency and
    breach run from the first request (DESIGN.md)."""
    decision = _locked(decision)
    at = at or timezone.now()
    if decision.status != Decision.Status.DECIDED:
        raise DecisionRefused("Only a decided decision can be reopened.")
    _check_turn(decision, at, "reopened")
    previous = decision.outcome
    decision.status = Decision.Status.REOPENED
    decision.times_reopened += 1
    decision.decided_at = decision.latency_hours = None
    decision.save(update_fields=["status", "times_reopened", "decided_at", "latency_hours"])
    DecisionEvent.objects.create(
        decision=decision, kind="reopened", by=by, at=at, note=f"{reason}\nWas: {previous}".strip()
    )
    return decision


@transaction.atomic
def withdraw(*, decision: Decision, by: User, reason: str, at: datetime | None = None) -> Decision:
    """Withdraw a question nobody needs decided any more. The due time stays: withdrawn by
    it, the decision is not due; withdrawn later, it breached (the event's time says which)."""
    decision = _locked(decision)
    at = at or timezone.now()
    if not decision.is_pending:
        raise DecisionRefused("Only an open or reopened decision can be withdrawn.")
    _check_turn(decision, at, "withdrawn")
    decision.status = Decision.Status.WITHDRAWN
    decision.save(update_fields=["status"])
    DecisionEvent.objects.create(decision=decision, kind="withdrawn", by=by, at=at, note=reason)
    return decision


@transaction.atomic
def move_dependency(
    *,
    dependency: Dependency,
    to_status: str,
    by: User,
    at: datetime | None = None,
    delivered_at: date | None = None,
) -> Dependency:
    """Move a card on the board and record who moved it, when, from where to where.

    A delivery may give its date (history from other tools): not in the future nor before the
    day the dependency was logged (its own start, `created_at`); the move is then recorded at
    that day's start (or at the creation, when it was logged later that day)."""
    dependency = Dependency.objects.select_for_update().get(pk=dependency.pk)
    if to_status not in Dependency.Status.values:
        raise ValueError(f"“{to_status}” is not a dependency status.")
    if delivered_at is not None:
        if to_status != Dependency.Status.DELIVERED:
            raise TimeRefused("A delivery date goes only with a move to delivered.")
        created = timezone.localdate(dependency.created_at)
        check_day(delivered_at, not_before=created, start="it was logged")
        at = at or max(start_of_day(delivered_at), dependency.created_at)
    at = at or timezone.now()
    from_status = dependency.status
    if from_status == to_status:
        return dependency
    dependency.status = to_status
    if to_status == Dependency.Status.DELIVERED:
        dependency.delivered_at = delivered_at or dependency.delivered_at or timezone.localdate(at)
    else:
        dependency.delivered_at = None  # delivered-on-time is computed, never left stale
    dependency.save(update_fields=["status", "delivered_at"])
    DependencyMove.objects.create(
        dependency=dependency, from_status=from_status, to_status=to_status, by=by, at=at
    )
    return dependency


@transaction.atomic
def resolve_escalation(
    *, escalation: Escalation, resolution: str, root_cause: str, at: datetime | None = None
) -> Escalation:
    """Resolve an escalation, once: pages, the API and history imports all come through here.

    The resolution and the root cause are both required (the review's root causes and the
    Pareto read them); the time defaults to now and is neither in the future nor before it was
    raised. Raises EscalationRefused when it is resolved already, ValidationError (by field)
    for anything missing or impossible; nothing is written then.
    """
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.resolved_at is not None:
        raise EscalationRefused(
            f"It was resolved on {timezone.localtime(escalation.resolved_at):%-d %b %Y %H:%M}; "
            "a resolved escalation stays resolved."
        )
    now = timezone.now()
    at = at or now
    resolution, root_cause = resolution.strip(), root_cause.strip()
    errors = {}
    if not resolution:
        errors["resolution"] = "Say how it was resolved."
    if not root_cause:
        errors["root_cause"] = "Give its root cause."
    if at < escalation.raised_at:
        errors["resolved_at"] = "It can't be resolved before it was raised."
    elif at > now:
        errors["resolved_at"] = "That is in the future."
    if errors:
        raise ValidationError(errors)
    escalation.resolved_at, escalation.resolution, escalation.root_cause = (
        at,
        resolution,
        root_cause,
    )
    escalation.save(update_fields=["resolved_at", "resolution", "root_cause"])
    return escalation
