"""The guided start's pages: "Start here" and its first two steps (the later three are in
onboarding/setup_views.py). Leaders take the steps; everyone signed in sees where the
organisation is."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.panels import Panel
from decisions.pareto import pareto_chart
from onboarding import cadence, find_seams, guide
from onboarding.forms import (
    CadenceConstraintForm,
    CadenceDecisionForm,
    ChooseSeamsForm,
    MissesForm,
    TagForm,
    seam_options,
)
from onboarding.models import GuidedStart, Miss
from seams import permissions
from seams.models import Seam, Team

Step = GuidedStart.Step


def step_page(step: str):
    """A step's view: leaders only, on a guided start that has reached the step and is not
    finished; anyone else is told why, and a leader who skips ahead is sent back."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not permissions.is_leader(request.user):
                raise PermissionDenied("Leaders take the guided start.")
            current = guide.current()
            if current is None:
                return redirect("onboarding:guide")
            if current.finished_at:
                messages.info(
                    request, "The guided start is finished: change its results on their pages."
                )
                return redirect("onboarding:guide")
            if not current.reached(step):
                messages.warning(request, f"Finish step {guide.BY_KEY[current.step].number} first.")
                return redirect(guide.step_url(current.step))
            return view(request, current, *args, **kwargs)

        return login_required(wrapper)

    return decorate


def _steps_for(current: GuidedStart | None, here: str | None = None) -> list[dict]:
    """The five steps with their state: done, here (the page shown), next, or ahead."""
    rows = []
    for info in guide.STEPS:
        reached = current is not None and current.reached(info.key)
        done = current is not None and reached and info.key != current.step
        rows.append(
            {
                "info": info,
                "url": guide.step_url(info.key),
                "done": done,
                "reached": reached,
                "here": info.key == here,
                "next": current is not None and info.key == current.step,
            }
        )
    return rows


# --- Start here -------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    current = guide.current()
    context = {
        "guide": current,
        "steps": _steps_for(current),
        "is_leader": permissions.is_leader(request.user),
    }
    if current is not None:
        progress = _progress(current)
        for row in context["steps"]:
            row["line"] = progress["done_lines"][row["info"].key] if row["done"] else ""
        context |= progress
    return render(request, "onboarding/overview.html", context)


def _progress(current: GuidedStart) -> dict:
    """One line of what each step has produced so far, for "Start here"."""
    misses = current.misses.aggregate(
        total=Count("pk"), tagged=Count("pk", filter=Q(seam__isnull=False))
    )
    seams = list(current.seams.order_by("name").values_list("name", flat=True))
    top = current.top_seam
    return {
        "done_lines": {
            Step.SEAMS: f"{misses['tagged']} of {misses['total']} misses tagged · working on "
            + (", ".join(seams) or "no seam yet"),
            Step.CADENCE: f"{_count(current.decisions.count(), 'decision')} to make, "
            f"{_count(current.constraints.count(), 'constraint')} to remove",
            Step.SPEC: f"Spec of {top.name}, version {top.spec.version}" if top else "",
            Step.DATA: current.get_data_source_display(),
            Step.METRICS: f"{current.contract.title}: pilot" if current.contract else "",
        },
        "next_url": guide.step_url(current.step),
        "next_step": guide.BY_KEY.get(current.step),
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@login_required
@require_POST
def begin(request: HttpRequest) -> HttpResponse:
    if not permissions.is_leader(request.user):
        raise PermissionDenied("Leaders take the guided start.")
    current = guide.begin(by=request.user)
    return redirect(guide.step_url(current.step))


# --- Step 1: find your seams ------------------------------------------------------------------


def _seams_context(current: GuidedStart, **extra) -> dict:
    misses = list(current.misses.select_related("seam__from_team", "seam__to_team", "escalation"))
    options = seam_options()
    shares = find_seams.seam_pareto(misses)
    chosen = set(current.seams.values_list("pk", flat=True))
    choose_form = extra.pop("choose_form", None)
    if choose_form is None:
        initial = chosen or {share.seam.pk for share in shares if share.preselected}
        choose_form = ChooseSeamsForm(
            seams=Seam.objects.filter(pk__in=[s.seam.pk for s in shares]),
            initial={"seams": list(initial)},
        )
    tag_forms = extra.pop("tag_forms", {})
    rows = [
        (
            miss,
            tag_forms.get(miss.pk)
            or TagForm(
                options=options,
                auto_id=f"id_miss{miss.pk}_%s",
                initial={"seam": miss.seam_id, "cause": miss.cause},
            ),
        )
        for miss in misses
    ]
    tagged = sum(1 for miss in misses if miss.seam_id)
    preselected = [share for share in shares if share.preselected]
    return {
        "rows": rows,
        "misses_form": extra.pop("misses_form", None) or MissesForm(),
        "choose_form": choose_form,
        "choose_boxes": _boxes(choose_form, shares),
        "shares": shares,
        "preselected": preselected,
        "explained": preselected[-1].bar.cumulative_pct if preselected else 0,
        "chart": guide_chart(shares),
        "tagged": tagged,
        "untagged": len(misses) - tagged,
        "team_names": list(Team.objects.order_by("name").values_list("name", flat=True)),
        "threshold": int(find_seams.PARETO_THRESHOLD),
        **extra,
    }


def _boxes(form: ChooseSeamsForm, shares: list[find_seams.SeamShare]) -> list[dict]:
    """The seam checkboxes in Pareto order, each with its count and share."""
    by_value = {str(box.data["value"]): box for box in form["seams"]}
    return [
        {"box": by_value[str(share.seam.pk)], "share": share}
        for share in shares
        if str(share.seam.pk) in by_value
    ]


def guide_chart(shares: list[find_seams.SeamShare]):
    return pareto_chart(
        [share.bar for share in shares],
        title="Misses by seam",
        height=260,
        max_bars=8,
        threshold=find_seams.PARETO_THRESHOLD,
    )


def _render_seams(
    request: HttpRequest, current: GuidedStart, *, status: int = 200, **extra
) -> HttpResponse:
    context = {**_seams_context(current, **extra), **frame(current, Step.SEAMS)}
    template = "onboarding/seams.html"
    if request.htmx:
        template += "#find-seams"
    return render(request, template, context, status=status)


def frame(current: GuidedStart, here: str) -> dict:
    return {"guide": current, "steps": _steps_for(current, here), "step": guide.BY_KEY[here]}


@step_page(Step.SEAMS)
@require_http_methods(["GET", "POST"])
def seams_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Step 1. POST chooses the seams to work on and moves on."""
    if request.method == "GET":
        return _render_seams(request, current)
    tagged = Seam.objects.filter(pk__in=current.misses.filter(seam__isnull=False).values("seam_id"))
    form = ChooseSeamsForm(request.POST, seams=tagged)
    if not form.is_valid():
        return _render_seams(request, current, status=400, choose_form=form)
    shares = find_seams.seam_pareto(list(current.misses.select_related("seam")))
    rank = {share.seam.pk: n for n, share in enumerate(shares)}
    chosen = sorted(form.cleaned_data["seams"], key=lambda seam: rank.get(seam.pk, 0))
    find_seams.choose_seams(guide=current, seams=chosen, by=request.user)
    return redirect("onboarding:guide-cadence")


@step_page(Step.SEAMS)
@require_POST
def misses_add(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    form = MissesForm(request.POST)
    if not form.is_valid():
        return _render_seams(request, current, status=400, misses_form=form)
    added = find_seams.add_misses(guide=current, misses=form.cleaned_data["text"], by=request.user)
    if not request.htmx:
        messages.success(request, f"Added {len(added)} miss{'es' if len(added) != 1 else ''}.")
        return redirect("onboarding:guide-seams")
    return _render_seams(request, current, just_added=len(added))


def _miss(current: GuidedStart, pk: int) -> Miss:
    return get_object_or_404(Miss.objects.select_related("escalation"), pk=pk, guided_start=current)


@step_page(Step.SEAMS)
@require_POST
def miss_tag(request: HttpRequest, current: GuidedStart, pk: int) -> HttpResponse:
    miss = _miss(current, pk)
    form = TagForm(request.POST, auto_id=f"id_miss{miss.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            find_seams.tag_miss(
                miss=miss,
                seam=data["seam"],
                from_team=data["from_team"],
                to_team=data["to_team"],
                cause=data["cause"],
                by=request.user,
            )
        except guide.StepRefused as refused:
            form.add_error(None, str(refused))
    if form.errors:
        return _render_seams(request, current, status=400, tag_forms={miss.pk: form})
    current.touch(by=request.user)
    if not request.htmx:
        return redirect(reverse("onboarding:guide-seams") + f"#miss-{miss.pk}")
    return _render_seams(request, current)


@step_page(Step.SEAMS)
@require_POST
def miss_remove(request: HttpRequest, current: GuidedStart, pk: int) -> HttpResponse:
    find_seams.remove_miss(miss=_miss(current, pk), by=request.user)
    if not request.htmx:
        messages.success(request, "Removed the miss and its escalation.")
        return redirect("onboarding:guide-seams")
    return _render_seams(request, current)


# --- Step 2: the decision cadence -------------------------------------------------------------


def _render_cadence(
    request: HttpRequest, current: GuidedStart, *, status: int = 200, **forms
) -> HttpResponse:
    seams = guide.chosen_queryset(current)
    decisions, constraints = cadence.first_agenda(current)
    context = {
        **frame(current, Step.CADENCE),
        "decision_form": forms.get("decision_form")
        or CadenceDecisionForm(seams=seams, initial={"decider": request.user}),
        "constraint_form": forms.get("constraint_form")
        or CadenceConstraintForm(seams=seams, initial={"owner": request.user}),
        "decisions": decisions,
        "constraints": constraints,
        "seams": list(seams),
    }
    template = "onboarding/cadence.html"
    if request.htmx:
        template += "#cadence"
    return render(request, template, context, status=status)


@step_page(Step.CADENCE)
@require_http_methods(["GET", "POST"])
def cadence_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Step 2. POST moves on: an empty agenda is allowed, and said so on the next steps."""
    if request.method == "GET":
        return _render_cadence(request, current)
    current.advance(Step.CADENCE, by=request.user)
    return redirect("onboarding:guide-spec")


@step_page(Step.CADENCE)
@require_POST
def cadence_decision(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    return _add_to_agenda(
        request, current, CadenceDecisionForm, "decision_form", cadence.add_decision
    )


@step_page(Step.CADENCE)
@require_POST
def cadence_constraint(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    return _add_to_agenda(
        request, current, CadenceConstraintForm, "constraint_form", cadence.add_constraint
    )


def _add_to_agenda(request, current: GuidedStart, form_class, form_name: str, add) -> HttpResponse:
    """A decision or a constraint for the first review's agenda, from the cadence step's form."""
    form = form_class(request.POST, seams=guide.chosen_queryset(current))
    if not form.is_valid():
        return _render_cadence(request, current, status=400, **{form_name: form})
    add(guide=current, by=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, "Added to the agenda.")
        return redirect("onboarding:guide-cadence")
    return _render_cadence(request, current)


# --- On the Teams page ------------------------------------------------------------------------


def teams_notice(request: HttpRequest) -> Panel | None:
    """Above the teams, while the organisation has no contract: where the guided start is."""
    if not guide.is_needed():
        return None
    current = guide.current()
    return Panel(
        "onboarding/teams_notice.html",
        {"guide_step": guide.BY_KEY.get(current.step) if current else None},
    )
