"""The monthly seam review: what a leader sees first, assembled in a fixed number of queries
whatever the number of seams (snapshots, targets, causes and returns are each read once)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from contracts import catalogue
from contracts.models import Contract, ContractSeam
from decisions.models import Decision, Escalation
from metrics import engine
from metrics.models import CorrectiveAction, MonthlySeamMetrics
from seams.models import HandoffReturn, Seam

# The tiles of each row, in the order leaders read them (all lower-is-better).
TILES = [
    "queue_time_p85_hours",
    "sla_breach_rate",
    "rework_rate",
    "decision_latency_p85_hours",
    "escalations",
]
SPARK_METRIC = "queue_time_p85_hours"
RANK = {"red": 0, "amber": 1, "green": 2, "nodata": 3, "none": 4}
STATUS_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "nodata": "No data",
    "none": "No target",
}


@dataclass
class Tile:
    metric: str
    label: str
    value: Decimal | int | None
    target: engine.Goal | None
    status: str  # red, amber, green, nodata (a target but no value), none (no target)
    delta: Decimal | None  # vs last month, in the metric's unit (rates in points)

    @property
    def is_rate(self) -> bool:
        return self.metric.endswith("_rate")

    @property
    def trend(self) -> str:
        """worse, better or same, whichever way the metric is better."""
        if not self.delta:
            return "same"
        higher = catalogue.BY_NAME[self.metric].better == catalogue.HIGHER
        return "better" if (self.delta > 0) == higher else "worse"


@dataclass
class Row:
    seam: Seam
    status: str
    last_status: str | None
    tiles: list[Tile]
    spark: list[float | None]
    spark_target: Decimal | None
    why: str = ""
    owner: str = ""
    off_target: list[Tile] = field(default_factory=list)  # targeted metrics beyond the tiles

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Review:
    month: date
    previous: date
    contract: Contract | None
    rows: list[Row] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    newly_red: list[Seam] = field(default_factory=list)
    breaches: int = 0
    breaches_before: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    overdue_decisions: int = 0
    oldest_overdue_days: int | None = None
    computed: bool = False


def worst(statuses: list[str]) -> str:
    judged = [s for s in statuses if s in ("red", "amber", "green")]
    if judged:
        return min(judged, key=RANK.__getitem__)
    return "nodata" if "nodata" in statuses else "none"


def _delta(metric: str, now, before) -> Decimal | None:
    if now is None or before is None:
        return None
    change = Decimal(str(now)) - Decimal(str(before))
    return change * 100 if metric.endswith("_rate") else change


def build(month: date, contract: Contract | None = None) -> Review:
    previous = engine.previous_month(month)
    review = Review(month=month, previous=previous, contract=contract)
    seams = Seam.objects.select_related("from_team", "to_team", "spec__owner").order_by("name")
    if contract is not None:
        seams = seams.filter(
            pk__in=ContractSeam.objects.filter(contract=contract).values("seam_id")
        )
    seams = list(seams)
    seam_ids = [seam.pk for seam in seams]
    # The seams in scope, as SQL: a subquery for a contract, nothing at all for every seam
    # (hundreds of ids as parameters cost more than the queries).
    scope = (
        {}
        if contract is None
        else {"seam_id__in": ContractSeam.objects.filter(contract=contract).values("seam_id")}
    )
    first = month
    for _ in range(11):
        first = engine.previous_month(first)
    # Plain rows, not model instances: 300 seams × 12 months would otherwise cost more to
    # build than the rest of the page. The two months compared carry every metric, the ten
    # before only the sparkline's.
    wanted = ["seam_id", "month", "rag", "sla_breaches", *catalogue.BY_NAME]
    snapshots = defaultdict(dict)
    for row in MonthlySeamMetrics.objects.filter(month__in=[previous, month], **scope).values(
        *wanted
    ):
        snapshots[row["seam_id"]][row["month"]] = row
    sparks = defaultdict(dict)
    for seam_id, when, value in MonthlySeamMetrics.objects.filter(
        month__gte=first, month__lte=month, **scope
    ).values_list("seam_id", "month", SPARK_METRIC):
        sparks[seam_id][when] = value
    review.computed = any(month in months for months in snapshots.values())
    targets = engine.targets_for(scope.get("seam_id__in"), contract)
    whys = _whys(scope, seam_ids, month)
    for seam in seams:
        now = snapshots[seam.pk].get(month)
        before = snapshots[seam.pk].get(previous)
        tiles = []
        for metric in TILES:
            target = targets.get(seam.pk, {}).get(metric)
            value = now[metric] if now else None
            if target is None:
                status = "none"
            elif value is None:
                status = "nodata"
            else:
                status = engine.rag_status(value, target)
            tiles.append(
                Tile(
                    metric=metric,
                    label=catalogue.BY_NAME[metric].label,
                    value=value,
                    target=target,
                    status=status,
                    delta=_delta(metric, value, before[metric] if before else None),
                )
            )
        seam_targets = targets.get(seam.pk, {})
        status = worst(
            [
                engine.rag_status(now[m], t) or "nodata" if now else "nodata"
                for m, t in seam_targets.items()
            ]
        )
        last_status = (
            worst([(before["rag"] or {}).get(m) or "nodata" for m in seam_targets])
            if before and seam_targets
            else None
        )
        off_target = []
        for metric, target in seam_targets.items():
            value = now[metric] if now else None
            judged = engine.rag_status(value, target)
            if metric not in TILES and judged in ("red", "amber"):
                label = catalogue.BY_NAME[metric].label
                off_target.append(Tile(metric, label, value, target, judged, None))
        spark_months = sorted(sparks[seam.pk])
        row = Row(
            seam=seam,
            status=status,
            last_status=last_status,
            tiles=tiles,
            spark=[
                float(v) if (v := sparks[seam.pk][m]) is not None else None for m in spark_months
            ],
            spark_target=seam_targets[SPARK_METRIC].target
            if SPARK_METRIC in seam_targets
            else None,
            why=whys.get(seam.pk, "") if status in ("red", "amber") else "",
            owner=_owner(seam),
            off_target=off_target,
        )
        review.rows.append(row)
        review.counts[status] += 1
        if status == "red" and last_status not in (None, "red"):
            review.newly_red.append(seam)
        review.breaches += now["sla_breaches"] if now else 0
        review.breaches_before += before["sla_breaches"] if before else 0
    review.rows.sort(key=lambda r: (RANK[r.status], r.seam.name))
    counts = (
        CorrectiveAction.objects.open()
        .filter(**scope)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
    )
    review.open_actions, review.overdue_actions = counts["open"], counts["overdue"]
    overdue = Decision.objects.overdue(timezone.now())
    if contract is not None:
        overdue = overdue.filter(**scope)
    oldest = overdue.order_by("due_at").values_list("due_at", flat=True).first()
    review.overdue_decisions = overdue.count()
    review.oldest_overdue_days = (timezone.now() - oldest).days if oldest else None
    return review


def _owner(seam: Seam) -> str:
    spec = getattr(seam, "spec", None)
    owner = spec.owner if spec else None
    return owner.get_full_name() or owner.username if owner else ""


def _whys(scope: dict, seam_ids: list[int], month: date) -> dict[int, str]:
    """What the data says about a seam this month: its top escalation cause, and the
    definition-of-ready item most often missing when work was sent back."""
    start, end = engine.month_bounds(month)
    causes = (
        Escalation.objects.filter(raised_at__gte=start, raised_at__lt=end, **scope)
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
            **{f"handoff__{key}": value for key, value in scope.items()},
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
            parts.append(f"{n} escalation{'s' if n != 1 else ''}: {cause.lower()}")
        whys[seam_id] = "; ".join(parts)
    return whys


def contracts_in_force():
    return Contract.objects.filter(status__in=Contract.IN_FORCE).order_by("title")
