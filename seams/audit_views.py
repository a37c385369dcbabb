"""The audit log's pages, for leaders: every change (django-auditlog's LogEntry) and every
refused write (RefusedWrite), filtered, paginated and exported."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import islice

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_GET

from common.export import csv_lines
from common.paging import query_without_page
from seams import audit, permissions
from seams.models import RefusedWrite, User

PER_PAGE = 50
EXPORT_CHUNK = 500
NO_ONE = "-"  # the person filter's value for tasks and commands (no actor)
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class _AuditFilters(forms.Form):
    """What both pages filter on: the person (anyone, no one, or a username) and whole days.

    A subclass names its time field, the lookups for "no one" and for a username, and what
    "no one" means on its page."""

    time_field: str
    no_one: tuple[str, object]  # (lookup, value) of rows with no person
    by_username: str  # the lookup a username is matched with
    no_one_label: str

    person = forms.ChoiceField(required=False)
    since = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    until = forms.DateField(required=False, label="To", widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.only("username", "first_name", "last_name")
        self.fields["person"].choices = [
            ("", "Anyone"),
            (NO_ONE, self.no_one_label),
            *((u.username, u.display_name) for u in people),
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end of the period is before its start.")
        return data

    def apply_person_and_period(self, rows: QuerySet) -> QuerySet:
        person = self.cleaned_data.get("person")
        if person == NO_ONE:
            rows = rows.filter(**dict([self.no_one]))
        elif person:
            rows = rows.filter(**{self.by_username: person})
        return rows.filter(self.period())

    def period(self) -> Q:
        """The whole days from `since` to `until`, in the organisation's time zone."""
        data, moment = self.cleaned_data, Q()
        if data.get("since"):
            moment &= Q(**{f"{self.time_field}__gte": _day_start(data["since"])})
        if data.get("until"):
            next_day = data["until"] + timedelta(days=1)
            moment &= Q(**{f"{self.time_field}__lt": _day_start(next_day)})
        return moment


class AuditFilterForm(_AuditFilters):
    ACTIONS = [
        ("", "Any change"),
        ("created", "Created"),
        ("changed", "Changed"),
        ("deleted", "Deleted"),
    ]
    CODES = {"created": LogEntry.Action.CREATE, "changed": LogEntry.Action.UPDATE}
    time_field = "timestamp"
    no_one = ("actor__isnull", True)
    by_username = "actor__username"
    no_one_label = "No one: tasks and commands"

    q = forms.CharField(required=False, max_length=100, label="Object")
    kind = forms.ChoiceField(required=False, label="Kind of object")
    action = forms.ChoiceField(choices=ACTIONS, required=False)

    field_order = ["q", "person", "kind", "action", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *self._kinds()]

    @staticmethod
    def _kinds() -> list[tuple[str, str]]:
        types = ContentType.objects.get_for_models(*auditlog.get_models())
        kinds = [
            (f"{ct.app_label}.{ct.model}", capfirst(model._meta.verbose_name))
            for model, ct in types.items()
        ]
        return sorted(kinds, key=lambda kind: kind[1])

    def apply(self, entries: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("kind"):
            app_label, model = data["kind"].split(".")
            entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
        if data.get("action") == "deleted":
            entries = entries.filter(action=LogEntry.Action.DELETE)
        elif data.get("action"):
            entries = entries.filter(action=self.CODES[data["action"]])
        if data.get("q"):
            entries = entries.filter(object_repr__icontains=data["q"].strip())
        return self.apply_person_and_period(entries)


class RefusedFilterForm(_AuditFilters):
    STATUSES = [
        ("", "Any refusal"),
        ("401", "401 Not signed in"),
        ("403", "403 Forbidden"),
        ("405", "405 Method not allowed"),
        ("429", "429 Too many requests"),
    ]
    time_field = "at"
    no_one = ("username", "")
    by_username = "username"
    no_one_label = "Not signed in"

    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(choices=STATUSES, required=False)

    field_order = ["q", "person", "status", "since", "until"]

    def apply(self, refusals: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("status"):
            refusals = refusals.filter(status=int(data["status"]))
        text = (data.get("q") or "").strip()
        if text:
            refusals = refusals.filter(
                Q(path__icontains=text) | Q(view_name__icontains=text) | Q(reason__icontains=text)
            )
        return self.apply_person_and_period(refusals)


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
        "rows": audit.describe(page.object_list),
        "query_string": query_without_page(request),
    }
    template = "seams/audit_list.html#audit-table" if request.htmx else "seams/audit_list.html"
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
        for row in audit.describe(chunk):
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
    template = (
        "seams/audit_refused.html#refused-table" if request.htmx else "seams/audit_refused.html"
    )
    return render(request, template, context)
