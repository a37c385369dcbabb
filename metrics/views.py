import json
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import catalogue
from contracts.models import Contract
from decisions import agenda as agenda_lists
from decisions.views import escalation_pareto
from metrics import charts, dashboard, engine, guide, review_table, reviews, seam_map, seam_why
from metrics.forms import CorrectiveActionForm
from metrics.models import (
    CorrectiveAction,
    DataQualityReport,
    MetricsRun,
    MonthlySeamMetrics,
    Review,
)
from metrics.tasks import check_data_quality, compute_metrics
from seams import outbox, permissions
from seams.export import csv_lines
from seams.models import Seam, SpecVersion, Team, User
from seams.redirects import back_url

# While a started check has not reported, the card asks again every 2 s (hx-trigger in
# metrics/home.html), for up to 2 minutes.
MAX_POLLS = 60


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where people land: each role where its work is. Leaders on the review of the month
    under review (on "Start here" while the organisation has no contract), team owners on
    their seams, ops on the decision log, viewers on the review. Several roles: leader wins,
    then owner, then ops."""
    return redirect(landing_url(request.user))


def landing_url(user) -> str:
    access = permissions.access_for(user)
    if permissions.LEADER in access.roles:
        if guide.is_needed():
            return reverse("metrics:guide")
        return _review_url()
    if access.owned_team_ids:
        return reverse("metrics:mine")
    if permissions.OPS in access.roles:
        return reverse("decisions:list")
    return _review_url()


def _review_url() -> str:
    month = engine.month_under_review()
    return f"{reverse('metrics:review')}?{urlencode({'month': f'{month:%Y-%m}'})}"


@login_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    teams = list(Team.objects.visible_to(request.user).with_people())
    can_run_checks = permissions.can_trigger_recompute(request.user)
    context = {
        "teams": teams,
        "people_count": User.objects.filter(is_active=True, memberships__isnull=False)
        .values("pk")
        .distinct()
        .count(),
        "can_manage_teams": permissions.can_manage_teams(request.user),
        "can_run_checks": can_run_checks,
        "report": DataQualityReport.objects.first() if can_run_checks else None,
        "guide_needed": guide.is_needed(),
    }
    if context["guide_needed"]:
        current = guide.current()
        context["guide_step"] = guide.BY_KEY.get(current.step) if current else None
    return render(request, "metrics/home.html", context)


@login_required
@require_GET
def my_seams(request: HttpRequest) -> HttpResponse:
    """A team owner's page: the seams their teams send or receive on, each with its pilot
    state and the spec's version and last change, and the corrective actions they own.

    It lives here, not in seams, because it shows corrective actions (metrics) and seams may
    import only common (STYLE.md); metrics reads seams freely."""
    today = timezone.localdate()
    owned = permissions.access_for(request.user).owned_team_ids
    seams = list(
        Seam.objects.visible_to(request.user)
        .involving_any(owned)
        .with_related()
        .order_by("status", "name")
    )
    last_changes = {
        version.spec_id: version
        for version in SpecVersion.objects.filter(
            spec__seam__in=[seam.pk for seam in seams], number=F("spec__version")
        ).select_related("author")
    }
    rows = [
        {
            "seam": seam,
            "sends": seam.from_team_id in owned,
            "receives": seam.to_team_id in owned,
            "pilot_day": seam.pilot_day(today),
            "pilot_review_due": seam.pilot_review_due(today),
            "last_change": last_changes.get(seam.spec.pk),
        }
        for seam in seams
    ]
    actions = CorrectiveAction.objects.filter(owner=request.user).select_related("seam", "review")
    context = {
        "rows": rows,
        "teams": Team.objects.filter(pk__in=owned).order_by("name"),
        "open_actions": list(actions.open().order_by("due_on", "pk")),
        "closed_actions": list(
            actions.exclude(status=CorrectiveAction.Status.OPEN).order_by(
                "-done_on", "-due_on", "-pk"
            )[:CLOSED_ACTIONS_SHOWN]
        ),
        "today": today,
    }
    return render(request, "metrics/my_seams.html", context)


CLOSED_ACTIONS_SHOWN = 5


def _require_check_rights(request: HttpRequest) -> None:
    if not permissions.can_trigger_recompute(request.user):
        raise PermissionDenied("Only leaders and ops run the data-quality check.")


@login_required
@require_POST
def run_quality_check(request: HttpRequest) -> HttpResponse:
    _require_check_rights(request)
    latest = DataQualityReport.objects.first()
    outbox.enqueue(check_data_quality)
    if request.htmx:
        context = {"report": latest, "waiting_after": latest.pk if latest else 0, "polls": 0}
        return render(request, "metrics/home.html#data-quality", context)
    messages.success(request, "Data-quality check started. Its findings appear here when it ends.")
    return redirect("metrics:teams")


@login_required
@require_GET
def quality_card(request: HttpRequest) -> HttpResponse:
    """The data-quality card; with `after`, it waits for a report newer than that id."""
    _require_check_rights(request)
    report = DataQualityReport.objects.first()
    context = {"report": report}
    try:
        after = int(request.GET.get("after", ""))
        polls = int(request.GET.get("polls", "0"))
    except ValueError:
        after = polls = None
    if after is not None and (report is None or report.pk <= after):
        if polls < MAX_POLLS:
            context |= {"waiting_after": after, "polls": polls + 1}
        else:
            context["gave_up"] = True
    return render(request, "metrics/home.html#data-quality", context)


# --- Monthly seam metrics ---------------------------------------------------------------------


def _month(text: str | None):
    """The month asked for (YYYY-MM), else the month under review (the last full month,
    DESIGN.md), and what's wrong with the asking if it is bad."""
    try:
        return engine.parse_month(text) or engine.month_under_review(), ""
    except ValueError as exc:
        return engine.month_under_review(), str(exc)


def _run_context(run: MetricsRun | None) -> dict:
    return {"run": run, "run_percent": run.percent() if run else 0}


@login_required
@require_GET
def metrics_month(request: HttpRequest) -> HttpResponse:
    month, problem = _month(request.GET.get("month"))
    snapshots = list(
        MonthlySeamMetrics.objects.filter(month=month)
        .select_related("seam__from_team", "seam__to_team")
        .order_by("seam__name")
    )
    run = MetricsRun.objects.in_progress().first()
    context = {
        "month": month,
        "progress": engine.month_progress(month),
        "current": engine.current_month(),
        "previous": engine.previous_month(month),
        "next": engine.next_month(month) if month < engine.current_month() else None,
        "snapshots": snapshots,
        "computed_at": max((s.computed_at for s in snapshots), default=None),
        "can_recompute": permissions.can_trigger_recompute(request.user),
        "problem": problem,
        **_run_context(run),
    }
    if request.htmx and request.GET.get("part") == "run":
        return render(request, "metrics/month.html#recompute", context)
    return render(request, "metrics/month.html", context, status=400 if problem else 200)


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    if not permissions.can_trigger_recompute(request.user):
        raise PermissionDenied("Only leaders and ops trigger a recompute.")
    month, problem = _month(request.POST.get("month"))
    if problem:
        messages.error(request, f"Nothing recomputed: {problem}")
        return redirect("metrics:month")
    run = MetricsRun.objects.create(
        months=[f"{month:%Y-%m}"], seams=Seam.objects.count(), requested_by=request.user
    )
    outbox.enqueue(compute_metrics, run.months, run_id=run.pk)
    messages.success(request, f"Recomputing {month:%B %Y} for every seam.")
    return redirect(f"{reverse('metrics:month')}?month={month:%Y-%m}")


@login_required
@require_GET
def metrics_export(request: HttpRequest) -> HttpResponse:
    month, problem = _month(request.GET.get("month"))
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    snapshots = (
        MonthlySeamMetrics.objects.filter(month=month).select_related("seam").order_by("seam__name")
    )
    header = ["seam", "month", *catalogue.FIELDS, "computed_at"]
    rows = (
        [
            s.seam.slug,
            f"{s.month:%Y-%m}",
            *(
                json.dumps(value) if name == "lead_time_by_approval_type" and value else value
                for name, value in ((n, getattr(s, n)) for n in catalogue.FIELDS)
            ),
            s.computed_at,
        ]
        for s in snapshots.iterator(chunk_size=1000)
    )
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="seam-metrics-{month:%Y-%m}.csv"'
    return response


def _review_scope(request: HttpRequest):
    """The month and contract a review page asks for, the contracts to pick from, and what
    was wrong with the asking."""
    month, problem = _month(request.GET.get("month"))
    contracts = list(dashboard.contracts_in_force())
    slug = request.GET.get("contract", "")
    contract = next((c for c in contracts if c.slug == slug), None)
    if slug and contract is None:
        problem = problem or f"No contract in force is called “{slug}”; showing all seams."
    return month, contract, contracts, problem


@login_required
@require_GET
def review_dashboard(request: HttpRequest) -> HttpResponse:
    """The monthly seam review: seams worst first with their targeted metrics, the agenda,
    the seam map, whether the last review's actions moved anything, and the escalation
    Pareto. `?pack=1` is the review pack: every seam on one page, for printing."""
    month, contract, contracts, problem = _review_scope(request)
    segment = request.GET.get("status", "")
    if segment not in dashboard.SEGMENTS:
        problem = problem or f"“{segment}” is not a status to filter by; showing every seam."
        segment = ""
    pack = request.GET.get("pack") == "1"
    pair = (request.GET.get("from", ""), request.GET.get("to", ""))
    review = dashboard.build(
        month,
        contract,
        segment=segment,
        pair=pair if all(pair) else None,
        page=None if pack else request.GET.get("page") or 1,
    )
    query = {"month": f"{month:%Y-%m}", **({"contract": contract.slug} if contract else {})}
    scope_query = urlencode(query)
    last_day = engine.next_month(month) - timezone.timedelta(days=1)
    # A meeting reviews a full month: viewing the month still running, the button holds the
    # month under review.
    meeting_month = engine.month_under_review() if review.provisional else month
    scope_seams = agenda_lists.seams_of(contract) if contract else None
    icons = static("img/icons.svg")  # once, not once per tile
    context = {
        "review": review,
        "contracts": contracts,
        "month": month,
        "next": engine.next_month(month) if month < engine.current_month() else None,
        "current": engine.current_month(),
        "problem": problem,
        "pack": pack,
        "tiles": [catalogue.BY_NAME[m].label for m in dashboard.TILES],
        "direction": dashboard.direction_text(dashboard.TILES),
        "icons": icons,
        "table_rows": review_table.render(
            review.shown, icons=icons, previous=f"{review.previous:%b}"
        ),
        "phone_more": review_table.more_summary(review.shown[review_table.PHONE_HEAD :]),
        "scope_query": scope_query,
        "segment_query": urlencode(
            {**query, **({"status": segment} if segment else {}), **_pair_query(review)}
        ),
        "seam_map": seam_map.render(review.rows, scope_query),
        "follow": dashboard.follow_up(month, contract),
        "today": timezone.localdate(),
        "pareto": escalation_pareto(month, last_day, scope_seams),
        "month_end": last_day,
        "can_hold": reviews.can_hold_reviews(request.user),
        "meeting_month": meeting_month,
        "meeting": Review.objects.filter(month=meeting_month, contract=contract).first(),
        "can_recompute": permissions.can_trigger_recompute(request.user),
        "now": timezone.now(),
    }
    return render(request, "metrics/review.html", context, status=400 if problem else 200)


@login_required
@require_GET
def review_pack_style(request: HttpRequest) -> HttpResponse:
    """The printed pack names its scope and month in the header and footer of every page. Page
    margin boxes take only CSS strings and the policy allows no inline style, so this small
    print stylesheet carries them."""
    month, contract, _contracts, _problem = _review_scope(request)
    scope = f"{contract.title if contract else 'All seams'} · {date_format(month, 'F Y')}"
    header = review_table.css_string(scope)
    footer = review_table.css_string(f"Seamline · {scope} review pack · confidential")
    css = (
        "@page pack {\n"
        f"  @top-right {{ content: {header}; }}\n"
        f"  @bottom-left {{ content: {footer}; }}\n"
        "}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def _pair_query(review: dashboard.Review) -> dict:
    return {"from": review.pair[0], "to": review.pair[1]} if review.pair else {}


@login_required
@require_GET
def review_export(request: HttpRequest) -> HttpResponse:
    """The month's review as CSV: one line per seam in scope, worst first, with each tile's
    value, target, status and change since last month, and the why."""
    month, contract, _contracts, problem = _review_scope(request)
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    review = dashboard.build(month, contract)
    header = ["seam", "from_team", "to_team", "owner", "status", "last_month_status"]
    for metric in dashboard.TILES:
        header += [metric, f"{metric}_target", f"{metric}_status", f"{metric}_change"]
    header.append("why")
    rows = (
        [
            row.seam.slug,
            row.seam.from_team.slug,
            row.seam.to_team.slug,
            row.owner,
            row.status,
            row.last_status or "",
            *(
                value
                for tile in row.tiles
                for value in (
                    tile.value,
                    tile.target.target if tile.target else None,
                    tile.status,
                    tile.delta,
                )
            ),
            row.why,
        ]
        for row in review.rows
    )
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    scope = contract.slug if contract else "all-seams"
    response["Content-Disposition"] = (
        f'attachment; filename="seam-review-{month:%Y-%m}-{scope}.csv"'
    )
    return response


# --- The review record ---------------------------------------------------------------------------


@login_required
@require_POST
def review_start(request: HttpRequest) -> HttpResponse:
    month, problem = _month(request.POST.get("month"))
    slug = request.POST.get("contract") or ""
    contract = dashboard.contracts_in_force().filter(slug=slug).first() if slug else None
    if problem or (slug and contract is None):
        messages.error(request, problem or f"No contract in force is called “{slug}”.")
        return redirect("metrics:review")
    try:
        review = reviews.start_review(month=month, contract=contract, by=request.user)
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    # From a seam's drill-down: back to that seam's place in the meeting.
    seam = Seam.objects.filter(slug=request.POST.get("seam") or "").values_list("slug", flat=True)
    anchor = f"#seam-{seam[0]}" if seam else ""
    return redirect(reverse("metrics:review-record", args=[review.pk]) + anchor)


def _review_context(request: HttpRequest, review: Review) -> dict:
    board = dashboard.build(review.month, review.contract)
    hurting = [row for row in board.rows if row.status in ("red", "amber")]
    causes = {c.seam_id: c for c in review.root_causes.select_related("recorded_by")}
    actions = defaultdict(list)
    for action in review.actions.select_related("owner", "seam"):
        actions[action.seam_id].append(action)
    earlier = list(
        CorrectiveAction.objects.filter(
            review__contract=review.contract, review__month__lt=review.month
        )
        .exclude(status=CorrectiveAction.Status.DROPPED)
        .select_related("owner", "seam", "review")
        .order_by("-review__month", "due_on")[:20]
    )
    reviews.judge(earlier)
    return {
        "review": review,
        "seams": [
            {
                "row": row,
                "cause": causes.get(row.seam.pk),
                "actions": actions.get(row.seam.pk, []),
                "should_move": row.worst_metric,
            }
            for row in hurting
        ],
        "progress": board.progress,
        "earlier": earlier,
        "can_hold": reviews.can_hold_reviews(request.user) and review.is_open,
        "people": User.objects.filter(is_active=True).order_by("first_name", "last_name"),
        "metrics": catalogue.CHOICES,
        "icons": static("img/icons.svg"),
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("contract", "started_by"), pk=pk)
    return render(request, "metrics/review_record.html", _review_context(request, review))


def _back_to(request: HttpRequest, review: Review, seam: Seam | None = None) -> HttpResponse:
    context = _review_context(request, review)
    if request.htmx and seam is not None:
        block = next((s for s in context["seams"] if s["row"].seam.pk == seam.pk), None)
        if block is not None:
            return render(request, "metrics/review_record.html#seam-block", context | {"s": block})
    anchor = f"#seam-{seam.slug}" if seam else ""
    return redirect(reverse("metrics:review-record", args=[review.pk]) + anchor)


@login_required
@require_POST
def review_root_cause(request: HttpRequest, pk: int, seam: str) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    seam_obj = get_object_or_404(Seam, slug=seam)
    try:
        reviews.record_root_cause(
            review=review, seam=seam_obj, text=request.POST.get("text", ""), by=request.user
        )
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    return _back_to(request, review, seam_obj)


@login_required
@require_POST
def review_add_action(request: HttpRequest, pk: int, seam: str) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    seam_obj = get_object_or_404(Seam, slug=seam)
    form = CorrectiveActionForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _refused(request, reviews.ReviewRefused(message))
    try:
        reviews.add_action(review=review, seam=seam_obj, by=request.user, **form.cleaned_data)
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    return _back_to(request, review, seam_obj)


@login_required
@require_POST
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    try:
        reviews.close_review(review=review, by=request.user, notes=request.POST.get("notes", ""))
    except reviews.ReviewRefused as refused:
        return _refused(request, refused)
    messages.success(request, f"{review} is closed.")
    return redirect("metrics:review-record", review.pk)


def _posted_id(request: HttpRequest, name: str) -> int:
    """A record's id sent in a form; a clear 400 (BadRequest) when it is not a whole number."""
    text = request.POST.get(name, "")
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise BadRequest(f"“{name}” must be the id of a record: a whole number.")
    return int(text)


def _refused(request: HttpRequest, refused: Exception) -> HttpResponse:
    status = 403 if isinstance(refused, reviews.ReviewForbidden) else 400
    # "Go back" to the page the form was on, when it is one of ours; else to the review.
    context = {"message": str(refused), "back": back_url(request, "metrics:review")}
    return render(request, "metrics/refused.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def action_list(request: HttpRequest) -> HttpResponse:
    """Corrective actions: open, overdue, done. Owners update their own; leaders any."""
    if request.method == "POST":
        action = get_object_or_404(CorrectiveAction, pk=_posted_id(request, "action"))
        try:
            reviews.update_action(
                action=action, status=request.POST.get("status", ""), by=request.user
            )
        except reviews.ReviewRefused as refused:
            return _refused(request, refused)
        return redirect(f"{reverse('metrics:actions')}?show={request.GET.get('show', 'open')}")
    today = timezone.localdate()
    show = request.GET.get("show", "open")
    actions = CorrectiveAction.objects.select_related("owner", "seam", "review")
    chosen = {
        "open": actions.open(),
        "overdue": actions.overdue(today),
        "done": actions.filter(status=CorrectiveAction.Status.DONE),
    }.get(show, actions.open())
    page = Paginator(chosen.order_by("due_on", "pk"), 50).get_page(request.GET.get("page"))
    counts = {
        "open": actions.open().count(),
        "overdue": actions.overdue(today).count(),
        "done": actions.filter(status=CorrectiveAction.Status.DONE).count(),
    }
    for action in page:
        action.can_update = reviews.can_update_action(request.user, action)
    return render(
        request,
        "metrics/action_list.html",
        {"page": page, "show": show, "counts": counts, "today": today},
    )


# --- Seam drill-down ------------------------------------------------------------------------------

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
    month, problem = _month(text)
    if problem or not text:
        month = engine.month_under_review()
    now = timezone.now()
    review = dashboard.build(month, pair=(seam.from_team.slug, seam.to_team.slug))
    row = next(r for r in review.shown if r.seam.pk == seam.pk)
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

    goals = row.goals
    queue_goal = goals.get("queue_time_p85_hours")
    rework_goal = goals.get("rework_rate")
    latest = rows.get(month) or dict.fromkeys(catalogue.FIELDS)
    tiles = {tile.metric: tile for tile in [*row.tiles, _open_work_tile(row)]}
    actions = list(
        seam.actions.exclude(status=CorrectiveAction.Status.DROPPED)
        .select_related("owner", "review")
        .order_by("status", "due_on", "pk")[:20]
    )
    reviews.judge(actions)
    can_hold = reviews.can_hold_reviews(request.user)
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
        "why": seam_why.explain(seam, month, now),
        "decisions": seam.decisions.pending().select_related("decider").overdue_first(now)[:10],
        "escalations": seam.escalations.open().order_by("-raised_at")[:10],
        "dependencies": seam.dependencies.open()
        .select_related("provider", "consumer")
        .order_by("needed_by")[:10],
        "actions": actions,
        "can_hold": can_hold,
        "meeting": seam_why.meeting_for(seam, month) if can_hold else None,
        "can_log": permissions.can_log_at(request.user, seam),
        "icons": static("img/icons.svg"),
        "today": timezone.localdate(),
        "now": now,
    }
    return render(request, "metrics/seam.html", context, status=400 if problem else 200)


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
