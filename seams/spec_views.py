"""A seam's handoff spec: the page, editing it whole or a section at a time (with the worked
SLA example as the editor types), the printable page, and its versions, compared and
restored."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from seams import business_time
from seams.diff import diff_contents
from seams.forms import EXAMPLE_MAX_HOURS, SPEC_SECTIONS, CompareForm, SlaExampleForm, SpecForm
from seams.models import Calendar, Membership, Seam, SpecContent
from seams.services import SpecConflict, restore_spec_version, save_sla
from seams.views import get_seam_for_user, require_seam_editor, seam_context

HISTORY_ON_PAGE = 4


def _spec_context(request: HttpRequest, seam: Seam) -> dict:
    spec = seam.spec
    versions = list(spec.versions.select_related("author")[:HISTORY_ON_PAGE])
    return {
        **seam_context(request, seam),
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
    require_seam_editor(request, seam)
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
    context = {**seam_context(request, seam), "form": form, "section": section}
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
        **seam_context(request, seam),
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
    context = {**seam_context(request, seam), "page": page}
    return render(request, "seams/spec_history.html", context)


@login_required
@require_GET
def spec_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    seam = get_seam_for_user(request, slug)
    version = get_object_or_404(
        seam.spec.versions.select_related("author", "owner", "escalate_to"), number=number
    )
    context = {
        **seam_context(request, seam),
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
        **seam_context(request, seam),
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
    require_seam_editor(request, seam)
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
