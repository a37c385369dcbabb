"""The guided start's last three steps: the spec of the highest-friction seam, how its
handoffs reach Seamline, and the three metrics whose choosing pilots the contract."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import catalogue
from contracts.models import SpecTemplate
from onboarding import data_source, first_spec, guide, pilot
from onboarding.forms import FinishForm, JiraMappingForm, SourceForm, SpecChoiceForm
from onboarding.models import GuidedStart
from onboarding.views import frame, step_page
from seams.forms import SpecForm
from seams.models import Seam
from seams.services import SpecConflict, save_spec

Step = GuidedStart.Step


# --- Step 3: the spec -------------------------------------------------------------------------


@step_page(Step.SPEC)
@require_http_methods(["GET", "POST"])
def spec_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    seams = guide.chosen_seams(current)
    choices = Seam.objects.filter(pk__in=[seam.pk for seam in seams])
    templates = list(SpecTemplate.objects.in_library_order())
    if request.method == "POST":
        choice = SpecChoiceForm(request.POST, seams=choices)
        seam = choice.cleaned_data["seam"] if choice.is_valid() else current.top_seam
        form = SpecForm(request.POST, instance=seam.spec)
        if choice.is_valid() and form.is_valid() and _save_spec(request, current, choice, form):
            messages.success(request, f"Saved the spec of {seam.name}.")
            return redirect("onboarding:guide-data")
        template = choice.cleaned_data.get("template") if choice.is_valid() else None
        match = None
        status = 400
    else:
        seam = _chosen(request.GET.get("seam"), seams, current)
        template, match = _template(request.GET.get("template"), templates, current, seam)
        form = SpecForm(
            instance=seam.spec, initial=first_spec.spec_initial(seam, template, request.user)
        )
        chosen_template = template.slug if template else ""
        choice = SpecChoiceForm(
            seams=choices, initial={"seam": seam.slug, "template": chosen_template}
        )
        status = 200
    context = {
        **frame(current, Step.SPEC),
        "seam": seam,
        "seams": seams,
        "template": template,
        "match": match,  # set when the template was picked for the seam, not by the leaders
        "templates": templates,
        "form": form,
        "choice": choice,
        "misses_on_seam": current.misses.filter(seam=seam).count(),
    }
    return render(request, "onboarding/spec.html", context, status=status)


def _save_spec(
    request: HttpRequest, current: GuidedStart, choice: SpecChoiceForm, form: SpecForm
) -> bool:
    """Save the spec as the valid forms have it and record the step; False, with the form
    saying why, when someone saved the spec meanwhile."""
    seam = choice.cleaned_data["seam"]
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
            None, f"{conflict} Someone saved the spec meanwhile: reload to see their version."
        )
        return False
    first_spec.record_spec(
        guide=current, seam=seam, template=choice.cleaned_data["template"], by=request.user
    )
    return True


def _chosen(slug: str | None, seams: list[Seam], current: GuidedStart) -> Seam:
    by_slug = {seam.slug: seam for seam in seams}
    if slug in by_slug:
        return by_slug[slug]
    top = next((seam for seam in seams if seam.pk == current.top_seam_id), None)
    return top or seams[0]


def _template(
    slug: str | None, templates: list[SpecTemplate], current: GuidedStart, seam: Seam
) -> tuple[SpecTemplate | None, "first_spec.TemplateMatch | None"]:
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
    match = first_spec.best_template(seam, templates)
    return (match.template, match) if match else (None, None)


# --- Step 4: connect the data -----------------------------------------------------------------


def _render_data(
    request: HttpRequest, current: GuidedStart, *, status: int = 200, **extra
) -> HttpResponse:
    source = current.webhook
    context = {
        **frame(current, Step.DATA),
        "seam": current.top_seam,
        "source_form": extra.pop("source_form", None)
        or SourceForm(initial={"source": current.data_source or GuidedStart.Source.CSV}),
        "mapping_form": extra.pop("mapping_form", None)
        or (JiraMappingForm(instance=source) if source else None),
        "webhook": source,
        "webhook_secret": (source.live_secrets() or [""])[0] if source else "",
        "webhook_url": request.build_absolute_uri(reverse("handoff-webhook", args=[source.slug]))
        if source
        else "",
        **extra,
    }
    return render(request, "onboarding/data.html", context, status=status)


@step_page(Step.DATA)
@require_http_methods(["GET", "POST"])
def data_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Step 4. POST records the choice; "continue" in it moves on."""
    if request.method == "GET":
        return _render_data(request, current)
    form = SourceForm(request.POST)
    if not form.is_valid():
        return _render_data(request, current, status=400, source_form=form)
    data_source.choose_source(guide=current, source=form.cleaned_data["source"], by=request.user)
    if "continue" in request.POST:
        data_source.record_source(guide=current, by=request.user)
        return redirect("onboarding:guide-metrics")
    return redirect("onboarding:guide-data")


@step_page(Step.DATA)
@require_POST
def data_jira(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    """Save the Jira status mapping; with `test`, then send a test delivery."""
    if current.webhook is None:
        messages.error(request, "Choose the Jira webhook first.")
        return redirect("onboarding:guide-data")
    form = JiraMappingForm(request.POST, instance=current.webhook)
    if not form.is_valid():
        return _render_data(request, current, status=400, mapping_form=form)
    form.save()
    if "test" in request.POST:
        check = data_source.send_test_delivery(current.webhook)
        (messages.success if check.ok else messages.error)(request, check.message)
    else:
        messages.success(request, "Saved the status mapping.")
    return redirect("onboarding:guide-data")


@step_page(Step.DATA)
@require_GET
def data_example(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    seam = current.top_seam
    response = HttpResponse(data_source.example_csv(seam), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="handoffs-{seam.slug}-example.csv"'
    return response


# --- Step 5: three metrics --------------------------------------------------------------------


@step_page(Step.METRICS)
@require_http_methods(["GET", "POST"])
def metrics_step(request: HttpRequest, current: GuidedStart) -> HttpResponse:
    seam = current.top_seam
    if request.method == "POST":
        form = FinishForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                contract = pilot.finish(
                    guide=current,
                    title=data["title"],
                    scope=data["scope"],
                    review_day=data["review_day"],
                    targets=form.targets(),
                    by=request.user,
                )
            except guide.StepRefused as refused:
                messages.info(request, str(refused))
                return redirect("onboarding:guide")
            messages.success(
                request,
                f"{contract.title} is in pilot: {seam.name} pilots its spec for 30 days.",
            )
            return redirect("onboarding:guide")
        status = 400
    else:
        initial = {
            "title": f"{seam.name} contract",
            "scope": "The seams behind most of our recent misses: "
            + ", ".join(s.name for s in guide.chosen_seams(current))
            + ".",
            "review_day": 9,
        }
        for n, (metric, target) in enumerate(pilot.suggested_targets(current), start=1):
            initial[f"metric_{n}"] = metric
            initial[f"target_{n}"] = target
        form = FinishForm(initial=initial)
        status = 200
    today = timezone.localdate()
    context = {
        **frame(current, Step.METRICS),
        "seam": seam,
        "form": form,
        "units": {m.name: m.unit for m in catalogue.METRICS},
        "pilot_ends": today + timedelta(days=Seam.PILOT_DAYS),
    }
    return render(request, "onboarding/metrics.html", context, status=status)
