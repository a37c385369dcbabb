"""The history import pages: upload a CSV of decisions, escalations or dependencies from
another tool (leaders and ops), then watch its progress and read its report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from common import outbox
from common.export import csv_lines
from decisions.forms import HistoryImportForm
from decisions.history import may_give_past_times
from decisions.history_export import ROWS
from decisions.history_rows import COLUMNS
from decisions.models import HistoryImport
from decisions.tasks import import_history as import_history_task

# Each kind's import page, and the list its imported records land in.
PAGES = {
    "decisions": ("decisions:decision-import", "decisions:list"),
    "escalations": ("decisions:escalation-import", "decisions:escalations"),
    "dependencies": ("decisions:dependency-import", "decisions:dependencies"),
}


def _require_importer(request: HttpRequest) -> None:
    if not may_give_past_times(request.user):
        raise PermissionDenied("Leaders and ops import history from other tools.")


@login_required
@require_http_methods(["GET", "POST"])
def history_import(request: HttpRequest, kind: str) -> HttpResponse:
    _require_importer(request)
    form = HistoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = HistoryImport.objects.create(
            kind=kind,
            file=upload,
            filename=upload.name[:255],
            size=upload.size,
            partial=form.cleaned_data["mode"] == "partial",
            by=request.user,
        )
        outbox.enqueue(import_history_task, job.pk)
        return redirect("decisions:history-import-detail", job.pk)
    context = {
        "form": form,
        "kind": kind,
        "kinds": [(name, label, PAGES[name][0]) for name, label in HistoryImport.Kind.choices],
        "columns": COLUMNS[kind],
        "list_url": PAGES[kind][1],
        "imports": HistoryImport.objects.filter(kind=kind).select_related("by")[:10],
    }
    return render(
        request,
        "decisions/history_import.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def history_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = get_object_or_404(HistoryImport.objects.select_related("by"), pk=pk)
    job = job.with_live_progress()
    template = (
        "decisions/history_import_detail.html#import-progress"
        if request.htmx
        else "decisions/history_import_detail.html"
    )
    context = {"job": job, "import_url": PAGES[job.kind][0], "list_url": PAGES[job.kind][1]}
    return render(request, template, context)


@login_required
@require_GET
def history_export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """Every record of `kind` in its import's columns, streamed, safe to open in a
    spreadsheet. Everyone signed in reads everything in the organisation."""
    response = StreamingHttpResponse(
        csv_lines(COLUMNS[kind], ROWS[kind]()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response
