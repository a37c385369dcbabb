"""A team owner's seams, and the monthly seam metrics: the month's snapshots, recomputing
them and their CSV. The review, the meeting, the drill-down and the data-quality check have
modules of their own (review_views, meeting_views, seam_views, quality_views)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from common import outbox
from common.export import csv_lines
from contracts import catalogue
from metrics import engine, signals
from metrics.models import CorrectiveAction, MetricsRun, MonthlySeamMetrics
from metrics.tasks import compute_metrics
from seams import permissions
from seams.models import Seam, SpecVersion, Team


@login_required
@require_GET
def my_seams(request: HttpRequest) -> HttpResponse:
    """A team owner's page: the seams their teams send or receive on, each with its pilot
    state, its handoffs at risk now (the leading signals, one call for all of them) and the
    spec's version and last change, and the corrective actions they own.

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
    at_risk = {seam_id: found.at_risk for seam_id, found in signals.signals_for(seams).items()}
    rows = [
        {
            "seam": seam,
            "at_risk": at_risk.get(seam.pk, []),
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


def asked_month(text: str | None):
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
    month, problem = asked_month(request.GET.get("month"))
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
    month, problem = asked_month(request.POST.get("month"))
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
    month, problem = asked_month(request.GET.get("month"))
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
