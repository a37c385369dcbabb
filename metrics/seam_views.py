"""A seam's drill-down: why it is red, for a month."""

from calendar import monthrange
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from contracts import catalogue
from contracts.models import Contract
from metrics import (
    charts,
    dashboard,
    engine,
    flow,
    flow_charts,
    reality,
    reviews,
    seam_why,
    signals,
)
from metrics.models import CorrectiveAction, MonthlySeamMetrics, SlaRevisionDraft
from metrics.views import asked_month
from seams import permissions
from seams.models import Seam

CHART_MONTHS = 12  # the drill-down's charts end at the month shown


PICKER_MONTHS = 24  # months offered by the drill-down's month picker
# Chart sizes in SVG units, near their width on screen at 1440 px so text keeps its size.
WIDE_CHART, NARROW_CHART = (860, 300), (420, 200)


@login_required
@require_GET
def seam_drilldown(request: HttpRequest, slug: str) -> HttpResponse:
    """Why a seam is red, for a month (`?month=YYYY-MM`, the month under review by default): its
    tiles against target, queue time, breaches and rework over 12 months, what the data says
    (escalation causes, ready items missing in returns, overdue decisions), what is open on it
    and its corrective actions with "Did it move?"."""
    seam = get_object_or_404(
        Seam.objects.select_related("from_team", "to_team", "spec__owner", "calendar"), slug=slug
    )
    text = request.GET.get("month")
    month, problem = asked_month(text)
    if problem or not text:
        month = engine.month_under_review()
    now = timezone.now()
    review = dashboard.build(month, pair=(seam.from_team.slug, seam.to_team.slug))
    row = next(r for r in review.shown if r.seam.pk == seam.pk)
    tiles = {tile.metric: tile for tile in [*row.tiles, _open_work_tile(row)]}
    now_signals = signals.signals_for([seam], now)  # contract vs reality, and a month cut now
    picker = engine.months_between(
        _months_before(engine.current_month(), PICKER_MONTHS - 1), engine.current_month()
    )
    context = {
        "seam": seam,
        "row": row,
        "month": month,
        "previous": review.previous,
        "next": engine.next_month(month) if month < engine.current_month() else None,
        "progress": engine.month_progress(month),
        "picker": [*reversed(picker), *([month] if month < picker[0] else [])],
        "problem": problem,
        "tiles": [tiles[m] for m in SEAM_TILES],
        "breach_tile": tiles["sla_breach_rate"],
        "rework_tile": tiles["rework_rate"],
        "contracts": Contract.objects.filter(status__in=Contract.IN_FORCE, covered__seam=seam)
        .order_by("title")
        .distinct(),
        "pilot_day": _pilot_day(seam),
        **_contract_vs_reality(request, seam, now_signals),
        **(charted := _charts(seam, month, row.goals)),
        "sides": _two_sides(seam, charted["latest"], row.goals),
        **_flow(seam, month, now, now_signals),
        "why": seam_why.explain(seam, month, now),
        **_open_on_seam(request, seam, month, now),
        "icons": static("img/icons.svg"),
        "today": timezone.localdate(),
        "now": now,
    }
    return render(request, "metrics/seam.html", context, status=400 if problem else 200)


def _contract_vs_reality(request: HttpRequest, seam: Seam, now_signals: dict) -> dict:
    """The response SLA its queue times support beside the contracted one (once its pilot
    has ended), the contracts a leader may revise with it and their open drafts."""
    found = now_signals[seam.pk]
    covering = list(
        Contract.objects.filter(covered__seam=seam)
        .exclude(status=Contract.Status.RETIRED)
        .order_by("title")
        .distinct()
    )
    drafts = {
        draft.contract_id: draft
        for draft in SlaRevisionDraft.objects.unpublished().filter(seam=seam)
    }
    return {
        "reality": reality.reality_of(seam, found, timezone.localdate()),
        "revisable": [(contract, drafts.get(contract.pk)) for contract in covering],
        "can_revise": permissions.is_leader(request.user),
    }


def _charts(seam: Seam, month, goals: dict) -> dict:
    """The seam's last 12 months: queue time, SLA breaches and rework, each against its
    target where it has one, and the month's lead time by approval type."""
    months = engine.months_between(_months_before(month, CHART_MONTHS - 1), month)
    rows = {
        r["month"]: r
        for r in MonthlySeamMetrics.objects.filter(
            seam=seam, month__gte=months[0], month__lte=month
        ).values()
    }

    def values(name, scale=1):
        return [
            None if (v := rows.get(m, {}).get(name)) is None else float(v) * scale for m in months
        ]

    queue_goal = goals.get("queue_time_p85_hours")
    rework_goal = goals.get("rework_rate")
    latest = rows.get(month) or dict.fromkeys(catalogue.FIELDS)
    return {
        "months": months,
        "latest": latest,
        "queue_chart": charts.line_chart(
            "Queue time",
            months,
            [
                charts.Series("p50", values("queue_time_p50_hours"), "line-p50"),
                charts.Series("p85", values("queue_time_p85_hours"), "line-p85"),
            ],
            queue_goal.target if queue_goal else None,
            queue_goal.tolerance_pct if queue_goal else None,
            size=WIDE_CHART,
        ),
        "breach_chart": charts.bar_chart(
            "SLA breaches", months, values("sla_breaches"), size=NARROW_CHART
        ),
        "rework_chart": charts.line_chart(
            "Rework rate",
            months,
            [charts.Series("rework", values("rework_rate", 100), "line-p50")],
            rework_goal.target if rework_goal else None,
            rework_goal.tolerance_pct if rework_goal else None,
            unit="%",
            size=NARROW_CHART,
        ),
        "by_type": sorted((latest.get("lead_time_by_approval_type") or {}).items()),
    }


def _flow(seam: Seam, month, now, now_signals: dict) -> dict:
    """The month's flow: work item age at the cut-off against the queue-time SLE (the leading
    signals at that instant), lead time of what was completed, and the cumulative flow by day."""
    at = flow.cut_off(month, now)
    ended = at == engine.month_bounds(month)[1]
    when = f"at the end of {month:%B}" if ended else "now"
    # The current month is cut off now: its signals are those already read for the page.
    found = (now_signals if at == now else signals.signals_for([seam], at)).get(seam.pk)
    items = [i for i in found.open_items if i.age_hours is not None] if found else []
    sle = found.queue_sle.as_dict() if found else {"n": 0}
    late = sle.get("p85")
    start = engine.month_bounds(month)[0]
    days = monthrange(month.year, month.month)[1]
    done = flow.completions(seam, month)
    cfd = flow.cumulative_flow(seam, month, now)
    return {
        "aging_at": at,
        "aging_when": when,
        "aging_items": items,
        "aging_late": [i for i in items if late is not None and i.age_hours > late],
        "sle": sle,
        "sle_min_n": signals.SLE_MIN_N,
        "aging_chart": flow_charts.aging_chart(
            [flow_charts.AgingDot(i.state, float(i.age_hours), _item_name(i)) for i in items],
            {name: None if value is None else float(value) for name, value in sle.items()},
            when=when,
        ),
        "completions": done,
        "cycle_lines": flow_charts.percentile_lines([c.lead_hours for c in done]),
        "cycle_chart": flow_charts.cycle_time_chart(
            [
                ((c.completed_at - start).total_seconds() / 86400, c.lead_hours, c.title)
                for c in done
            ],
            days=days,
            month_label=f"{month:%B}",
        ),
        "cfd": cfd,
        "cfd_chart": flow_charts.cumulative_flow_chart(
            cfd.arrived, cfd.started, cfd.completed, days=days, month_label=f"{month:%B}"
        ),
    }


def _item_name(item: signals.OpenItem) -> str:
    return f"{item.external_id} {item.title}" if item.external_id else item.title


@dataclass(frozen=True)
class Side:
    """One side of the seam in a month: the team, what it is judged on, its rate and how it
    was reached, and its status against a target on that rate (if any)."""

    role: str  # "Receiver" or "Sender"
    team: str
    label: str
    rate: Decimal | None
    part: int
    whole: int
    counted: str  # what `whole` counts, for the sentence under the figure
    status: str  # "green", "amber", "red", "nodata" or "none" (no target)
    target: str

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.0f}"


def _two_sides(seam: Seam, latest: dict, goals: dict) -> list[Side]:
    """The seam's two sides for the month, side by side: the receiver's responses on time
    (1 - SLA breach rate) and the sender's handoffs ready the first time."""
    due, breaches = latest.get("sla_due") or 0, latest.get("sla_breaches") or 0
    breach_rate = latest.get("sla_breach_rate")
    on_time = None if breach_rate is None else 1 - Decimal(breach_rate)
    started = latest.get("started") or 0
    ready_rate = latest.get("first_time_ready_rate")
    ready = 0 if ready_rate is None else round(Decimal(ready_rate) * started)
    breach_goal = goals.get("sla_breach_rate")
    ready_goal = goals.get("first_time_ready_rate")
    return [
        Side(
            role="Receiver",
            team=seam.to_team.name,
            label="Responses on time",
            rate=on_time,
            part=due - breaches,
            whole=due,
            counted="due",
            status=_status(breach_rate, breach_goal),
            target=f"breach rate ≤ {breach_goal.target.normalize():f} %" if breach_goal else "",
        ),
        Side(
            role="Sender",
            team=seam.from_team.name,
            label="Ready the first time",
            rate=None if ready_rate is None else Decimal(ready_rate),
            part=ready,
            whole=started,
            counted="started",
            status=_status(ready_rate, ready_goal),
            target=f"≥ {ready_goal.target.normalize():f} %" if ready_goal else "",
        ),
    ]


def _status(value, goal) -> str:
    if goal is None:
        return "none"
    return engine.rag_status(value, goal) or "nodata"


def _open_on_seam(request: HttpRequest, seam: Seam, month, now) -> dict:
    """What is open on the seam (decisions, escalations, dependencies), its corrective
    actions, and what the signed-in person may do about them."""
    actions = list(
        seam.actions.exclude(status=CorrectiveAction.Status.DROPPED)
        .select_related("owner", "review")
        .order_by("status", "due_on", "pk")[:20]
    )
    reviews.judge(actions)
    can_hold = reviews.can_hold_reviews(request.user)
    return {
        "decisions": seam.decisions.pending().select_related("decider").overdue_first(now)[:10],
        "escalations": seam.escalations.open().order_by("-raised_at")[:10],
        "dependencies": seam.dependencies.open()
        .select_related("provider", "consumer")
        .order_by("needed_by")[:10],
        "actions": actions,
        "can_hold": can_hold,
        "meeting": seam_why.meeting_for(seam, month) if can_hold else None,
        "can_log": permissions.can_log_at(request.user, seam),
    }


# The drill-down's tiles: the review's five, then the seam's open work.
SEAM_TILES = [*dashboard.TILES, "wip_open"]


def _open_work_tile(row: dashboard.Row) -> dashboard.Tile:
    """The sixth tile: work open at the month's end (rarely targeted)."""
    metric = "wip_open"
    goal = row.goals.get(metric)
    value = row.now[metric] if row.now else None
    before = row.before[metric] if row.before else None
    status = "none" if goal is None else engine.rag_status(value, goal) or "nodata"
    return dashboard.Tile(
        metric=metric,
        label=catalogue.BY_NAME[metric].label,
        value=value,
        target=goal,
        status=status,
        delta=None if value is None or before is None else Decimal(value - before),
    )


def _months_before(month, count: int):
    for _ in range(count):
        month = engine.previous_month(month)
    return month


def _pilot_day(seam: Seam) -> int | None:
    """Which day of its pilot a piloting seam is on (1 on the day it started)."""
    if seam.status != Seam.Status.PILOT or seam.pilot_started_on is None:
        return None
    return (timezone.localdate() - seam.pilot_started_on).days + 1
