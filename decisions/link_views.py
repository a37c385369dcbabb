"""Linking a dependency to the initiative it is needed for, from the initiative's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from decisions.forms import LinkInitiativeForm
from seams import permissions


@login_required
@require_POST
def dependency_initiative(request: HttpRequest) -> HttpResponse:
    """Link a dependency (`dependency`, its id) to the initiative it is needed for
    (`initiative`, its slug; the forecast then counts it), or unlink it (`initiative` empty).
    From the initiative's page; `next` says where to go back to."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("decisions:dependencies")
    form = LinkInitiativeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not linked: {form.problem()}")
        return redirect(back)
    dependency, initiative = form.cleaned_data["dependency"], form.cleaned_data["initiative"]
    permissions.require_log_at(request.user, *dependency.places)
    if dependency.initiative_id == (initiative.pk if initiative else None):
        messages.info(request, f"“{dependency.title}” was already {_linked_to(initiative)}.")
        return redirect(back)
    before = dependency.initiative
    dependency.initiative = initiative
    dependency.save(update_fields=["initiative"])
    if initiative:
        messages.success(request, f"“{dependency.title}” is now {_linked_to(initiative)}.")
    else:
        messages.success(request, f"“{dependency.title}” is no longer needed for {before}.")
    return redirect(back)


def _linked_to(initiative) -> str:
    return f"needed for {initiative}" if initiative else "linked to no initiative"
