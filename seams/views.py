"""Seams (the list, a seam's page, registering and editing one, starting its pilot) and
business calendars. Teams, handoffs and the spec have modules of their own (team_views,
handoff_views, spec_views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.paging import query_without_page
from seams import permissions
from seams.forms import CalendarForm, SeamFilterForm, SeamForm
from seams.models import Calendar, Seam
from seams.services import create_calendar, create_seam

SEAMS_PER_PAGE = 25


def get_seam_for_user(request: HttpRequest, slug: str) -> Seam:
    return get_object_or_404(Seam.objects.visible_to(request.user).with_related(), slug=slug)


def require_seam_editor(request: HttpRequest, seam: Seam) -> None:
    if not permissions.can_edit_spec(request.user, seam):
        raise PermissionDenied(
            "Only leaders and owners of the sending or receiving team change this seam and its "
            "spec."
        )


@login_required
@require_GET
def seam_list(request: HttpRequest) -> HttpResponse:
    filters = SeamFilterForm(request.GET or None)
    seams = Seam.objects.visible_to(request.user).with_related()
    if filters.is_valid():
        seams = filters.apply(seams)
    page = Paginator(seams, SEAMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "can_create": permissions.is_leader(request.user)
        or permissions.owns_any_team(request.user),
        "today": timezone.localdate(),
        "query_string": query_without_page(request),
    }
    template = "seams/seam_list.html#seam-table" if request.htmx else "seams/seam_list.html"
    return render(request, template, context)


@login_required
@require_GET
def seam_detail(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    open_handoffs = seam.handoffs.open()
    counts = open_handoffs.aggregate(
        waiting=Count("pk", filter=Q(started_at__isnull=True)),
        in_progress=Count("pk", filter=Q(started_at__isnull=False)),
    )
    counts["past_sla"] = open_handoffs.breached(timezone.now()).count()
    context = {**seam_context(request, seam), "handoff_counts": counts}
    return render(request, "seams/seam_detail.html", context)


def seam_context(request: HttpRequest, seam: Seam) -> dict:
    today = timezone.localdate()
    return {
        "seam": seam,
        "spec": seam.spec,
        "today": today,
        "pilot_day": seam.pilot_day(today),
        "pilot_review_due": seam.pilot_review_due(today),
        "can_edit": permissions.can_edit_spec(request.user, seam),
    }


@login_required
@require_http_methods(["GET", "POST"])
def seam_create(request: HttpRequest) -> HttpResponse:
    if not (permissions.is_leader(request.user) or permissions.owns_any_team(request.user)):
        raise PermissionDenied("Leaders and team owners register seams.")
    form = SeamForm(
        request.POST or None, initial={"calendar": Calendar.objects.default_for_new_seams()}
    )
    if request.method == "POST" and form.is_valid():
        seam = form.instance
        if permissions.can_edit_spec(request.user, seam):
            create_seam(seam=seam, owner=form.cleaned_data["owner"], by=request.user)
            messages.success(request, f"Registered {seam.name}. Now write its handoff spec.")
            return redirect("seams:spec", seam.slug)
        form.add_error(
            None, "You can register a seam only where your team sends or receives the work."
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "seams/seam_form.html", {"form": form, "is_new": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def seam_edit(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    require_seam_editor(request, seam)
    form = SeamForm(request.POST or None, instance=seam)
    if request.method == "POST" and form.is_valid():
        if permissions.can_edit_spec(request.user, form.instance):
            form.save()
            messages.success(request, f"Saved {seam.name}.")
            return redirect(seam)
        form.add_error(None, "Keep one of your own teams on the seam, or ask a leader.")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "seams/seam_form.html",
        {"form": form, "seam": seam, "is_new": False},
        status=status,
    )


@login_required
@require_POST
def seam_start_pilot(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    require_seam_editor(request, seam)
    if seam.status == Seam.Status.PILOT:
        messages.info(request, f"{seam.name} is already in a pilot.")
    else:
        seam.start_pilot(timezone.localdate())
        messages.success(
            request, f"Pilot started. Leaders review it on {seam.pilot_review_on:%-d %B}."
        )
    return redirect("seams:spec", seam.slug)


@login_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = Calendar.objects.annotate(
        seam_count=Count("seams", distinct=True), holiday_count=Count("holidays", distinct=True)
    )
    return render(
        request,
        "seams/calendar_list.html",
        {"calendars": calendars, "can_manage": permissions.is_leader(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_create(request: HttpRequest) -> HttpResponse:
    if not permissions.is_leader(request.user):
        raise PermissionDenied("Leaders manage business calendars.")
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        calendar = create_calendar(
            calendar=form.instance,
            holidays=form.public_holidays(timezone.localdate().year),
        )
        messages.success(
            request, f"Created {calendar.name} with {calendar.holidays.count()} holidays."
        )
        return redirect("seams:calendar-detail", calendar.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "seams/calendar_form.html", {"form": form}, status=status)


@login_required
@require_GET
def calendar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    calendar = get_object_or_404(Calendar.objects.with_holidays(), slug=slug)
    context = {
        "calendar": calendar,
        "seams": calendar.seams.select_related("from_team", "to_team"),
        "can_manage": permissions.is_leader(request.user),
    }
    return render(request, "seams/calendar_detail.html", context)
