"""Contract vs reality, leaders' actions: draft a contract revision carrying a seam's proposed
response SLA, and publish that draft for the leaders it binds to sign (metrics.reality)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from contracts.models import Contract
from metrics import reality
from metrics.models import SlaRevisionDraft
from seams import permissions
from seams.models import Seam


def _panel(seam: Seam) -> str:
    return f"{reverse('metrics:seam', args=[seam.slug])}#contract-vs-reality"


def _contract(request: HttpRequest) -> Contract | HttpResponse:
    slug = request.POST.get("contract", "").strip()
    contract = Contract.objects.filter(slug=slug).first() if slug else None
    if contract is None:
        text = "Name the contract to revise." if not slug else f"No contract is named “{slug}”."
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    return contract


@login_required
@require_POST
def propose_revision(request: HttpRequest, slug: str) -> HttpResponse:
    """Draft the contract's revision with the seam's proposed response SLA (leaders)."""
    if not permissions.is_leader(request.user):
        raise PermissionDenied("Only leaders draft contract revisions.")
    seam = get_object_or_404(Seam.objects.select_related("spec"), slug=slug)
    contract = _contract(request)
    if isinstance(contract, HttpResponse):
        return contract
    try:
        draft = reality.draft_sla_revision(seam=seam, contract=contract, by=request.user)
    except reality.ProposalRefused as refused:
        messages.error(request, f"Nothing drafted: {refused}")
        return redirect(_panel(seam))
    messages.success(
        request,
        f"Drafted a revision of {contract.title}: response SLA "
        f"{draft.response_sla_hours.normalize():f} h on {seam.name}. Nothing changes until a "
        "leader publishes it.",
    )
    return redirect(_panel(seam))


@login_required
@require_POST
def publish_sla_revision(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish the open draft for this seam and contract: the spec and the target change, and
    the revision awaits its leaders' signatures (leaders)."""
    if not permissions.is_leader(request.user):
        raise PermissionDenied("Only leaders publish contract revisions.")
    seam = get_object_or_404(Seam, slug=slug)
    contract = _contract(request)
    if isinstance(contract, HttpResponse):
        return contract
    draft = SlaRevisionDraft.objects.unpublished().filter(contract=contract, seam=seam).first()
    if draft is None:
        messages.error(
            request, f"Nothing published: no draft revision of {contract.title} for {seam.name}."
        )
        return redirect(_panel(seam))
    try:
        revision = reality.publish_sla_draft(draft=draft, by=request.user)
    except reality.ProposalRefused as refused:
        messages.error(request, f"Nothing published: {refused}")
        return redirect(_panel(seam))
    messages.success(
        request, f"Published revision {revision.number} of {contract.title}: it awaits signatures."
    )
    return redirect("contracts:revision", contract.slug, revision.number)
