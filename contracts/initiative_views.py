"""Initiatives: the teams' commitments to one and the assumptions between them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.forms import AssumptionForm, CommitmentForm, InitiativeForm
from contracts.models import Assumption, Commitment, Initiative
from contracts.views import require_leader
from seams import permissions
from seams.models import Team


@login_required
@require_GET
def initiative_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initiatives = Initiative.objects.select_related("leader").annotate(
        team_count=Count("commitments", distinct=True),
        assumption_count=Count("assumptions", distinct=True),
    )
    attention = {
        row["initiative"]: row["n"]
        for row in Assumption.objects.needing_attention_first(today)
        .filter(attention__lt=3)
        .order_by()  # grouping must not include the ordering columns
        .values("initiative")
        .annotate(n=Count("pk"))
        .values("initiative", "n")
    }
    rows = [(i, attention.get(i.pk, 0)) for i in initiatives]
    return render(
        request,
        "contracts/initiative_list.html",
        {"rows": rows, "can_manage": permissions.can_manage_contracts(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest) -> HttpResponse:
    require_leader(request)
    form = InitiativeForm(request.POST or None, initial={"leader": request.user})
    if request.method == "POST" and form.is_valid():
        initiative = form.save()
        messages.success(request, f"Created {initiative.name}. Add each team's commitment.")
        return redirect(initiative)
    status = 400 if request.method == "POST" else 200
    return render(request, "contracts/initiative_form.html", {"form": form}, status=status)


def _can_write_commitment(request: HttpRequest, team_id: int) -> bool:
    return permissions.is_leader(request.user) or permissions.owns_team(request.user, team_id)


def _can_write_assumptions(request: HttpRequest, initiative: Initiative) -> bool:
    team_ids = initiative.commitments.values_list("team_id", flat=True)
    return permissions.can_log(request.user, team_ids)


def _initiative_context(request: HttpRequest, initiative: Initiative, **forms) -> dict:
    today = timezone.localdate()
    commitments = list(initiative.commitments.select_related("team"))
    assumptions = list(
        initiative.assumptions.needing_attention_first(today).select_related(
            "owner", "from_commitment__team", "to_commitment__team"
        )
    )
    writable_teams = [c.team_id for c in commitments if _can_write_commitment(request, c.team_id)]
    can_write_assumptions = _can_write_assumptions(request, initiative)
    context = {
        "initiative": initiative,
        "commitments": commitments,
        "assumptions": assumptions,
        "today": today,
        "writable_teams": writable_teams,
        "can_add_commitment": permissions.is_leader(request.user)
        or permissions.owns_any_team(request.user),
        "can_write_assumptions": can_write_assumptions,
        "attention_count": sum(1 for a in assumptions if a.attention < 3),
    }
    if context["can_add_commitment"]:
        context["commitment_form"] = forms.get("commitment_form") or CommitmentForm(
            teams=_teams_without_commitment(request, initiative)
        )
    if can_write_assumptions and len(commitments) >= 2:
        initial = _assumption_offered(request, commitments)
        context["assumption_prefilled"] = bool(initial)
        context["assumption_form"] = forms.get("assumption_form") or AssumptionForm(
            initiative=initiative, initial=initial
        )
    return context


def _assumption_offered(request: HttpRequest, commitments: list) -> dict:
    """The assumption a link offers to record (the forecast's, for a dependency at risk):
    `assume_from`/`assume_to` name two of the initiative's commitments, `assume_statement` the
    statement. Anything else in them is ignored: it is only a starting point for the form."""
    ids = {str(c.pk) for c in commitments}
    relying, relied_on = request.GET.get("assume_from"), request.GET.get("assume_to")
    if relying not in ids or relied_on not in ids or relying == relied_on:
        return {}
    statement = request.GET.get("assume_statement", "").replace("\x00", "")[:300]
    return {"from_commitment": relying, "to_commitment": relied_on, "statement": statement}


def _teams_without_commitment(request: HttpRequest, initiative: Initiative):
    teams = Team.objects.exclude(commitments__initiative=initiative)
    if not permissions.is_leader(request.user):
        teams = teams.owned_by(request.user)
    return teams


@login_required
@require_GET
def initiative_detail(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative.objects.select_related("leader"), slug=slug)
    return render(
        request, "contracts/initiative_detail.html", _initiative_context(request, initiative)
    )


@login_required
@require_POST
def commitment_add(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    if not (permissions.is_leader(request.user) or permissions.owns_any_team(request.user)):
        raise PermissionDenied("Leaders and team owners add their team's commitment.")
    form = CommitmentForm(request.POST, teams=_teams_without_commitment(request, initiative))
    form.instance.initiative = initiative
    if not form.is_valid():
        return render(
            request,
            "contracts/initiative_detail.html",
            _initiative_context(request, initiative, commitment_form=form),
            status=400,
        )
    form.save()
    messages.success(request, f"Added {form.instance.team.name}'s commitment.")
    return redirect(initiative)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    commitment = get_object_or_404(
        Commitment.objects.select_related("team"), initiative=initiative, pk=pk
    )
    if not _can_write_commitment(request, commitment.team_id):
        raise PermissionDenied(
            f"Only leaders and owners of {commitment.team.name} change its commitment."
        )
    form = CommitmentForm(request.POST or None, instance=commitment)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved {commitment.team.name}'s commitment.")
        return redirect(initiative)
    status = 400 if request.method == "POST" else 200
    context = {
        "initiative": initiative,
        "form": form,
        "what": f"{commitment.team.name}'s commitment",
    }
    return render(request, "contracts/initiative_part_form.html", context, status=status)


@login_required
@require_POST
def assumption_add(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    if not _can_write_assumptions(request, initiative):
        raise PermissionDenied(
            "Leaders, ops and owners of the initiative's teams record assumptions."
        )
    form = AssumptionForm(request.POST, initiative=initiative)
    if not form.is_valid():
        return render(
            request,
            "contracts/initiative_detail.html",
            _initiative_context(request, initiative, assumption_form=form),
            status=400,
        )
    form.save()
    messages.success(request, "Assumption recorded.")
    return redirect(initiative)


@login_required
@require_http_methods(["GET", "POST"])
def assumption_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    initiative = get_object_or_404(Initiative, slug=slug)
    assumption = get_object_or_404(Assumption, initiative=initiative, pk=pk)
    if not _can_write_assumptions(request, initiative):
        raise PermissionDenied(
            "Leaders, ops and owners of the initiative's teams change assumptions."
        )
    form = AssumptionForm(request.POST or None, instance=assumption, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Assumption saved.")
        return redirect(initiative)
    status = 400 if request.method == "POST" else 200
    context = {"initiative": initiative, "form": form, "what": "assumption"}
    return render(request, "contracts/initiative_part_form.html", context, status=status)


# --- The spec template library ------------------------------------------------------------
