from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event
from rest_framework.authtoken.models import Token

from seams import business_time, outbox, permissions
from seams.diff import diff_contents
from seams.export import csv_lines
from seams.forms import (
    EXAMPLE_MAX_HOURS,
    SPEC_SECTIONS,
    CalendarForm,
    CompareForm,
    HandoffFilterForm,
    HandoffImportForm,
    HandoffReturnForm,
    HandoffSubmitForm,
    MembershipFormSet,
    SeamFilterForm,
    SeamForm,
    SlaExampleForm,
    SpecForm,
    TeamForm,
)
from seams.handoff_rules import EXPORT_COLUMNS
from seams.handoffs import (
    HandoffRefused,
    complete_handoff,
    return_handoff,
    start_handoff,
    submit_handoff,
)
from seams.models import (
    Calendar,
    Handoff,
    HandoffImport,
    Membership,
    Seam,
    SpecContent,
    Team,
)
from seams.paging import query_without_page
from seams.redirects import back_url
from seams.services import (
    MemberSpec,
    SpecConflict,
    create_calendar,
    create_seam,
    restore_spec_version,
    save_sla,
    save_team,
)
from seams.tasks import import_handoffs as import_handoffs_task

SEAMS_PER_PAGE = 25


def get_team_for_user(request: HttpRequest, slug: str) -> Team:
    return get_object_or_404(Team.objects.visible_to(request.user).with_people(), slug=slug)


@login_required
@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request, slug)
    return render(
        request,
        "seams/team_detail.html",
        {"team": team, "can_manage_teams": permissions.can_manage_teams(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    return _team_form(request, Team())


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    return _team_form(request, get_team_for_user(request, slug))


def _team_form(request: HttpRequest, team: Team) -> HttpResponse:
    if not permissions.can_manage_teams(request.user):
        raise PermissionDenied("Only leaders change teams and who belongs to them.")
    is_new = team.pk is None
    form = TeamForm(request.POST or None, instance=team)
    formset = MembershipFormSet(request.POST or None, instance=team, prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        members = [
            MemberSpec(user=f.cleaned_data["user"], role=f.cleaned_data["role"])
            for f in formset.forms
            if f.cleaned_data.get("user") and not f.cleaned_data.get("DELETE")
        ]
        team = save_team(team=form.instance, members=members)
        messages.success(request, f"{'Created' if is_new else 'Saved'} {team.name}.")
        return redirect(team)
    return render(
        request,
        "seams/team_form.html",
        {"team": team, "is_new": is_new, "form": form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "seams/account.html", _account_context(request))


def _account_context(request: HttpRequest) -> dict:
    return {
        "memberships": request.user.memberships.select_related("team").order_by("team__name"),
        "led_teams": request.user.led_teams.order_by("name"),
        "token": Token.objects.filter(user=request.user).first(),
    }


@login_required
@require_POST
def account_token(request: HttpRequest) -> HttpResponse:
    """Create or replace the API token: the old key stops working at once."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    if request.htmx:
        response = render(request, "seams/account.html#api-token", {"token": token, "new": True})
    else:
        # The key is shown in this page's body only: a redirect would carry it through the
        # messages cookie, where it outlives the page and travels with every request.
        response = render(request, "seams/account.html", _account_context(request) | {"new": True})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def account_token_revoke(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    if request.htmx:
        return render(request, "seams/account.html#api-token", {"token": None})
    messages.success(request, "API token revoked.")
    return redirect("seams:account")


@login_required
@require_GET
def handoff_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Ids of its own: the submit form above it has a seam and an approval type too.
    filters = HandoffFilterForm(request.GET or None, auto_id="filter_%s")
    handoffs = Handoff.objects.with_related().select_related("seam__spec")
    if filters.is_valid():
        handoffs = filters.apply(handoffs, now)
    page = Paginator(handoffs, SEAMS_PER_PAGE).get_page(request.GET.get("page"))
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
MOVED = {"start": "started", "complete": "completed", "return": "returned to its sender"}


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
                messages.error(request, "Not returned: say why.")
                return redirect(back_url(request, "seams:handoffs"))
            return_handoff(
                handoff=handoff,
                reason=form.cleaned_data["reason"],
                missing_item=form.cleaned_data["missing_item"],
                by=request.user,
            )
        else:
            raise Http404("No such move.")
    except HandoffRefused as refused:
        messages.error(request, f"Not changed: {refused}")
        return redirect("seams:handoffs")
    messages.success(request, f"“{handoff.title}” {MOVED[move]}.")
    return redirect("seams:handoffs")


# --- Seams ------------------------------------------------------------------------------------


def get_seam_for_user(request: HttpRequest, slug: str) -> Seam:
    return get_object_or_404(Seam.objects.visible_to(request.user).with_related(), slug=slug)


def _require_seam_editor(request: HttpRequest, seam: Seam) -> None:
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
    context = {**_seam_context(request, seam), "handoff_counts": counts}
    return render(request, "seams/seam_detail.html", context)


def _seam_context(request: HttpRequest, seam: Seam) -> dict:
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
    _require_seam_editor(request, seam)
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
    _require_seam_editor(request, seam)
    if seam.status == Seam.Status.PILOT:
        messages.info(request, f"{seam.name} is already in a pilot.")
    else:
        seam.start_pilot(timezone.localdate())
        messages.success(
            request, f"Pilot started. Leaders review it on {seam.pilot_review_on:%-d %B}."
        )
    return redirect("seams:spec", seam.slug)


# --- The handoff spec -------------------------------------------------------------------------

HISTORY_ON_PAGE = 4


def _spec_context(request: HttpRequest, seam: Seam) -> dict:
    spec = seam.spec
    versions = list(spec.versions.select_related("author")[:HISTORY_ON_PAGE])
    return {
        **_seam_context(request, seam),
        "sections": spec_sections(spec),
        "versions": versions,
        "version_count": spec.version,
        "sla_example": sla_example(seam.calendar, seam.spec.response_sla_hours),
        "editors": _editors(seam),
    }


def _editors(seam: Seam) -> list:
    owners = (
        Membership.objects.filter(team_id__in=seam.team_ids, role=Membership.Role.OWNER)
        .select_related("user", "team")
        .order_by("team__name", "user__first_name")
    )
    return list(owners)


@login_required
@require_GET
def spec_detail(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    return render(request, "seams/spec.html", _spec_context(request, seam))


@login_required
@require_GET
def spec_print(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    return render(request, "seams/spec_print.html", _spec_context(request, seam))


@login_required
@require_http_methods(["GET", "POST"])
def spec_section_edit(request: HttpRequest, slug: str, section: str) -> HttpResponse:
    """One section of the spec, edited in place with htmx (or on its own page without JS)."""
    if section not in SPEC_SECTIONS:
        raise Http404("No such section of the spec.")
    return _spec_form(request, slug, section=section)


@login_required
@require_http_methods(["GET", "POST"])
def spec_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole spec as one form: works without JavaScript."""
    return _spec_form(request, slug, section=None)


def _spec_form(request: HttpRequest, slug: str, *, section: str | None) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    _require_seam_editor(request, seam)
    spec = seam.spec
    form = SpecForm(request.POST or None, instance=spec, section=section, with_calendar=True)
    if request.method == "POST" and form.is_valid():
        try:
            version = save_sla(
                spec=spec,
                changes=form.changes(),
                base_version=form.cleaned_data["base_version"],
                by=request.user,
                note=form.cleaned_data["note"],
                calendar=form.cleaned_data.get("calendar"),
            )
        except SpecConflict as conflict:
            return _conflict_response(request, seam, form, conflict, section=section)
        if request.htmx and section:
            seam = get_seam_for_user(request, slug)  # as saved
            context = _spec_context(request, seam)
            context |= {"section": _section(seam.spec, section), "just_saved": version}
            response = render(request, "seams/spec_saved.html", context)
            return trigger_client_event(response, "specSaved", {"version": version.number})
        messages.success(request, f"Saved as version {version.number}.")
        return redirect("seams:spec", seam.slug)
    context = {**_seam_context(request, seam), "form": form, "section": section}
    if section:
        context["section_info"] = _section(spec, section)
    if "calendar" in form.fields:
        context |= {"with_example": True, "sla_example": _example_for_form(form, seam)}
    status = 400 if request.method == "POST" else 200
    if request.htmx and section:
        return render(request, "seams/spec.html#spec-section-form", context, status=status)
    return render(request, "seams/spec_form.html", context, status=status)


def _conflict_response(
    request: HttpRequest, seam: Seam, form: SpecForm, conflict: SpecConflict, *, section: str | None
) -> HttpResponse:
    spec = conflict.spec
    base = spec.versions.filter(number=conflict.base_version).first()
    theirs = spec.versions.select_related("author").filter(number__gt=conflict.base_version)
    mine = {**spec.content(), **form.changes()}
    context = {
        **_seam_context(request, seam),
        "spec": spec,
        "section": section,
        "base_version": conflict.base_version,
        "their_versions": list(theirs),
        "their_changes": [
            d for d in diff_contents(base.content() if base else {}, spec.content()) if d.changed
        ],
        "my_changes": [d for d in diff_contents(spec.content(), mine) if d.changed],
        "retry_form": SpecForm(
            initial={**form.changes(), "note": form.cleaned_data["note"]},
            instance=spec,
            section=section,
        ),
    }
    template = "seams/spec_conflict.html#conflict" if request.htmx else "seams/spec_conflict.html"
    return render(request, template, context, status=409)


@login_required
@require_GET
def spec_history(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    versions = seam.spec.versions.select_related("author", "owner", "escalate_to")
    page = Paginator(versions, 50).get_page(request.GET.get("page"))
    context = {**_seam_context(request, seam), "page": page}
    return render(request, "seams/spec_history.html", context)


@login_required
@require_GET
def spec_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    version = get_object_or_404(
        seam.spec.versions.select_related("author", "owner", "escalate_to"), number=number
    )
    context = {
        **_seam_context(request, seam),
        "version": version,
        "sections": spec_sections(version),
        "is_current": version.number == seam.spec.version,
    }
    return render(request, "seams/spec_version.html", context)


@login_required
@require_GET
def spec_compare(request: HttpRequest, slug: str) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    spec = seam.spec
    form = CompareForm(request.GET or None, latest=spec.version)
    if form.is_valid():
        old_number, new_number = form.cleaned_data["a"], form.cleaned_data["b"]
    else:
        new_number = spec.version
        old_number = max(new_number - 1, 1)
    versions = {
        v.number: v
        for v in spec.versions.select_related("author", "owner", "escalate_to").filter(
            number__in=[old_number, new_number]
        )
    }
    old, new = versions.get(old_number), versions.get(new_number)
    context = {
        **_seam_context(request, seam),
        "form": form,
        "old": old,
        "new": new,
        "diffs": diff_contents(old.content(), new.content()) if old and new else [],
        "numbers": range(spec.version, 0, -1),
    }
    return render(request, "seams/spec_compare.html", context)


@login_required
@require_POST
def spec_restore(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    _require_seam_editor(request, seam)
    get_object_or_404(seam.spec.versions, number=number)
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        return HttpResponseBadRequest("base_version must be a whole number.")
    try:
        version = restore_spec_version(
            spec=seam.spec, number=number, base_version=base_version, by=request.user
        )
    except SpecConflict as conflict:
        messages.error(
            request,
            f"Not restored: the spec changed to version {conflict.spec.version} while you were "
            "looking. Check that version, then restore again if you still want to.",
        )
        return redirect("seams:spec-history", seam.slug)
    messages.success(request, f"Restored version {number} as version {version.number}.")
    return redirect("seams:spec", seam.slug)


# --- Calendars ---------------------------------------------------------------------------------


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


# --- What the spec pages show -------------------------------------------------------------------


def _section(content: SpecContent, key: str) -> dict:
    number, title, fields = SPEC_SECTIONS[key]
    return {
        "key": key,
        "number": number,
        "title": title,
        "values": {name: getattr(content, name) for name in fields},
        "empty": all(getattr(content, name) in (None, "", []) for name in fields),
    }


def spec_sections(content: SpecContent) -> list[dict]:
    """The spec's sections in order, each with its values, for display."""
    return [_section(content, key) for key in SPEC_SECTIONS]


# A worked example is drawn day by day when it spans at most this many days.
EXAMPLE_DAYS_DRAWN = 8


def sla_example(calendar: Calendar, hours) -> dict | None:
    """When a request submitted next Friday at 16:00 would be due with `hours` business hours
    to respond, on `calendar`: the submission, the deadline and, when they fit on a line, the
    business hours each day between them."""
    if not hours:
        return None
    tz = ZoneInfo(calendar.time_zone) if not calendar.is_24x7 else timezone.get_default_timezone()
    today = timezone.localdate(timezone=tz)
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    submitted = datetime.combine(friday, time(16, 0), tzinfo=tz)
    due = calendar.add_business_hours(submitted, hours).astimezone(tz)
    rules = calendar.working_time()
    days = business_time.hours_by_day(rules, submitted, due, tz=tz)
    drawn = [
        {"date": day, "hours": spent, "working": rules.always or rules.works_on(day)}
        for day, spent in days
    ]
    return {
        "calendar": calendar,
        "submitted": submitted,
        "due": due,
        "hours": hours,
        "days": drawn if len(drawn) <= EXAMPLE_DAYS_DRAWN else [],
        "day_count": len(drawn),
    }


def _example_for_form(form: SpecForm, seam: Seam) -> dict | None:
    """The example for what the SLA form holds: what was typed when it reads, else the spec's."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    hours = data.get("response_sla_hours", form["response_sla_hours"].initial)
    if form.is_bound and "response_sla_hours" in form.errors:
        hours = None
    return sla_example(data.get("calendar") or seam.calendar, hours)


@login_required
@require_GET
def spec_sla_example(request: HttpRequest, slug: str) -> HttpResponse:
    """The worked SLA example for the hours and calendar an editor is trying, as they type."""
    seam = get_seam_for_user(request, slug)
    form = SlaExampleForm(request.GET)
    example, problem = None, ""
    if form.is_valid():
        calendar = form.cleaned_data["calendar"] or seam.calendar
        example = sla_example(calendar, form.cleaned_data["response_sla_hours"])
    elif "response_sla_hours" in form.errors:
        # Worded apart from the form's own error, which the save answers with.
        shown = request.GET.get("response_sla_hours", "")[:20]
        problem = (
            f"No example for “{shown}”: type a number of hours from 0.01 to {EXAMPLE_MAX_HOURS:,}."
        )
    else:
        problem = "No example: pick a calendar from the list."
    context = {"seam": seam, "sla_example": example, "example_problem": problem}
    return render(request, "seams/spec.html#sla-example", context)


# --- CSV import with progress --------------------------------------------------------------------


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
