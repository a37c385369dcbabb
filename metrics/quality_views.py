"""The data-quality check: run it now, and its card, on the Teams page and polled while a
run is under way."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from common import outbox
from common.panels import Panel
from metrics.models import DataQualityReport
from metrics.tasks import check_data_quality
from seams import permissions

# While a started check has not reported, the card asks again every 2 s (hx-trigger in
# metrics/data_quality.html), for up to 2 minutes.
MAX_POLLS = 60


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
        return render(request, "metrics/data_quality.html", context)
    messages.success(request, "Data-quality check started. Its findings appear here when it ends.")
    return redirect("seams:teams")


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
    return render(request, "metrics/data_quality.html", context)


def data_quality_panel(request: HttpRequest) -> Panel | None:
    """The data-quality card on the Teams page, for those who run the check."""
    if not permissions.can_trigger_recompute(request.user):
        return None
    return Panel("metrics/data_quality.html", {"report": DataQualityReport.objects.first()})
