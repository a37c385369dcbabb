from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from metrics.models import DataQualityReport
from metrics.tasks import check_data_quality
from seams import permissions
from seams.models import Team, User


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
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
    }
    return render(request, "metrics/home.html", context)


@login_required
@require_POST
def run_quality_check(request: HttpRequest) -> HttpResponse:
    if not permissions.can_trigger_recompute(request.user):
        raise PermissionDenied("Only leaders and ops run the data-quality check.")
    transaction.on_commit(check_data_quality.delay)
    if request.htmx:
        return render(
            request,
            "metrics/home.html#data-quality",
            {"report": DataQualityReport.objects.first(), "can_run_checks": True, "queued": True},
        )
    messages.success(request, "Data-quality check started. Its findings appear here when it ends.")
    return redirect("home")
