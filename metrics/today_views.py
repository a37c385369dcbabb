"""Today: the ops page of what needs acting on now (metrics.today)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from metrics import today as today_lists
from seams import permissions
from seams.models import Seam


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    decisions = list(today_lists.decisions_due_today(now))
    context = {
        "now": now,
        "at_risk": today_lists.at_risk_rows(Seam.objects.visible_to(request.user), now),
        "decisions": decisions,
        "overdue_ids": {d.pk for d in decisions if d.is_overdue(now)},
        "escalations": list(today_lists.new_escalations(now)),
        "day": today_lists.day_of(now),
        "can_log": permissions.can_log_somewhere(request.user),
    }
    return render(request, "metrics/today.html", context)
