"""Handoffs: the list with its filters, submitting one, moving one along, the CSV import
with its progress, and the CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common import outbox
from common.export import csv_lines
from common.paging import query_without_page
from common.redirects import back_url
from seams import permissions
from seams.forms import HandoffFilterForm, HandoffImportForm, HandoffReturnForm, HandoffSubmitForm
from seams.handoff_rules import EXPORT_COLUMNS
from seams.handoffs import (
    HandoffRefused,
    complete_handoff,
    resubmit_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)
from seams.models import Handoff, HandoffImport
from seams.tasks import import_handoffs as import_handoffs_task

HANDOFFS_PER_PAGE = 25


@login_required
@require_GET
def handoff_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Ids of its own: the submit form above it has a seam and an approval type too.
    filters = HandoffFilterForm(request.GET or None, auto_id="filter_%s")
    handoffs = Handoff.objects.with_related().select_related("seam__spec").with_open_return()
    if filters.is_valid():
        handoffs = filters.apply(handoffs, now)
    page = Paginator(handoffs, HANDOFFS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "now": now,
        "query_string": query_without_page(request),
        "can_log": permissions.can_log_somewhere(request.user),
        "can_import": permissions.can_import_handoffs(request.user),
        "submit_form": HandoffSubmitForm(),
    }
    template = (
        "seams/handoff_list.html#handoff-table" if request.htmx else "seams/handoff_list.html"
    )
    return render(request, template, context)


def _handoff_for_logging(request: HttpRequest, pk: int) -> Handoff:
    handoff = get_object_or_404(Handoff.objects.select_related("seam__spec"), pk=pk)
    if not permissions.can_log(request.user, handoff.seam.team_ids):
        raise PermissionDenied(
            "Leaders and ops log handoffs anywhere; owners on their teams' seams."
        )
    return handoff


@login_required
@require_POST
def handoff_submit(request: HttpRequest) -> HttpResponse:
    form = HandoffSubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not submitted: choose a seam and give a title.")
        return redirect("seams:handoffs")
    seam = form.cleaned_data["seam"]
    if not permissions.can_log(request.user, seam.team_ids):
        raise PermissionDenied(
            "Leaders and ops log handoffs anywhere; owners on their teams' seams."
        )
    external_id = form.external_id()
    try:
        with transaction.atomic():
            handoff = submit_handoff(
                seam=seam,
                title=form.cleaned_data["title"],
                by=request.user,
                approval_type=form.cleaned_data["approval_type"],
                external_id=external_id,
            )
    except (IntegrityError, ValidationError):
        # This very form was sent before (validation sees the first; the database, a race).
        if not Handoff.objects.filter(source="app", external_id=external_id).exists():
            raise
        messages.info(request, f"“{form.cleaned_data['title']}” was already submitted.")
        return redirect("seams:handoffs")
    due = (
        f", response due {timezone.localtime(handoff.sla_deadline):%a %-d %b %H:%M}"
        if handoff.sla_deadline
        else ""
    )
    messages.success(request, f"Submitted “{handoff.title}”{due}.")
    return redirect("seams:handoffs")


# What each move did, as the success message says it: written out, never built from the verb.
MOVED = {
    "start": "started",
    "complete": "completed",
    "return": "returned to its sender",
    "resubmit": "resubmitted: the receiver's clock runs again",
}


@login_required
@require_POST
def handoff_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    handoff = _handoff_for_logging(request, pk)
    try:
        if move == "start":
            start_handoff(handoff=handoff)
        elif move == "complete":
            complete_handoff(handoff=handoff)
        elif move == "return":
            # A seam without a spec yet has no definition of ready to name an item from.
            spec = getattr(handoff.seam, "spec", None)
            checklist = spec.definition_of_ready if spec else []
            form = HandoffReturnForm(request.POST, checklist=checklist)
            if not form.is_valid():
                problems = " ".join(e for errors in form.errors.values() for e in errors)
                messages.error(request, f"Not returned: say why. {problems}".strip())
                return redirect(back_url(request, "seams:handoffs"))
            return_handoff(
                handoff=handoff,
                reason=form.cleaned_data["reason"],
                missing_item=form.cleaned_data["missing_item"],
                other_item=form.cleaned_data["other_item"],
                by=request.user,
            )
        elif move == "resubmit":
            resubmit_handoff(handoff=handoff, by=request.user)
        else:
            raise Http404("No such move.")
    except HandoffRefused as refused:
        messages.error(request, f"Not changed: {refused}")
        return redirect("seams:handoffs")
    messages.success(request, f"“{handoff.title}” {MOVED[move]}.")
    return redirect("seams:handoffs")


def _require_importer(request: HttpRequest) -> None:
    if not permissions.can_import_handoffs(request.user):
        raise PermissionDenied("Leaders and ops import handoffs.")


@login_required
@require_http_methods(["GET", "POST"])
def handoff_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = HandoffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = HandoffImport.objects.create(
            file=upload,
            filename=upload.name[:255],
            size=upload.size,
            source=form.cleaned_data["source"],
            partial=form.cleaned_data["mode"] == "partial",
            by=request.user,
        )
        outbox.enqueue(import_handoffs_task, job.pk)
        return redirect("seams:handoff-import-detail", job.pk)
    context = {"form": form, "imports": HandoffImport.objects.select_related("by")[:10]}
    return render(
        request,
        "seams/handoff_import.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def handoff_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = get_object_or_404(HandoffImport.objects.select_related("by"), pk=pk).with_live_progress()
    template = (
        "seams/handoff_import_detail.html#import-progress"
        if request.htmx
        else "seams/handoff_import_detail.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_GET
def handoff_export(request: HttpRequest) -> StreamingHttpResponse:
    """The handoffs the list's filters select, as the import's CSV columns (plus the stored
    SLA and durations), streamed and safe to open in a spreadsheet."""
    filters = HandoffFilterForm(request.GET or None)
    handoffs = Handoff.objects.select_related("seam")
    if filters.is_valid():
        handoffs = filters.apply(handoffs, timezone.now())
    header = EXPORT_COLUMNS
    rows = (
        [
            h.seam.slug,
            h.external_id,
            h.title,
            h.approval_type,
            h.submitted_at,
            h.started_at,
            h.completed_at,
            h.returned_count,
            h.source,
            h.sla_hours,
            h.sla_deadline,
            h.queue_hours,
            h.lead_hours,
        ]
        for h in handoffs.order_by("submitted_at", "pk").iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="handoffs.csv"'
    return response
