"""The audit log's pages, for leaders: every change (django-auditlog's LogEntry) and every
refused write (RefusedWrite), filtered, paginated and exported."""

from collections.abc import Iterator
from itertools import islice

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.describe import describe
from audit.forms import AuditFilterForm, RefusedFilterForm
from audit.models import RefusedWrite
from common.export import csv_lines
from common.paging import query_without_page
from seams import permissions

PER_PAGE = 50
EXPORT_CHUNK = 500


def _require_leader(request: HttpRequest) -> None:
    if not permissions.is_leader(request.user):
        raise PermissionDenied("Only leaders browse the audit log.")


def _entries(filters: AuditFilterForm) -> QuerySet:
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    return filters.apply(entries) if filters.is_valid() else entries


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Every recorded change, newest first: who, when, what, and each field before → after."""
    _require_leader(request)
    filters = AuditFilterForm(request.GET or None)
    page = Paginator(_entries(filters), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "rows": describe(page.object_list),
        "query_string": query_without_page(request),
    }
    template = "audit/list.html#audit-table" if request.htmx else "audit/list.html"
    return render(request, template, context)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, read in chunks so that memory stays flat."""
    _require_leader(request)
    entries = _entries(AuditFilterForm(request.GET or None))
    header = ["when", "person", "action", "kind", "object", "object_id", "changes", "note"]
    response = StreamingHttpResponse(
        csv_lines(header, _export_rows(entries)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="seamline-audit-log.csv"'
    return response


def _export_rows(entries: QuerySet) -> Iterator[list]:
    stream = entries.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(stream, EXPORT_CHUNK)):
        for row in describe(chunk):
            yield [
                timezone.localtime(row.entry.timestamp),
                row.actor or "No one (a task or command)",
                row.action,
                row.kind,
                row.entry.object_repr,
                row.entry.object_pk,
                row.changes_text(),
                row.note,
            ]


@login_required
@require_GET
def audit_refused(request: HttpRequest) -> HttpResponse:
    """Every write refused, newest first: who tried what, from where, and why it was refused."""
    _require_leader(request)
    filters = RefusedFilterForm(request.GET or None)
    refusals = RefusedWrite.objects.select_related("user")
    if filters.is_valid():
        refusals = filters.apply(refusals)
    page = Paginator(refusals, PER_PAGE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page, "query_string": query_without_page(request)}
    template = "audit/refused.html#refused-table" if request.htmx else "audit/refused.html"
    return render(request, template, context)
