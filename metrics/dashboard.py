"""The monthly seam review: what a leader sees first, assembled in a fixed number of queries
whatever the number of seams (snapshots, targets, causes and returns are each read once)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from contracts import catalogue
from contracts.models import Contract, ContractSeam
from decisions import agenda as agenda_lists
from decisions.models import Constraint, Decision, overdue_q
from metrics import engine, reviews, seam_why
from metrics.models import CorrectiveAction, MonthlySeamMetrics
from metrics.models import Review as ReviewRecord
from seams.models import Seam

# The tiles of each row, in the order leaders read them. Each metric's direction (which way is
# better) is the catalogue's: arrows, delta colours and wording follow it (DESIGN.md, Direction).
TILES = [
    "queue_time_p85_hours",
    "sla_breach_rate",
    "rework_rate",
    "decision_latency_p85_hours",
    "escalations",
]
SPARK_METRIC = "queue_time_p85_hours"
PER_PAGE = 25  # seams per page of the review table
SEGMENTS = ("", "red", "amber", "green", "other")  # the status filter's values
AGENDA_HEAD = 4  # decisions and constraints shown beside the table
RANK = {"red": 0, "amber": 1, "green": 2, "progress": 3, "nodata": 4, "none": 5}
STATUS_LABELS = {
    "red": "Red",
    "amber": "Amber",
    "green": "Green",
    "progress": "In progress",
    "nodata": "No data",
    "none": "No target",
}


def is_higher_better(metric: str) -> bool:
    return catalogue.BY_NAME[metric].higher_is_better


def judged_at_month_end(metric: str) -> bool:
    """A count where higher is better (throughput): a month that has not ended yet has not
    had the time to reach its target, so it is "in progress" until the month ends."""
    spec = catalogue.BY_NAME[metric]
    return spec.higher_is_better and spec.unit == catalogue.NONE


def judge(value, goal: engine.Goal, provisional: bool) -> str:
    """A targeted metric's status: red, amber or green; "nodata" without a value; "progress"
    for a higher-is-better count in a month still running (DESIGN.md, the month under
    review)."""
    if provisional and judged_at_month_end(goal.metric):
        return "progress"
    return engine.rag_status(value, goal) or "nodata"


def phrase(label: str) -> str:
    """A metric's label inside a sentence: "queue time p85", but "SLA breach rate"."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def direction_text(metrics: list[str]) -> str:
    """What is better for these metrics, in words: "Lower is better for queue time p85, …;
    higher is better for throughput." (naming each metric, never "every metric")."""

    lower = [phrase(catalogue.BY_NAME[m].label) for m in metrics if not is_higher_better(m)]
    higher = [phrase(catalogue.BY_NAME[m].label) for m in metrics if is_higher_better(m)]
    parts = []
    for word, labels in (("lower", lower), ("higher", higher)):
        if labels:
            names = ", ".join(labels[:-1]) + (" and " if len(labels) > 1 else "") + labels[-1]
            parts.append(f"{word} is better for {names}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def metric_unit(metric: str) -> str:
    """ "%" for rates (stored as fractions), "h" for hours, "" for counts: the catalogue's."""
    return catalogue.unit_of(metric)


def metric_number(metric: str, value) -> str:
    """A metric's value without its unit: "41.6", "31" (a rate, in percent), "—" for none."""
    if value is None:
        return "—"
    unit = metric_unit(metric)
    if unit == catalogue.PERCENT:
        return f"{Decimal(value) * 100:.0f}"
    if unit == catalogue.HOURS:
        return f"{Decimal(value):.1f}"
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))  # a count kept as a baseline: "3", not "3.0000"
    return str(value)


def metric_text(metric: str, value) -> str:
    """A metric's value in its unit: "31 %", "41.6 h", "4", "—" for none."""
    unit = metric_unit(metric)
    number = metric_number(metric, value)
    return f"{number} {unit}" if value is not None and unit else number


@dataclass
class Tile:
    metric: str
    label: str
    value: Decimal | int | None
    target: engine.Goal | None
    status: str  # red, amber, green, progress, nodata (a target but no value), none (no target)
    delta: Decimal | None  # vs last month, in the metric's unit (rates in points)
    provisional: bool = False  # the month is still running: the value will move

    @property
    def higher_is_better(self) -> bool:
        return is_higher_better(self.metric)

    @property
    def is_rate(self) -> bool:
        return self.unit == catalogue.PERCENT

    @property
    def short_label(self) -> str:
        """The label for a narrow screen: "Queue p85" rather than "Queue time p85"."""
        spec = catalogue.FIELD.get(self.metric)
        return spec.short_label or self.label if spec else self.label

    @property
    def unit(self) -> str:
        return metric_unit(self.metric)

    @property
    def trend(self) -> str:
        """worse, better or same, whichever way the metric is better."""
        if not self.delta:
            return "same"
        return "better" if (self.delta > 0) == self.higher_is_better else "worse"

    @property
    def number(self) -> str:
        """The value without its unit: "41.6", "30" (a rate, in percent), "—" for no data."""
        return metric_number(self.metric, self.value)

    @property
    def value_text(self) -> str:
        return metric_text(self.metric, self.value)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "No target"
        sign = "≥" if self.target.direction == "higher" else "≤"
        unit = f" {self.unit}" if self.unit else ""
        return f"{sign} {self.target.target.normalize():f}{unit}"

    @property
    def status_text(self) -> str:
        """The status in words, for screen readers and the in-progress badge."""
        return STATUS_LABELS[self.status]

    @property
    def delta_text(self) -> str:
        """The change since last month: "↑ 14.1 h", "↓ 4 pts", "– 0"; "" without one."""
        if self.delta is None:
            return ""
        hours = self.unit == catalogue.HOURS
        unit = " pts" if self.is_rate else (" h" if hours else "")
        if self.delta == 0:
            return f"– 0{unit}"
        arrow = "↑" if self.delta > 0 else "↓"
        fine = hours or (self.is_rate and abs(self.delta) < 1)
        places = 1 if fine else 0
        return f"{arrow} {abs(self.delta):.{places}f}{unit}"


@dataclass
class Row:
    seam: "SeamCard"
    status: str
    last_status: str | None
    now: dict | None = None  # this month's snapshot (plain values), None without one
    before: dict | None = None  # last month's
    goals: dict[str, engine.Goal] = field(default_factory=dict)
    # Filled for the rows shown (detail()): the tiles, the sparkline and the why line.
    tiles: list[Tile] = field(default_factory=list)
    spark: list[float | None] = field(default_factory=list)
    spark_target: Decimal | None = None
    why: str = ""
    why_recorded: bool = False  # the why is the review's recorded root cause
    owner: str = ""
    off_target: list[Tile] = field(default_factory=list)  # targeted metrics beyond the tiles
    in_progress: list[Tile] = field(default_factory=list)  # targeted, judged when the month ends
    judged: dict[str, str] = field(default_factory=dict)  # each targeted metric's status
    data_why: str = ""  # what the data says, even where a root cause is recorded

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def segment(self) -> str:
        return self.status if self.status in ("red", "amber", "green") else "other"

    @property
    def worst_metric(self) -> str | None:
        """The targeted metric furthest past its target among the red ones, else the amber
        ones: what a corrective action should move by default. None if none is either."""
        for status in ("red", "amber"):
            metrics = [m for m, s in self.judged.items() if s == status]
            if metrics:
                order = list(catalogue.BY_NAME)
                return max(metrics, key=lambda m: (self._excess(m), -order.index(m)))
        return None

    def _excess(self, metric: str) -> Decimal:
        """How far past its target the metric is, as a share of the target."""
        goal = self.goals[metric]
        value = Decimal(str(self.now[metric])) * (
            100 if metric_unit(metric) == catalogue.PERCENT else 1
        )
        gap = goal.target - value if goal.direction == catalogue.HIGHER else value - goal.target
        return gap / goal.target if goal.target else Decimal("Infinity")


@dataclass
class Review:
    month: date
    previous: date
    contract: Contract | None
    rows: list[Row] = field(default_factory=list)  # every seam in scope, worst first
    shown: list[Row] = field(default_factory=list)  # the rows of the segment and page asked for
    page: Page | None = None  # the page of `shown`, when paginated
    segment: str = ""
    pair: tuple[str, str] | None = None  # (from team, to team) slugs, when filtered to them
    counts: Counter = field(default_factory=Counter)
    newly_red: list["SeamCard"] = field(default_factory=list)
    breaches: int = 0
    breaches_before: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    overdue_decisions: int = 0
    oldest_overdue_days: int | None = None
    computed: bool = False
    agenda: "Agenda | None" = None
    progress: engine.MonthProgress | None = None  # the current month: how far it has run

    @property
    def provisional(self) -> bool:
        return self.progress is not None

    @property
    def segments(self) -> list[tuple[str, str, int]]:
        """The status filter: (value, label, how many seams)."""
        other = self.counts["progress"] + self.counts["nodata"] + self.counts["none"]
        label = "In progress, no data or target" if self.counts["progress"] else "No data or target"
        return [
            ("", "All", len(self.rows)),
            ("red", "Red", self.counts["red"]),
            ("amber", "Amber", self.counts["amber"]),
            ("green", "Green", self.counts["green"]),
            *([("other", label, other)] if other else []),
        ]


def worst(statuses: list[str]) -> str:
    judged = [s for s in statuses if s in ("red", "amber", "green")]
    if judged:
        return min(judged, key=RANK.__getitem__)
    for status in ("nodata", "progress"):
        if status in statuses:
            return status
    return "none"


def _delta(metric: str, now, before) -> Decimal | None:
    if now is None or before is None:
        return None
    change = Decimal(str(now)) - Decimal(str(before))
    return change * 100 if metric_unit(metric) == catalogue.PERCENT else change


def scope_of(contract: Contract | None) -> dict:
    """The seams in scope, as a filter: a subquery for a contract, nothing at all for every
    seam (hundreds of ids as parameters cost more than the queries)."""
    if contract is None:
        return {}
    return {"seam_id__in": ContractSeam.objects.filter(contract=contract).values("seam_id")}


def build(
    month: date,
    contract: Contract | None = None,
    *,
    segment: str = "",
    pair: tuple[str, str] | None = None,
    page: str | int | None = None,
    per_page: int | None = None,
) -> Review:
    """Every seam in scope with its status, worst first, and the summary strip. Only the rows
    shown get their tiles, sparkline and why: with `page`, one page of the segment asked for
    (red, amber, green or other); without, every row of it. `pair` (two team slugs) keeps
    only the seams from the one team to the other."""
    previous = engine.previous_month(month)
    review = Review(month=month, previous=previous, contract=contract, segment=segment)
    review.progress = engine.month_progress(month)
    scope = scope_of(contract)
    _add_rows(review, scope)
    _choose_shown(review, segment, pair, page, per_page)
    detail(review.shown, month, review.provisional)
    counts = (
        CorrectiveAction.objects.open()
        .filter(**scope)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=timezone.localdate())))
    )
    review.open_actions, review.overdue_actions = counts["open"], counts["overdue"]
    review.agenda = agenda(contract, [r.seam.pk for r in review.rows if r.status == "red"])
    review.overdue_decisions = review.agenda.overdue
    if review.agenda.decisions:  # overdue first, the longest overdue at the top
        review.oldest_overdue_days = review.agenda.decisions[0].overdue_days
    return review


def _snapshots(review: Review, scope: dict) -> dict[int, dict]:
    """This month's and last month's snapshot of each seam in scope, as plain values."""
    snapshots: dict[int, dict] = defaultdict(dict)
    wanted = ["seam_id", "month", "rag", "sla_breaches", *catalogue.BY_NAME]
    two_months = [review.previous, review.month]
    for row in MonthlySeamMetrics.objects.filter(month__in=two_months, **scope).values(*wanted):
        snapshots[row["seam_id"]][row["month"]] = row
    review.computed = any(review.month in months for months in snapshots.values())
    return snapshots


def _add_rows(review: Review, scope: dict) -> None:
    """A row per seam in scope, judged against its targets, worst first; and the counts."""
    seams = Seam.objects.all()
    if review.contract is not None:
        seams = seams.filter(pk__in=scope["seam_id__in"])
    snapshots = _snapshots(review, scope)
    targets = engine.targets_for(scope.get("seam_id__in"), review.contract)
    for seam in _seam_cards(seams):
        now = snapshots[seam.pk].get(review.month)
        before = snapshots[seam.pk].get(review.previous)
        goals = targets.get(seam.pk, {})
        judged = {
            m: judge(now[m] if now else None, g, review.provisional) for m, g in goals.items()
        }
        status = worst(list(judged.values()))
        last_status = (
            worst([(before["rag"] or {}).get(m) or "nodata" for m in goals])
            if before and goals
            else None
        )
        review.rows.append(Row(seam, status, last_status, now, before, goals, judged=judged))
        review.counts[status] += 1
        if status == "red" and last_status not in (None, "red"):
            review.newly_red.append(seam)
        review.breaches += now["sla_breaches"] if now else 0
        review.breaches_before += before["sla_breaches"] if before else 0
    review.rows.sort(key=lambda r: (RANK[r.status], r.seam.name))


def _choose_shown(review: Review, segment: str, pair, page, per_page) -> None:
    """The rows of the segment, team pair and page asked for."""
    review.shown = [r for r in review.rows if not segment or r.segment == segment]
    if pair:
        review.pair = pair
        review.shown = [
            r for r in review.shown if (r.seam.from_team.slug, r.seam.to_team.slug) == pair
        ]
    if page is not None:
        review.page = Paginator(review.shown, per_page or PER_PAGE).get_page(page)
        review.shown = list(review.page.object_list)


def detail(rows: list[Row], month: date, provisional: bool = False) -> None:
    """Give rows their tiles, off-target and in-progress badges, 12-month sparkline and why
    line, reading the sparkline months, root causes and the data's reasons once for all of
    them. `provisional`: the month is still running."""
    sparks = _sparks([row.seam.pk for row in rows], month)
    hurting = [row.seam.pk for row in rows if row.status in ("red", "amber")]
    whys = seam_why.data_whys(hurting, month)
    recorded = seam_why.recorded_causes(hurting, month)
    for row in rows:
        _add_tiles(row, provisional)
        months = sorted(sparks[row.seam.pk])
        row.spark = [
            float(v) if (v := sparks[row.seam.pk][m]) is not None else None for m in months
        ]
        row.spark_target = row.goals[SPARK_METRIC].target if SPARK_METRIC in row.goals else None
        row.data_why = whys.get(row.seam.pk, "")
        if row.seam.pk in recorded:
            row.why, row.why_recorded = recorded[row.seam.pk], True
        else:
            row.why = row.data_why
        row.owner = row.seam.owner


def _sparks(seam_ids: list[int], month: date) -> dict[int, dict]:
    """The sparkline metric of each seam over the twelve months up to `month`."""
    first = month
    for _ in range(11):
        first = engine.previous_month(first)
    sparks: dict[int, dict] = defaultdict(dict)
    for seam_id, when, value in MonthlySeamMetrics.objects.filter(
        seam_id__in=seam_ids, month__gte=first, month__lte=month
    ).values_list("seam_id", "month", SPARK_METRIC):
        sparks[seam_id][when] = value
    return sparks


def _add_tiles(row: Row, provisional: bool) -> None:
    """The row's tiles, and its off-target and in-progress badges beyond them."""
    now, before, goals = row.now, row.before, row.goals
    for metric in TILES:
        goal = goals.get(metric)
        value = now[metric] if now else None
        status = "none" if goal is None else judge(value, goal, provisional)
        row.tiles.append(
            Tile(
                metric=metric,
                label=catalogue.BY_NAME[metric].label,
                value=value,
                target=goal,
                status=status,
                delta=_delta(metric, value, before[metric] if before else None),
                provisional=provisional,
            )
        )
    for metric, goal in goals.items():
        value = now[metric] if now else None
        judged = row.judged.get(metric) or judge(value, goal, provisional)
        label = catalogue.BY_NAME[metric].label
        tile = Tile(metric, label, value, goal, judged, None, provisional)
        if metric not in TILES and judged in ("red", "amber"):
            row.off_target.append(tile)
        elif judged == "progress":
            row.in_progress.append(tile)


@dataclass(frozen=True)
class TeamCard:
    name: str
    slug: str


@dataclass(frozen=True)
class SeamCard:
    """What the review shows of a seam: read as plain values, as 300 seams with their teams
    and owners as model instances cost more than every query of the page."""

    pk: int
    name: str
    slug: str
    status: str
    from_team: TeamCard
    to_team: TeamCard
    owner: str  # the spec owner's name, "" without one

    def get_absolute_url(self) -> str:
        return reverse("seams:detail", args=[self.slug])


def _seam_cards(seams) -> list[SeamCard]:
    teams: dict[str, TeamCard] = {}
    cards = []
    for pk, name, slug, status, *ends, first, last, username in seams.values_list(
        "pk",
        "name",
        "slug",
        "status",
        "from_team__name",
        "from_team__slug",
        "to_team__name",
        "to_team__slug",
        "spec__owner__first_name",
        "spec__owner__last_name",
        "spec__owner__username",
    ):
        from_team = teams.setdefault(ends[1], TeamCard(ends[0], ends[1]))
        to_team = teams.setdefault(ends[3], TeamCard(ends[2], ends[3]))
        owner = f"{first or ''} {last or ''}".strip() or username or ""
        cards.append(SeamCard(pk, name, slug, status, from_team, to_team, owner))
    return cards


@dataclass
class Agenda:
    """The heads of the two agenda lists, and how long each list is."""

    decisions: list[Decision]  # overdue first, then by due time
    pending: int
    overdue: int
    due_this_week: int  # pending, not yet overdue, due within seven days
    constraints: list[Constraint]  # those on red seams first, then oldest first
    open_constraints: int

    @property
    def more_decisions(self) -> int:
        return self.pending - len(self.decisions)


def agenda(contract: Contract | None, red_seam_ids: list[int]) -> Agenda:
    now = timezone.now()
    decisions = agenda_lists.decisions_to_make(contract)
    counts = decisions.aggregate(
        pending=Count("pk"),
        overdue=Count("pk", filter=overdue_q(now)),
        soon=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(days=7))),
    )
    constraints = agenda_lists.constraints_to_remove(contract)
    head = list(decisions.overdue_first(now)[:AGENDA_HEAD])
    today = timezone.localdate()
    for decision in head:
        decision.overdue_days = decision.days_overdue(now) if decision.rank == 0 else None
    return Agenda(
        decisions=head,
        pending=counts["pending"],
        overdue=counts["overdue"],
        due_this_week=counts["soon"],
        constraints=[_days_open(c, today) for c in _constraints_head(constraints, red_seam_ids)],
        open_constraints=constraints.count(),
    )


def _constraints_head(constraints, red_seam_ids: list[int]) -> list[Constraint]:
    """The first AGENDA_HEAD constraints: those on red seams, then the rest, oldest first."""
    oldest = ("raised_at", "pk")
    on_red = list(constraints.filter(seam_id__in=red_seam_ids).order_by(*oldest)[:AGENDA_HEAD])
    rest = constraints.exclude(seam_id__in=red_seam_ids).order_by(*oldest)
    return on_red + list(rest[: AGENDA_HEAD - len(on_red)]) if len(on_red) < AGENDA_HEAD else on_red


def _days_open(constraint: Constraint, today: date) -> Constraint:
    constraint.days_open = (today - constraint.raised_at).days
    return constraint


@dataclass
class Follow:
    """Whether the corrective actions of the scope's last review moved their metrics."""

    review: ReviewRecord | None
    actions: list[CorrectiveAction]
    verdicts: Counter

    @property
    def tally(self) -> list[tuple[str, int]]:
        """(verdict, how many), in the order moved, partly, not moved, too early."""
        order = [reviews.MOVED, reviews.PARTLY, reviews.NOT_MOVED, reviews.TOO_EARLY]
        return [(verdict, self.verdicts[verdict]) for verdict in order if self.verdicts[verdict]]


def follow_up(month: date, contract: Contract | None) -> Follow:
    """The actions agreed at the scope's latest review that a full month has followed, each
    judged against its metric's latest full month (metrics.reviews.judge). Viewing this month,
    that is the review of the month before last: last month's own review is too early."""
    cutoff = min(month, engine.previous_month(engine.current_month()))
    earlier = (
        ReviewRecord.objects.filter(contract=contract, month__lt=cutoff).order_by("-month").first()
    )
    if earlier is None:
        return Follow(None, [], Counter())
    actions = list(
        earlier.actions.exclude(status=CorrectiveAction.Status.DROPPED).select_related(
            "owner", "seam__from_team", "seam__to_team", "review"
        )
    )
    reviews.judge(actions)
    return Follow(earlier, actions, Counter(a.verdict for a in actions))


def contracts_in_force():
    return Contract.objects.filter(status__in=Contract.IN_FORCE).order_by("title")
