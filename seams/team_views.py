"""Teams: the list of teams and their people, a team's page, and the team form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from seams import permissions
from seams.forms import MembershipFormSet, TeamForm
from seams.models import Team, User
from seams.services import MemberSpec, save_team


def get_team_for_user(request: HttpRequest, slug: str) -> Team:
    return get_object_or_404(Team.objects.visible_to(request.user).with_people(), slug=slug)


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    """Teams and their people. Later apps add their panels to it (common/panels.py): a notice
    above the teams ("teams-notices") and cards beside them ("teams-aside")."""
    context = {
        "teams": list(Team.objects.visible_to(request.user).with_people()),
        "people_count": User.objects.filter(is_active=True, memberships__isnull=False)
        .values("pk")
        .distinct()
        .count(),
        "can_manage_teams": permissions.can_manage_teams(request.user),
    }
    return render(request, "seams/team_list.html", context)


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
