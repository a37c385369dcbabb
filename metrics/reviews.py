"""The review record's rules: who holds reviews, who updates actions, and whether an action
moved its metric (DESIGN.md's verdicts)."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts import catalogue
from contracts.models import Contract
from metrics import engine
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review, RootCause
from seams import permissions
from seams.models import Seam, User

MOVED, PARTLY, NOT_MOVED, TOO_EARLY = "moved", "partly", "not moved", "too early"
# The badge colour of each verdict ("Did it move?" pills in the design language).
VERDICT_BADGES = {MOVED: "green", PARTLY: "amber", NOT_MOVED: "red", TOO_EARLY: "nodata"}


class ReviewRefused(Exception):
    """A review step the rules don't allow; says why."""


class ReviewForbidden(ReviewRefused):
    """A review step this person may not take."""


def can_hold_reviews(user) -> bool:
    return permissions.is_leader(user)


def can_update_action(user, action: CorrectiveAction) -> bool:
    """Leaders update any action; an owner updates their own while they may act at its seam
    (one whose rights were taken away since has a viewer's rights)."""
    return permissions.is_leader(user) or (
        action.owner_id == user.pk and permissions.may_be_named(user, action.seam)
    )


@transaction.atomic
def start_review(*, month: date, contract: Contract | None, by: User) -> Review:
    """The month's review of the scope: the one in progress if there is one."""
    if not can_hold_reviews(by):
        raise ReviewForbidden("Only leaders hold reviews.")
    if month > engine.current_month():
        raise ReviewRefused("A month can't be reviewed before it starts.")
    found = Review.objects.filter(month=month, contract=contract).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Review.objects.create(month=month, contract=contract, started_by=by)
    except IntegrityError:  # started at the same moment by someone else
        return Review.objects.get(month=month, contract=contract)


def _require_open(review: Review, by: User) -> None:
    if not can_hold_reviews(by):
        raise ReviewForbidden("Only leaders hold reviews.")
    if not review.is_open:
        raise ReviewRefused("This review is closed.")


def record_root_cause(*, review: Review, seam: Seam, text: str, by: User) -> RootCause:
    _require_open(review, by)
    text = text.strip()
    if not text:
        raise ReviewRefused("Say what the root cause is.")
    cause, _ = RootCause.objects.update_or_create(
        review=review,
        seam=seam,
        defaults={"text": text[:500], "recorded_by": by, "recorded_at": timezone.now()},
    )
    return cause


def add_action(
    *, review: Review, seam: Seam, title: str, owner: User, due_on: date, metric: str, by: User
) -> CorrectiveAction:
    _require_open(review, by)
    if metric not in catalogue.BY_NAME:
        raise ReviewRefused("Choose the seam metric this action should move.")
    if due_on < review.held_on:
        raise ReviewRefused("An action can't be due before the review that agreed it.")
    problem = permissions.named_person_error(owner, seam)
    if problem:
        raise ReviewRefused(problem)
    snapshot = (
        MonthlySeamMetrics.objects.filter(seam=seam, month=review.month)
        .values_list(metric, flat=True)
        .first()
    )
    return CorrectiveAction.objects.create(
        review=review,
        seam=seam,
        title=title.strip()[:200],
        owner=owner,
        due_on=due_on,
        metric=metric,
        baseline=None if snapshot is None else Decimal(str(snapshot)),
        created_by=by,
    )


def close_review(*, review: Review, by: User, notes: str = "") -> Review:
    _require_open(review, by)
    review.status = Review.Status.CLOSED
    review.closed_at = timezone.now()
    review.notes = notes.strip() or review.notes
    review.save(update_fields=["status", "closed_at", "notes"])
    return review


def update_action(*, action: CorrectiveAction, status: str, by: User) -> CorrectiveAction:
    if not can_update_action(by, action):
        raise ReviewForbidden("Only its owner or a leader updates an action.")
    if status not in CorrectiveAction.Status.values:
        raise ReviewRefused("Unknown status.")
    action.status = status
    action.done_on = timezone.localdate() if status == CorrectiveAction.Status.DONE else None
    action.save(update_fields=["status", "done_on"])
    return action


def verdict(action: CorrectiveAction, latest, target) -> str:
    """Compare the metric's latest full month (`latest`, a value or None when there is no full
    month since the action was agreed) with its value when agreed, against `target` (the
    metric's target value, or None). DESIGN.md: moved = reached the target or closed at least
    half the gap; partly = better, but less; not moved = same or worse."""
    if latest is None or action.baseline is None:
        return TOO_EARLY
    higher = catalogue.BY_NAME[action.metric].better == catalogue.HIGHER
    now, before = Decimal(str(latest)), action.baseline
    better = now > before if higher else now < before
    if target is not None:
        reached = now >= target if higher else now <= target
        gap = (target - before) if higher else (before - target)
        closed = (now - before) if higher else (before - now)
        if reached or (gap > 0 and closed >= gap / 2):
            return MOVED
    return PARTLY if better else NOT_MOVED


def latest_full_month(action: CorrectiveAction) -> date | None:
    """The latest month that ended after the action was agreed, if one has."""
    last_full = engine.previous_month(engine.current_month())
    return last_full if last_full > action.review.month else None


def judge(actions: list[CorrectiveAction]) -> None:
    """Give each action `latest` (its metric in the latest full month since it was agreed),
    `target` (its metric's target at the seam, rates as fractions) and `verdict`, reading
    the snapshots and targets once for all of them."""
    months = {latest_full_month(a) for a in actions} - {None}
    values = {
        (row["seam_id"], row["month"]): row
        for row in MonthlySeamMetrics.objects.filter(
            seam_id__in={a.seam_id for a in actions}, month__in=months
        ).values("seam_id", "month", *catalogue.BY_NAME)
    }
    goals = engine.targets_for({a.seam_id for a in actions})
    for action in actions:
        row = values.get((action.seam_id, latest_full_month(action)))
        action.latest = row[action.metric] if row else None
        goal = goals.get(action.seam_id, {}).get(action.metric)
        target = None
        if goal is not None:  # rates are targeted in percent and stored as fractions
            target = (
                goal.target / 100
                if catalogue.unit_of(action.metric) == catalogue.PERCENT
                else goal.target
            )
        action.target = target
        action.verdict = verdict(action, action.latest, target)
        action.verdict_badge = VERDICT_BADGES[action.verdict]
