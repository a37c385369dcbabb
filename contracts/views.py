"""Team Execution Contracts' pages: the contract, its seams, targets, decision rights, revisions
and signatures; and the library of spec templates. Initiatives are in initiative_views.py."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts import catalogue
from contracts.forms import (
    AddSeamForm,
    ContractForm,
    DecisionRightForm,
    PublishForm,
    SpecTemplateForm,
    TargetForm,
    TransitionForm,
)
from contracts.models import (
    RESPONSE_SLA,
    Contract,
    ContractRevision,
    DecisionRight,
    MetricTarget,
    Signature,
    SpecTemplate,
)
from contracts.services import (
    SigningRefused,
    TransitionRefused,
    cover_seam,
    diff_snapshots,
    publish_revision,
    running_problems,
    sign_revision,
    snapshot,
    target_warnings,
    transition_contract,
    transition_refusal,
    uncover_seam,
)
from seams import permissions


def require_leader(
    request: HttpRequest, why: str = "Only leaders create, change and sign contracts."
) -> None:
    if not permissions.can_manage_contracts(request.user):
        raise PermissionDenied(why)


def get_contract_for_user(request: HttpRequest, slug: str) -> Contract:
    return get_object_or_404(Contract.objects.select_related("leader"), slug=slug)


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    contracts = (
        Contract.objects.select_related("leader")
        .annotate(seam_count=Count("covered", distinct=True))
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=ContractRevision.objects.prefetch_related("binding_leaders", "signatures"),
            )
        )
    )
    rows = [(c, c.revisions.all()[0] if c.revisions.all() else None) for c in contracts]
    return render(
        request,
        "contracts/contract_list.html",
        {"rows": rows, "can_manage": permissions.can_manage_contracts(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    require_leader(request)
    form = ContractForm(request.POST or None, initial={"leader": request.user})
    if request.method == "POST" and form.is_valid():
        contract = form.save()
        messages.success(
            request, f"Drafted {contract.title}. Add its seams, targets and decision rights."
        )
        return redirect(contract)
    status = 400 if request.method == "POST" else 200
    return render(request, "contracts/contract_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    form = ContractForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved. Publish a revision when the leaders should sign it.")
        return redirect(contract)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "contracts/contract_form.html", {"form": form, "contract": contract}, status=status
    )


def _detail_context(request: HttpRequest, contract: Contract, **forms) -> dict:
    seams = list(
        contract.seams.select_related(
            "from_team", "to_team", "calendar", "spec", "spec__owner"
        ).order_by("name")
    )
    targets = list(contract.targets.select_related("seam"))
    rights = list(
        contract.decision_rights.select_related("seam", "decider").prefetch_related(
            "consulted_people", "consulted_teams", "informed_people", "informed_teams"
        )
    )
    revisions = list(
        contract.revisions.select_related("published_by").prefetch_related(
            "binding_leaders", Prefetch("signatures", queryset=_signatures())
        )
    )
    current = revisions[0] if revisions else None
    signers = _signers(current)
    today = timezone.localdate()
    can_manage = permissions.can_manage_contracts(request.user)
    by_seam = {seam.pk: [t for t in targets if t.seam_id == seam.pk] for seam in seams}
    context = {
        "contract": contract,
        "seam_rows": [(seam, by_seam[seam.pk]) for seam in seams],
        "rights": rights,
        "revisions": revisions,
        "current": current,
        "signers": signers,
        "unpublished": bool(current) and diff_snapshots(current.content, snapshot(contract)),
        "warnings": target_warnings(contract),
        "problems": running_problems(contract),
        "transitions": [
            (status, label, transition_refusal(contract, status))
            for status, label in Contract.Status.choices
            if status in Contract.TRANSITIONS[Contract.Status(contract.status)]
        ],
        "next_review": contract.next_review(today),
        "events": contract.events.select_related("by")[:8],
        "can_manage": can_manage,
        "can_sign": any(s["leader"] == request.user and not s["signature"] for s in signers),
    }
    if can_manage:
        context |= {
            "seam_form": forms.get("seam_form") or AddSeamForm(contract=contract),
            "target_form": forms.get("target_form") or TargetForm(contract=contract),
            "right_form": forms.get("right_form") or DecisionRightForm(contract=contract),
            "publish_form": forms.get("publish_form") or PublishForm(),
        }
    return context


def _signatures():
    return Signature.objects.select_related("leader")


def _signers(revision: ContractRevision | None) -> list[dict]:
    """Each leader the revision binds, with their signature if they gave it."""
    if revision is None:
        return []
    signatures = {s.leader_id: s for s in revision.signatures.all()}
    return [
        {"leader": leader, "signature": signatures.get(leader.pk)}
        for leader in sorted(revision.binding_leaders.all(), key=lambda u: u.display_name)
    ]


@login_required
@require_GET
def contract_detail(request: HttpRequest, slug: str) -> HttpResponse:
    contract = get_contract_for_user(request, slug)
    return render(request, "contracts/contract_detail.html", _detail_context(request, contract))


def _invalid(request: HttpRequest, contract: Contract, **forms) -> HttpResponse:
    messages.error(request, "Not saved: please correct the form below.")
    return render(
        request,
        "contracts/contract_detail.html",
        _detail_context(request, contract, **forms),
        status=400,
    )


@login_required
@require_POST
def contract_add_seam(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    form = AddSeamForm(request.POST, contract=contract)
    if not form.is_valid():
        return _invalid(request, contract, seam_form=form)
    cover_seam(contract=contract, seam=form.cleaned_data["seam"])
    messages.success(request, f"{form.cleaned_data['seam'].name} is now covered. Set its targets.")
    return redirect(contract)


@login_required
@require_POST
def contract_remove_seam(request: HttpRequest, slug: str, seam_slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    seam = get_object_or_404(contract.seams, slug=seam_slug)
    uncover_seam(contract=contract, seam=seam)
    messages.success(request, f"{seam.name} is no longer covered by this contract.")
    return redirect(contract)


@login_required
@require_POST
def target_add(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    form = TargetForm(request.POST, contract=contract)
    if not form.is_valid():
        return _invalid(request, contract, target_form=form)
    target = form.save()
    messages.success(request, f"Target set: {target.metric_label} on {target.seam.name}.")
    for warning in target_warnings(contract):
        messages.warning(request, warning)
    return redirect(contract)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _edit_part(request, slug, pk, MetricTarget, TargetForm, "metric target")


@login_required
@require_POST
def target_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _delete_part(request, slug, pk, MetricTarget, "Target removed.")


@login_required
@require_POST
def right_add(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    form = DecisionRightForm(request.POST, contract=contract)
    if not form.is_valid():
        return _invalid(request, contract, right_form=form)
    right = form.save()
    messages.success(request, f"{right.decider} decides “{right.decision_type}”.")
    return redirect(contract)


@login_required
@require_http_methods(["GET", "POST"])
def right_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _edit_part(request, slug, pk, DecisionRight, DecisionRightForm, "decision right")


@login_required
@require_POST
def right_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _delete_part(request, slug, pk, DecisionRight, "Decision right removed.")


def _edit_part(request: HttpRequest, slug: str, pk: int, model, form_class, what: str):
    """Edit one target or decision right of a contract on its own page."""
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    part = get_object_or_404(model, contract=contract, pk=pk)
    form = form_class(request.POST or None, instance=part, contract=contract)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the {what}.")
        return redirect(contract)
    status = 400 if request.method == "POST" else 200
    context = {"contract": contract, "form": form, "what": what}
    return render(request, "contracts/part_form.html", context, status=status)


def _delete_part(request: HttpRequest, slug: str, pk: int, model, done: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    get_object_or_404(model, contract=contract, pk=pk).delete()
    messages.success(request, done)
    return redirect(contract)


@login_required
@require_POST
def contract_transition(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(contract)
    try:
        result = transition_contract(
            contract=contract, to_status=form.cleaned_data["status"], by=request.user
        )
    except TransitionRefused as refused:
        messages.error(request, f"Not changed: {refused}")
        return redirect(contract)
    messages.success(
        request, f"The contract is now {result.contract.get_status_display().lower()}."
    )
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect(contract)


@login_required
@require_POST
def revision_publish(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _invalid(request, contract, publish_form=form)
    revision = publish_revision(
        contract=contract, changelog=form.cleaned_data["changelog"], by=request.user
    )
    messages.success(request, f"Revision {revision.number} published for signature.")
    return redirect(contract)


@login_required
@require_GET
def revision_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    contract = get_contract_for_user(request, slug)
    revision = get_object_or_404(
        contract.revisions.prefetch_related(
            "binding_leaders", Prefetch("signatures", queryset=_signatures())
        ),
        number=number,
    )
    previous = contract.revisions.filter(number__lt=number).first()
    context = {
        "contract": contract,
        "revision": revision,
        "previous": previous,
        "changes": diff_snapshots(previous.content if previous else None, revision.content),
        "signers": _signers(revision),
    }
    return render(request, "contracts/revision_detail.html", context)


@login_required
@require_POST
def revision_sign(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    require_leader(request)
    contract = get_contract_for_user(request, slug)
    revision = get_object_or_404(contract.revisions, number=number)
    try:
        sign_revision(revision=revision, leader=request.user)
    except SigningRefused as refused:
        messages.error(request, f"Not signed: {refused}")
        return redirect(contract)
    revision.refresh_from_db()
    if revision.status == ContractRevision.Status.SIGNED:
        messages.success(request, f"Signed. Revision {number} now has every signature it needs.")
    else:
        messages.success(request, f"Signed revision {number}.")
    return redirect(contract)


LIBRARY_EDITORS = "Only leaders add and change spec templates."


def target_in_words(metric: str, target) -> str:
    """A suggested target as people say it: "SLA breach rate ≤ 10 %"."""
    info = catalogue.BY_NAME[metric]
    sign = "≥" if info.better == catalogue.HIGHER else "≤"
    if target == RESPONSE_SLA:
        return f"{info.label} {sign} the response SLA"
    number = f"{Decimal(str(target)).normalize():f}"
    return f"{info.label} {sign} {number} {info.unit}".rstrip()


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    templates = [
        (template, [target_in_words(t["metric"], t["target"]) for t in template.suggested_targets])
        for template in SpecTemplate.objects.in_library_order()
    ]
    return render(
        request,
        "contracts/spec_template_list.html",
        {"templates": templates, "can_manage": permissions.can_manage_contracts(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    require_leader(request, LIBRARY_EDITORS)
    form = SpecTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        template = form.save()
        messages.success(request, f"Added “{template.name}” to the template library.")
        return redirect("contracts:templates")
    status = 400 if request.method == "POST" else 200
    return render(request, "contracts/spec_template_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str) -> HttpResponse:
    require_leader(request, LIBRARY_EDITORS)
    template = get_object_or_404(SpecTemplate, slug=slug)
    # Validating writes the typed values onto the instance; the page keeps the saved name.
    saved_name = template.name
    form = SpecTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved “{template.name}”.")
        return redirect("contracts:templates")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "template": template, "template_name": saved_name}
    return render(request, "contracts/spec_template_form.html", context, status=status)
