"""Handoff writes: recording one, moving it through submitted → started → completed, and the
stored SLA deadline and business-hour durations that the metrics read."""

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common import events
from common.batch import Batch
from seams import business_time
from seams.models import Calendar, Handoff, HandoffReturn, Seam, User

HOURS = Decimal("0.0001")
log = logging.getLogger(__name__)


class HandoffRefused(Exception):
    """A move the handoff's state doesn't allow; says why."""


class HandoffInputRefused(HandoffRefused):
    """A move refused for what was given (a time, a reason, a missing item), not for the
    handoff's state: the API answers 400 rather than 409."""


def stamp(
    handoff: Handoff,
    *,
    calendar: Calendar,
    response_sla: Decimal | None,
    returns: list[HandoffReturn] | None = None,
) -> Handoff:
    """Fill the deadline and the stored durations and clocks from the handoff's timestamps and
    its returns (DESIGN.md, Returns and waiting on the sender).

    `response_sla` is the spec's response SLA now; it only counts for a handoff that has no
    SLA fixed yet (its first recording). `returns` are its returns (by default the saved ones,
    prefetched or read): each is stamped too, in place (`pauses`, `pause_hours`,
    `returned_clock`); saving them is the caller's (`RETURN_STAMPS`).

    A return strictly before the start and strictly before the deadline as it stood pauses the
    receiver's clock over [returned_at, resubmitted_at): the deadline is where the SLA's
    business hours have elapsed outside pauses, queue time is counted outside them, and while
    a pause is open the deadline is unknown (NULL). Lead time is not paused.
    """
    rules = calendar.working_time()
    if handoff.pk is None:  # first recording: fix the SLA it is measured against
        handoff.sla_hours = response_sla
    if returns is None:
        returns = list(handoff.returns.all()) if handoff.pk else []
    sla = timedelta(hours=float(handoff.sla_hours)) if handoff.sla_hours else None
    submitted, started = handoff.submitted_at, handoff.started_at
    deadline, paused, waiting = _pauses(rules, returns, submitted, started, sla)
    handoff.submitted_clock = _clock(rules, submitted)
    handoff.paused_hours = _quantize(paused)
    handoff.waiting_since = waiting
    handoff.sla_deadline = deadline if waiting is None else None

    def hours(end: datetime | None, pauses: timedelta) -> Decimal | None:
        if end is None:
            return None
        return _quantize(business_time.business_time_between(rules, submitted, end) - pauses)

    handoff.queue_hours = hours(started, paused)
    handoff.lead_hours = hours(handoff.completed_at, _ZERO)
    return handoff


_ZERO = timedelta(0)


def _pauses(rules, returns, submitted, started, sla):
    """Stamp each return (in place) and give the deadline, the closed pauses' business time
    and the start of the pause still open (None when not waiting on the sender)."""
    deadline = business_time.add_business_hours(rules, submitted, sla) if sla else None
    paused, waiting = timedelta(0), None
    for returned in sorted(returns, key=_return_order):
        returned.returned_clock = _clock(rules, returned.returned_at)
        returned.pauses = (
            waiting is None
            and (started is None or returned.returned_at < started)
            and (deadline is None or returned.returned_at < deadline)
        )
        returned.pause_hours = None
        if not returned.pauses:
            continue
        # A pause still open when the receiver started ends there (start closes it).
        end = returned.resubmitted_at or started
        if end is None:
            waiting = returned.returned_at
            continue
        span = max(business_time.business_time_between(rules, returned.returned_at, end), _ZERO)
        returned.pause_hours = _quantize(span)
        paused += span
        if sla:
            deadline = business_time.add_business_hours(rules, submitted, sla + paused)
    return deadline, paused, waiting


# What `stamp` writes on a return.
RETURN_STAMPS = ["returned_clock", "pauses", "pause_hours"]


def _return_order(returned: HandoffReturn) -> tuple:
    return (returned.returned_at, returned.pk or 0)


def _quantize(span: timedelta) -> Decimal:
    return Decimal(str(span.total_seconds() / 3600)).quantize(HOURS)


def _clock(rules: business_time.WorkingTime, instant: datetime) -> Decimal:
    return Decimal(str(business_time.clock_hours(rules, instant))).quantize(HOURS)


def _spec_sla(seam: Seam) -> Decimal | None:
    spec = getattr(seam, "spec", None)
    return spec.response_sla_hours if spec else None


@transaction.atomic
def submit_handoff(
    *,
    seam: Seam,
    title: str,
    by: User | None,
    approval_type: str = "",
    at: datetime | None = None,
    source: str = "app",
    external_id: str = "",
) -> Handoff:
    handoff = Handoff(
        seam=seam,
        title=title,
        approval_type=approval_type,
        source=source,
        external_id=external_id or f"app-{uuid.uuid4().hex[:12]}",
        submitted_at=at or timezone.now(),
    )
    stamp(handoff, calendar=seam.calendar, response_sla=_spec_sla(seam))
    handoff.full_clean(exclude=["seam"])
    handoff.save()
    return handoff


def _locked(handoff: Handoff) -> Handoff:
    return (
        Handoff.objects.select_for_update()
        .select_related("seam__calendar")
        .prefetch_related("returns")
        .get(pk=handoff.pk)
    )


def _restamp(handoff: Handoff, returns: list[HandoffReturn]) -> Handoff:
    """Stamp a saved handoff from its events and save it and its returns' stamps."""
    stamp(handoff, calendar=handoff.seam.calendar, response_sla=None, returns=returns)
    handoff.save()
    saved = [returned for returned in returns if returned.pk]
    if saved:
        HandoffReturn.objects.bulk_update(saved, [*RETURN_STAMPS, "resubmitted_at"])
    return handoff


def _move(handoff: Handoff, **changes) -> Handoff:
    handoff = _locked(handoff)
    for name, value in changes.items():
        setattr(handoff, name, value)
    try:
        handoff.clean()
    except ValidationError as exc:  # the move is impossible for these timestamps
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise HandoffRefused(" ".join(messages)) from exc
    returns = list(handoff.returns.all())
    if handoff.started_at:
        for returned in returns:  # starting it ends a wait on the sender: they sent enough
            if returned.pauses and returned.resubmitted_at is None:
                if handoff.started_at < returned.returned_at:
                    raise HandoffRefused("It can't start before it was returned to its sender.")
                returned.resubmitted_at = handoff.started_at
    return _restamp(handoff, returns)


@transaction.atomic
def start_handoff(*, handoff: Handoff, at: datetime | None = None) -> Handoff:
    if handoff.started_at:
        raise HandoffRefused("It has already started.")
    return _move(handoff, started_at=at or timezone.now())


@transaction.atomic
def complete_handoff(*, handoff: Handoff, at: datetime | None = None) -> Handoff:
    if handoff.completed_at:
        raise HandoffRefused("It is already completed.")
    if not handoff.started_at:
        raise HandoffRefused("Start it before completing it.")
    return _move(handoff, completed_at=at or timezone.now())


# A missing item outside the definition of ready is stored with this prefix.
OTHER = "other"
OTHER_PREFIX = "Other: "
MISSING_ITEM_LENGTH = 300


def checklist_of(seam: Seam) -> list[str]:
    """The seam's definition of ready: the items a return can name as missing."""
    spec = getattr(seam, "spec", None)
    return list(spec.definition_of_ready) if spec else []


def missing_item_problem(item: str, checklist: list[str]) -> str | None:
    """Why `item` is not a missing ready item as stored (an item of the checklist, "Other: …"
    with text, or "" for none), or None when it is one."""
    if "\x00" in item:
        return "It contains a NUL character."
    if len(item) > MISSING_ITEM_LENGTH:
        return f"Longer than {MISSING_ITEM_LENGTH} characters."
    if not item or item in checklist:
        return None
    if item.startswith(OTHER_PREFIX) and item.removeprefix(OTHER_PREFIX).strip():
        return None
    known = "; ".join(f"“{entry}”" for entry in checklist) or "none: the spec has no checklist"
    return (
        f"“{item[:80]}” is not in the seam's definition of ready ({known}); "
        f"write “{OTHER_PREFIX}…” for something else."
    )


def missing_item_value(*, checklist: list[str], item: str, other: str = "") -> str:
    """The stored missing item for a choice from the checklist, or "other" with its text."""
    item, other = item.strip(), other.strip()
    if item == OTHER:
        if not other:
            raise HandoffInputRefused("Say what is missing when it is not on the checklist.")
        item = f"{OTHER_PREFIX}{other}"
    problem = missing_item_problem(item, checklist)
    if problem:
        raise HandoffInputRefused(f"Missing item: {problem}")
    return item


def _instant(at: datetime | None, handoff: Handoff, what: str) -> datetime:
    """`at` (now when None) checked like a past time given for history: not in the future,
    not before the handoff was submitted."""
    if at is None:
        return timezone.now()
    if at > timezone.now() + FUTURE_SLACK:
        raise HandoffInputRefused(f"The {what} time is in the future.")
    if at < handoff.submitted_at:
        raise HandoffInputRefused(f"The {what} time is before the handoff was submitted.")
    return at


# A clock may run a little ahead of the server's.
FUTURE_SLACK = timedelta(minutes=5)


@transaction.atomic
def return_handoff(
    *,
    handoff: Handoff,
    reason: str,
    missing_item: str = "",
    other_item: str = "",
    by: User | None = None,
    at: datetime | None = None,
) -> Handoff:
    """Send it back to the sender: one more return, recorded with when, why and which ready
    item was missing (an item of the spec's checklist, or "other" with `other_item`).

    Returned strictly before its start and its deadline, it waits on its sender: the
    receiver's clock pauses until `resubmit_handoff`."""
    handoff = _locked(handoff)
    if handoff.completed_at:
        raise HandoffRefused("A completed handoff can't be returned.")
    if handoff.waiting_since:
        raise HandoffRefused(
            "It is already waiting on its sender: it can be returned again once resubmitted."
        )
    reason = reason.strip()
    if not reason or "\x00" in reason or len(reason) > 500:
        raise HandoffInputRefused("Say why it goes back, in at most 500 characters.")
    item = missing_item_value(
        checklist=checklist_of(handoff.seam), item=missing_item, other=other_item
    )
    at = _instant(at, handoff, "return")
    returns = list(handoff.returns.all())
    if returns and at < max(r.resubmitted_at or r.returned_at for r in returns):
        raise HandoffInputRefused("It was returned or resubmitted later than that already.")
    returned = HandoffReturn.objects.create(
        handoff=handoff, reason=reason, missing_item=item, by=by, returned_at=at
    )
    handoff.returned_count += 1
    _restamp(handoff, [*returns, returned])
    events.emit("handoff.returned", handoff_id=handoff.pk, return_id=returned.pk)
    return handoff


@transaction.atomic
def resubmit_handoff(*, handoff: Handoff, by: User | None, at: datetime | None = None) -> Handoff:
    """The sender sends it again: the open pause closes at `at` (now by default) and the
    receiver's clock runs again, the deadline moved by the paused business hours."""
    handoff = _locked(handoff)
    returns = list(handoff.returns.all())
    open_ones = [r for r in returns if r.pauses and r.resubmitted_at is None]
    if not handoff.waiting_since or not open_ones:
        raise HandoffRefused("It is not waiting on its sender: there is nothing to resubmit.")
    waiting = open_ones[-1]
    at = _instant(at, handoff, "resubmission")
    if at < waiting.returned_at:
        raise HandoffInputRefused("It can't be resubmitted before it was returned.")
    waiting.resubmitted_at = at
    _restamp(handoff, returns)
    events.emit("handoff.resubmitted", handoff_id=handoff.pk, return_id=waiting.pk)
    return handoff


RESTAMPED = [
    "sla_deadline",
    "queue_hours",
    "lead_hours",
    "submitted_clock",
    "paused_hours",
    "waiting_since",
]


def restamp_calendar(calendar: Calendar, *, chunk: int = 2000) -> int:
    """After a calendar changes (hours, days, zone, holidays): the stored deadline, durations,
    clocks and pauses of every handoff on a seam using it, and of its returns, recomputed on
    the new rules. The SLA hours fixed at first recording stay. Returns how many handoffs were
    rewritten."""
    calendar = Calendar.objects.with_holidays().get(pk=calendar.pk)  # fresh rules
    handoffs = (
        Handoff.objects.filter(seam__calendar=calendar).prefetch_related("returns").order_by("pk")
    )
    changed, changed_returns, written = [], [], 0
    # Stamping is computation only: a handoff it fails on is logged and keeps its old stamps.
    batch = Batch(f"Restamping calendar {calendar.pk}", log, savepoint=False)
    for handoff in handoffs.iterator(chunk_size=chunk):
        with batch.item(f"handoff {handoff.pk}"):
            returns = list(handoff.returns.all())
            before = [getattr(handoff, name) for name in RESTAMPED]
            returns_before = [[getattr(r, name) for name in RETURN_STAMPS] for r in returns]
            stamp(handoff, calendar=calendar, response_sla=None, returns=returns)
            if [getattr(handoff, name) for name in RESTAMPED] != before:
                changed.append(handoff)
            changed_returns += [
                returned
                for returned, was in zip(returns, returns_before, strict=True)
                if [getattr(returned, name) for name in RETURN_STAMPS] != was
            ]
        if len(changed) >= chunk or len(changed_returns) >= chunk:
            written += _save_stamps(changed, changed_returns)
    batch.report()
    return written + _save_stamps(changed, changed_returns)


def restamp_handoffs(ids: list[int]) -> int:
    """Restamp these handoffs and their returns from their events (after a bulk write that set
    their timestamps without reading their returns). Returns how many were rewritten."""
    handoffs = (
        Handoff.objects.filter(pk__in=ids)
        .select_related("seam__calendar")
        .prefetch_related("returns", "seam__calendar__holidays")
    )
    changed, changed_returns = [], []
    for handoff in handoffs:
        returns = list(handoff.returns.all())
        stamp(handoff, calendar=handoff.seam.calendar, response_sla=None, returns=returns)
        changed.append(handoff)
        changed_returns += returns
    return _save_stamps(changed, changed_returns)


def _save_stamps(handoffs: list[Handoff], returns: list[HandoffReturn]) -> int:
    count = len(handoffs)
    Handoff.objects.bulk_update(handoffs, RESTAMPED)
    HandoffReturn.objects.bulk_update(returns, RETURN_STAMPS)
    handoffs.clear()
    returns.clear()
    return count
