"""Why a seam is red (or amber) in a month, from its own data: the causes of its escalations as a
Pareto, the definition-of-ready items most often missing when work was sent back, its overdue
decisions, and the root cause the month's review recorded. Each part is one query."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Q

from decisions import pareto
from decisions.models import Decision, Escalation
from metrics import engine
from metrics.models import Review, RootCause
from seams.models import HandoffReturn, Seam

PARETO_MONTHS = 3  # the cause Pareto looks back over the month and the two before it
MISSING_SHOWN = 3  # ready items named in the why panel
OVERDUE_SHOWN = 5  # overdue decisions named in the why panel


@dataclass
class Missing:
    item: str
    count: int


@dataclass
class Why:
    month: date
    returns: int = 0  # handoffs sent back in the month
    missing_all: list[Missing] = field(default_factory=list)  # most often missing first
    missing: list[Missing] = field(default_factory=list)  # the head of it, as shown
    escalations: int = 0  # raised in the month
    top_cause: tuple[str, int] | None = None  # the month's most frequent cause, and its count
    pareto_first: date | None = None  # the first month the Pareto counts
    pareto_total: int = 0
    pareto_bars: list[pareto.ParetoBar] = field(default_factory=list)
    pareto_chart: pareto.ParetoChart | None = None
    overdue: list[Decision] = field(default_factory=list)
    more_overdue: bool = False  # more overdue decisions than shown
    root_cause: RootCause | None = None

    @property
    def returns_with_item(self) -> int:
        return sum(m.count for m in self.missing_all)

    @property
    def says_nothing(self) -> bool:
        """No return with a missing item, no escalation and no overdue decision to show."""
        return not (self.missing or self.escalations or self.overdue)


def missing_items(seam: Seam, month: date) -> tuple[int, list[Missing]]:
    """Handoffs of the seam returned in the month, and the ready items missing in them, most
    often missing first (ties by name)."""
    start, end = engine.month_bounds(month)
    returned = HandoffReturn.objects.filter(
        handoff__seam=seam, returned_at__gte=start, returned_at__lt=end
    )
    rows = returned.values("missing_item").annotate(n=Count("pk")).order_by()
    total, found = 0, []
    for row in rows:
        total += row["n"]
        if row["missing_item"]:
            found.append(Missing(row["missing_item"], row["n"]))
    found.sort(key=lambda m: (-m.count, m.item.casefold()))
    return total, found


def escalation_causes(seam: Seam, month: date) -> tuple[date, list[tuple[str, int, int]]]:
    """The first month counted, and each cause with its escalations on the seam over
    PARETO_MONTHS months to the end of `month` and, of those, in `month` itself."""
    first = month
    for _ in range(PARETO_MONTHS - 1):
        first = engine.previous_month(first)
    since, _ = engine.month_bounds(first)
    start, end = engine.month_bounds(month)
    labels = dict(Escalation.Cause.choices)
    rows = (
        Escalation.objects.filter(seam=seam, raised_at__gte=since, raised_at__lt=end)
        .values("cause")
        .annotate(n=Count("pk"), in_month=Count("pk", filter=Q(raised_at__gte=start)))
        .order_by()
    )
    return first, [(labels.get(r["cause"], r["cause"]), r["n"], r["in_month"]) for r in rows]


def overdue_decisions(seam: Seam, now: datetime) -> list[Decision]:
    """The seam's decisions past their due time, the longest overdue first (one more than
    shown, to tell whether there are more)."""
    found = list(
        seam.decisions.overdue(now)
        .select_related("decider")
        .order_by("due_at", "pk")[: OVERDUE_SHOWN + 1]
    )
    for decision in found:
        decision.overdue_days = decision.days_overdue(now)
    return found


def recorded_root_cause(seam: Seam, month: date) -> RootCause | None:
    """The root cause a review of the month recorded for the seam (the latest, if two did)."""
    return (
        RootCause.objects.filter(seam=seam, review__month=month)
        .select_related("recorded_by")
        .order_by("-recorded_at")
        .first()
    )


def explain(seam: Seam, month: date, now: datetime) -> Why:
    why = Why(month=month)
    why.returns, why.missing_all = missing_items(seam, month)
    why.missing = why.missing_all[:MISSING_SHOWN]
    why.pareto_first, causes = escalation_causes(seam, month)
    in_month = sorted(
        ((label, n) for label, _, n in causes if n), key=lambda c: (-c[1], c[0].casefold())
    )
    why.escalations = sum(n for _, n in in_month)
    why.top_cause = in_month[0] if in_month else None
    why.pareto_bars = pareto.pareto((label, n) for label, n, _ in causes)
    why.pareto_total = sum(bar.count for bar in why.pareto_bars)
    why.pareto_chart = pareto.pareto_chart(
        why.pareto_bars, title="Escalations by cause", width=640, height=280
    )
    overdue = overdue_decisions(seam, now)
    why.overdue, why.more_overdue = overdue[:OVERDUE_SHOWN], len(overdue) > OVERDUE_SHOWN
    why.root_cause = recorded_root_cause(seam, month)
    return why


def meeting_for(seam: Seam, month: date) -> Review | None:
    """The month's review meeting that covers the seam: the all-seams one first, else one of a
    contract that covers it."""
    return (
        Review.objects.filter(month=month)
        .filter(Q(contract__isnull=True) | Q(contract__covered__seam=seam))
        .order_by(F("contract_id").asc(nulls_first=True), "pk")
        .first()
    )


# --- The review table's why line: every seam shown at once ------------------------------------


def recorded_causes(seam_ids: list[int], month: date) -> dict[int, str]:
    """The root cause a review of this month recorded for each seam (the latest, if two
    reviews of different scopes did)."""
    return dict(
        RootCause.objects.filter(seam_id__in=seam_ids, review__month=month)
        .order_by("seam_id", "recorded_at")
        .values_list("seam_id", "text")
    )


def data_whys(seam_ids: list[int], month: date) -> dict[int, str]:
    """What the data says about a seam this month: its top escalation cause, and the
    definition-of-ready item most often missing when work was sent back."""
    start, end = engine.month_bounds(month)
    causes = (
        Escalation.objects.filter(raised_at__gte=start, raised_at__lt=end, seam_id__in=seam_ids)
        .values("seam_id", "cause")
        .annotate(n=Count("pk"))
        .order_by("seam_id", "-n", "cause")
    )
    labels = dict(Escalation.Cause.choices)
    top_cause: dict[int, tuple[str, int]] = {}
    for row in causes:
        top_cause.setdefault(row["seam_id"], (labels.get(row["cause"], row["cause"]), row["n"]))
    missing = (
        HandoffReturn.objects.filter(
            returned_at__gte=start,
            returned_at__lt=end,
            handoff__seam_id__in=seam_ids,
        )
        .exclude(missing_item="")
        .values("handoff__seam_id", "missing_item")
        .annotate(n=Count("pk"))
        .order_by("handoff__seam_id", "-n", "missing_item")
    )
    returns = Counter()
    top_missing: dict[int, tuple[str, int]] = {}
    for row in missing:
        returns[row["handoff__seam_id"]] += row["n"]
        top_missing.setdefault(row["handoff__seam_id"], (row["missing_item"], row["n"]))
    whys = {}
    for seam_id in seam_ids:
        parts = []
        if seam_id in top_missing:
            item, n = top_missing[seam_id]
            parts.append(f"“{item}” missing in {n} of {returns[seam_id]} returns")
        if seam_id in top_cause:
            cause, n = top_cause[seam_id]
            # "missing inputs", but "SLA breach": lower-case the first letter of a word only
            cause = cause[:1].lower() + cause[1:] if cause[1:2].islower() else cause
            parts.append(f"{n} escalation{'s' if n != 1 else ''}: {cause}")
        whys[seam_id] = "; ".join(parts)
    return whys
