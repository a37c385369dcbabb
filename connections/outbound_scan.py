"""The time-based notifications, found by a periodic scan (every 15 minutes from beat).

- a decision due within a business day (on its seam's calendar; without a seam, 24 hours),
  and a decision overdue: its decider is told;
- a corrective action due (today or tomorrow) and overdue: its owner is told;
- a contract in force whose review day is today: its review pack is ready, its leader is told.
Each (object, event) is told once: the notification's key records it, so a rerun, or two runs
at once, send nothing twice. One object that fails is logged and skipped.
"""

import logging
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from common.batch import Batch
from connections.notify import notify
from contracts.models import Contract
from decisions.models import Decision
from metrics.models import CorrectiveAction

log = logging.getLogger(__name__)


def scan(*, now: datetime | None = None) -> int:
    """Notify what became due; returns how many notifications were recorded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    batch = Batch("Outbound scan", log)
    told = 0
    for label, found in (
        ("decision", _decisions(now)),
        ("action", _actions(today)),
        ("contract", _review_packs(today)),
    ):
        for item, tell in found:
            with batch.item(f"{label} {item.pk}"):
                told += bool(tell())
    batch.report()
    return told


def business_day_ahead(decision: Decision, now: datetime) -> datetime:
    calendar = decision.seam.calendar if decision.seam_id else None
    if calendar is None or calendar.is_24x7:
        return now + timedelta(hours=24)
    start = datetime.combine(date.min, calendar.day_start)
    end = datetime.combine(date.min, calendar.day_end)
    hours = (end - start).total_seconds() / 3600 or 24
    return calendar.add_business_hours(now, hours)


def _decisions(now: datetime):
    pending = Decision.objects.pending().filter(due_at__isnull=False)
    pending = pending.select_related("decider", "seam__calendar", "contract")
    for decision in pending.filter(due_at__lt=now):
        yield decision, lambda d=decision: _tell_decision(d, "decision.overdue", "Overdue")
    soon = pending.filter(due_at__gte=now, due_at__lte=now + timedelta(days=4))
    for decision in soon.prefetch_related("seam__calendar__holidays"):
        if decision.due_at <= business_day_ahead(decision, now):
            yield decision, lambda d=decision: _tell_decision(d, "decision.due", "Due soon")


def _tell_decision(decision: Decision, kind: str, word: str):
    due = timezone.localtime(decision.due_at)
    return notify(
        kind=kind,
        key=f"{kind}:{decision.pk}",
        title=f"{word}: decide “{decision.question[:200]}”",
        text=f"{decision.decider.display_name} decides; it is due {due:%a %-d %b %H:%M}.",
        link=decision.get_absolute_url(),
        facts={
            "Decider": decision.decider.display_name,
            "Due": f"{due:%a %-d %b %H:%M}",
            "Seam": decision.seam.name if decision.seam_id else "",
        },
        seam=decision.seam,
        contract=decision.contract,
        people=[decision.decider],
    )


def _actions(today: date):
    actions = CorrectiveAction.objects.open().select_related("owner", "seam", "review")
    for action in actions.filter(due_on__lt=today):
        yield action, lambda a=action: _tell_action(a, "action.overdue", "Overdue")
    for action in actions.filter(due_on__gte=today, due_on__lte=today + timedelta(days=1)):
        yield action, lambda a=action: _tell_action(a, "action.due", "Due")


def _tell_action(action: CorrectiveAction, kind: str, word: str):
    return notify(
        kind=kind,
        key=f"{kind}:{action.pk}",
        title=f"{word}: {action.title}",
        text=f"The corrective action owned by {action.owner.display_name} is due "
        f"{action.due_on:%a %-d %b}.",
        link=reverse("metrics:actions"),
        facts={
            "Owner": action.owner.display_name,
            "Due": f"{action.due_on:%a %-d %b %Y}",
            "Seam": action.seam.name,
        },
        seam=action.seam,
        contract=action.review.contract if action.review.contract_id else None,
        people=[action.owner],
    )


def _review_packs(today: date):
    contracts = Contract.objects.filter(status__in=Contract.IN_FORCE, review_day=today.day)
    for contract in contracts.select_related("leader"):
        yield contract, lambda c=contract: _tell_review(c, today)


def _tell_review(contract: Contract, today: date):
    link = f"{reverse('metrics:review')}?contract={contract.slug}&pack=1"
    return notify(
        kind="review_pack.ready",
        key=f"review_pack.ready:{contract.pk}:{today.isoformat()}",
        title=f"{contract.title}: the review pack is ready",
        text=f"Today is the monthly review of {contract.title}. The pack has its seams' "
        "metrics, the red ones first.",
        link=link,
        facts={"Contract": contract.title, "Review day": f"{today:%-d %B %Y}"},
        contract=contract,
        people=[contract.leader],
    )
