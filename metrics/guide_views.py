"""The guided start's pages: "Start here" and its five steps. Leaders take the steps; everyone
signed in sees where the organisation is."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import catalogue
from contracts.models import SpecTemplate
from decisions.pareto import pareto_chart
from metrics import guide
from metrics.guide_forms import (
    CadenceConstraintForm,
    CadenceDecisionForm,
    ChooseSeamsForm,
    FinishForm,
    JiraMappingForm,
    MissesForm,
    SourceForm,
    SpecChoiceForm,
    TagForm,
    seam_options,
)
from metrics.models import GuidedStart, Miss
from seams import permissions
from seams.forms import SpecForm
from seams.models import Seam, Team
from seams.services import SpecConflict, save_spec

Step = GuidedStart.Step


def _step_page(step: str):
    """A step's view: leaders only, on a guided start that has reached the step and is not
    finished; anyone else is told why, and a leader who skips ahead is sent back."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not permissions.is_leader(request.user):
                raise PermissionDenied("Leaders take the guided start.")
            current = guide.current()
            if current is None:
                return redirect("metrics:guide")
            if current.finished_at:
                messages.info(
                    request, "The guided start is finished: change its results on their pages."
                )
                return redirect("metrics:guide")
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
    return render(request, "metrics/guide/overview.html", context)


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
    shares = guide.seam_pareto(misses)
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
        "threshold": int(guide.PARETO_THRESHOLD),
        **extra,
    }


def _boxes(form: ChooseSeamsForm, shares: list[guide.SeamShare]) -> list[dict]:
    """The seam checkboxes in Pareto order, each with its count and share."""
    by_value = {str(box.data["value"]): box for box in form["seams"]}
    return [
        {"box": by_value[str(share.seam.pk)], "share": share}
        for share in shares
        if str(share.seam.pk) in by_value
    ]


def guide_chart(shares: list[guide.SeamShare]):
    return pareto_chart(
        [share.bar for share in shares],
        title="Misses by seam",
        height=260,
        max_bars=8,
        threshold=guide.PARETO_THRESHOLD,
    )


def _render_seams(
    request: HttpRequest, current: GuidedStart, *, status: int = 200, **extra
) -> HttpResponse:
    context = {**_seams_context(current, **extra), **_frame(current, Step.SEAMS)}
    template = "metrics/guide/seams.html"
    if request.htmx:
        template += "#find-seams"
    return render(request, template, context, status=status)


def _frame(current: GuidedStart, here: str) -> dict:
    return {"guide": current, "steps": _steps_for(current, here), "step": guide.BY_KEY[here]}


@_step_page(Step.SEAMS)
@require_http_methods(["GET", "POST"])
def seams_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Step 1. POST chooses the seams to work on and moves on."""
    if request.method == "GET":
        return _render_seams(request, current)
    tagged = Seam.objects.filter(pk__in=current.misses.filter(seam__isnull=False).values("seam_id"))
    form = ChooseSeamsForm(request.POST, seams=tagged)
    if not form.is_valid():
        return _render_seams(request, current, status=400, choose_form=form)
    shares = guide.seam_pareto(list(current.misses.select_related("seam")))
    rank = {share.seam.pk: n for n, share in enumerate(shares)}
    chosen = sorted(form.cleaned_data["seams"], key=lambda seam: rank.get(seam.pk, 0))
    guide.choose_seams(guide=current, seams=chosen, by=request.user)
    return redirect("metrics:guide-cadence")


@_step_page(Step.SEAMS)
@require_POST
def misses_add(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    form = MissesForm(request.POST)
    if not form.is_valid():
        return _render_seams(request, current, status=400, misses_form=form)
    added = guide.add_misses(guide=current, misses=form.cleaned_data["text"], by=request.user)
    if not request.htmx:
        messages.success(request, f"Added {len(added)} miss{'es' if len(added) != 1 else ''}.")
        return redirect("metrics:guide-seams")
    return _render_seams(request, current, just_added=len(added))


def _miss(current: GuidedStart, pk: int) -> Miss:
    return get_object_or_404(Miss.objects.select_related("escalation"), pk=pk, guided_start=current)


@_step_page(Step.SEAMS)
@require_POST
def miss_tag(request: HttpRequest, current: GuidedStart, pk: int) -> HttpResponse:
    miss = _miss(current, pk)
    form = TagForm(request.POST, auto_id=f"id_miss{miss.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            guide.tag_miss(
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
        return redirect(reverse("metrics:guide-seams") + f"#miss-{miss.pk}")
    return _render_seams(request, current)


@_step_page(Step.SEAMS)
@require_POST
def miss_remove(request: HttpRequest, current: GuidedStart, pk: int) -> HttpResponse:
    guide.remove_miss(miss=_miss(current, pk), by=request.user)
    if not request.htmx:
        messages.success(request, "Removed the miss and its escalation.")
        return redirect("metrics:guide-seams")
    return _render_seams(request, current)


# --- Step 2: the decision cadence -------------------------------------------------------------


def _render_cadence(
    request: HttpRequest, current: GuidedStart, *, status: int = 200, **forms
) -> HttpResponse:
    seams = guide.chosen_queryset(current)
    decisions, constraints = guide.first_agenda(current)
    context = {
        **_frame(current, Step.CADENCE),
        "decision_form": forms.get("decision_form")
        or CadenceDecisionForm(seams=seams, initial={"decider": request.user}),
        "constraint_form": forms.get("constraint_form")
        or CadenceConstraintForm(seams=seams, initial={"owner": request.user}),
        "decisions": decisions,
        "constraints": constraints,
        "seams": list(seams),
    }
    template = "metrics/guide/cadence.html"
    if request.htmx:
        template += "#cadence"
    return render(request, template, context, status=status)


@_step_page(Step.CADENCE)
@require_http_methods(["GET", "POST"])
def cadence_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Step 2. POST moves on: an empty agenda is allowed, and said so on the next steps."""
    if request.method == "GET":
        return _render_cadence(request, current)
    current.advance(Step.CADENCE, by=request.user)
    return redirect("metrics:guide-spec")


@_step_page(Step.CADENCE)
@require_POST
def cadence_decision(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    form = CadenceDecisionForm(request.POST, seams=guide.chosen_queryset(current))
    if not form.is_valid():
        return _render_cadence(request, current, status=400, decision_form=form)
    guide.add_decision(guide=current, by=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, "Added to the agenda.")
        return redirect("metrics:guide-cadence")
    return _render_cadence(request, current)


@_step_page(Step.CADENCE)
@require_POST
def cadence_constraint(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    form = CadenceConstraintForm(request.POST, seams=guide.chosen_queryset(current))
    if not form.is_valid():
        return _render_cadence(request, current, status=400, constraint_form=form)
    guide.add_constraint(guide=current, by=request.user, **form.cleaned_data)
    if not request.htmx:
        messages.success(request, "Added to the agenda.")
        return redirect("metrics:guide-cadence")
    return _render_cadence(request, current)


# --- Step 3: the spec -------------------------------------------------------------------------


@_step_page(Step.SPEC)
@require_http_methods(["GET", "POST"])
def spec_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    seams = guide.chosen_seams(current)
    choices = Seam.objects.filter(pk__in=[seam.pk for seam in seams])
    templates = list(SpecTemplate.objects.in_library_order())
    if request.method == "POST":
        choice = SpecChoiceForm(request.POST, seams=choices)
        seam = choice.cleaned_data["seam"] if choice.is_valid() else current.top_seam
        form = SpecForm(request.POST, instance=seam.spec)
        if choice.is_valid() and form.is_valid():
            try:
                save_spec(
                    spec=seam.spec,
                    changes=form.changes(),
                    base_version=form.cleaned_data["base_version"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
            except SpecConflict as conflict:
                form.add_error(
                    None,
                    f"{conflict} Someone saved the spec meanwhile: reload to see their version.",
                )
            else:
                guide.record_spec(
                    guide=current,
                    seam=seam,
                    template=choice.cleaned_data["template"],
                    by=request.user,
                )
                messages.success(request, f"Saved the spec of {seam.name}.")
                return redirect("metrics:guide-data")
        template = choice.cleaned_data.get("template") if choice.is_valid() else None
        match = None
        status = 400
    else:
        seam = _chosen(request.GET.get("seam"), seams, current)
        template, match = _template(request.GET.get("template"), templates, current, seam)
        form = SpecForm(
            instance=seam.spec, initial=guide.spec_initial(seam, template, request.user)
        )
        chosen_template = template.slug if template else ""
        choice = SpecChoiceForm(
            seams=choices, initial={"seam": seam.slug, "template": chosen_template}
        )
        status = 200
    context = {
        **_frame(current, Step.SPEC),
        "seam": seam,
        "seams": seams,
        "template": template,
        "match": match,  # set when the template was picked for the seam, not by the leaders
        "templates": templates,
        "form": form,
        "choice": choice,
        "misses_on_seam": current.misses.filter(seam=seam).count(),
    }
    return render(request, "metrics/guide/spec.html", context, status=status)


def _chosen(slug: str | None, seams: list[Seam], current: GuidedStart) -> Seam:
    by_slug = {seam.slug: seam for seam in seams}
    if slug in by_slug:
        return by_slug[slug]
    top = next((seam for seam in seams if seam.pk == current.top_seam_id), None)
    return top or seams[0]


def _template(
    slug: str | None, templates: list[SpecTemplate], current: GuidedStart, seam: Seam
) -> tuple[SpecTemplate | None, "guide.TemplateMatch | None"]:
    """The template asked for, else the one chosen before, else the best match for the seam
    (and that match, so the page can say why)."""
    by_slug = {template.slug: template for template in templates}
    if slug in by_slug:
        return by_slug[slug], None
    if slug is not None:  # "?template=" picks none: the spec as it is
        return None, None
    chosen = next((t for t in templates if t.pk == current.template_id), None)
    if chosen is not None:
        return chosen, None
    match = guide.best_template(seam, templates)
    return (match.template, match) if match else (None, None)


# --- Step 4: connect the data -----------------------------------------------------------------


def _render_data(
    request: HttpRequest, current: GuidedStart, *, status: int = 200, **extra
) -> HttpResponse:
    source = current.webhook
    context = {
        **_frame(current, Step.DATA),
        "seam": current.top_seam,
        "source_form": extra.pop("source_form", None)
        or SourceForm(initial={"source": current.data_source or GuidedStart.Source.CSV}),
        "mapping_form": extra.pop("mapping_form", None)
        or (JiraMappingForm(instance=source) if source else None),
        "webhook": source,
        "webhook_url": request.build_absolute_uri(reverse("handoff-webhook", args=[source.slug]))
        if source
        else "",
        **extra,
    }
    return render(request, "metrics/guide/data.html", context, status=status)


@_step_page(Step.DATA)
@require_http_methods(["GET", "POST"])
def data_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Step 4. POST records the choice; "continue" in it moves on."""
    if request.method == "GET":
        return _render_data(request, current)
    form = SourceForm(request.POST)
    if not form.is_valid():
        return _render_data(request, current, status=400, source_form=form)
    guide.choose_source(guide=current, source=form.cleaned_data["source"], by=request.user)
    if "continue" in request.POST:
        guide.record_source(guide=current, by=request.user)
        return redirect("metrics:guide-metrics")
    return redirect("metrics:guide-data")


@_step_page(Step.DATA)
@require_POST
def data_jira(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Save the Jira status mapping; with `test`, then send a test delivery."""
    if current.webhook is None:
        messages.error(request, "Choose the Jira webhook first.")
        return redirect("metrics:guide-data")
    form = JiraMappingForm(request.POST, instance=current.webhook)
    if not form.is_valid():
        return _render_data(request, current, status=400, mapping_form=form)
    form.save()
    if "test" in request.POST:
        check = guide.send_test_delivery(current.webhook)
        (messages.success if check.ok else messages.error)(request, check.message)
    else:
        messages.success(request, "Saved the status mapping.")
    return redirect("metrics:guide-data")


@_step_page(Step.DATA)
@require_GET
def data_example(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    seam = current.top_seam
    response = HttpResponse(guide.example_csv(seam), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="handoffs-{seam.slug}-example.csv"'
    return response


# --- Step 5: three metrics --------------------------------------------------------------------


@_step_page(Step.METRICS)
@require_http_methods(["GET", "POST"])
def metrics_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    seam = current.top_seam
    if request.method == "POST":
        form = FinishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                contract = guide.finish(
                    guide=current,
                    title=data["title"],
                    scope=data["scope"],
                    review_day=data["review_day"],
                    targets=form.targets(),
                    by=request.user,
                )
            except guide.StepRefused as refused:
                messages.info(request, str(refused))
                return redirect("metrics:guide")
            messages.success(
                request,
                f"{contract.title} is in pilot: {seam.name} pilots its spec for 30 days.",
            )
            return redirect("metrics:guide")
        status = 400
    else:
        initial = {
            "title": f"{seam.name} contract",
            "scope": "The seams behind most of our recent misses: "
            + ", ".join(s.name for s in guide.chosen_seams(current))
            + ".",
            "review_day": 9,
        }
        for n, (metric, target) in enumerate(guide.suggested_targets(current), start=1):
            initial[f"metric_{n}"] = metric
            initial[f"target_{n}"] = target
        form = FinishForm(initial=initial)
        status = 200
    today = timezone.localdate()
    context = {
        **_frame(current, Step.METRICS),
        "seam": seam,
        "form": form,
        "units": {m.name: m.unit for m in catalogue.METRICS},
        "pilot_ends": today + timedelta(days=Seam.PILOT_DAYS),
    }
    return render(request, "metrics/guide/metrics.html", context, status=status)
