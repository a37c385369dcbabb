"""Where people land after signing in (`/`): each role where its work is. It names pages of
several apps, so it is project-level."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from metrics import engine
from onboarding import guide
from seams import permissions


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where people land: each role where its work is. Leaders on the review of the month
    under review (on "Start here" while the organisation has no contract), team owners on
    their seams, ops on Today (what is about to breach, falls due or was escalated), viewers
    on the review. Several roles: leader wins, then owner, then ops."""
    return redirect(landing_url(request.user))


def landing_url(user) -> str:
    access = permissions.access_for(user)
    if permissions.LEADER in access.roles:
        if guide.is_needed():
            return reverse("onboarding:guide")
        return _review_url()
    if access.owned_team_ids:
        return reverse("metrics:mine")
    if permissions.OPS in access.roles:
        return reverse("metrics:today")
    return _review_url()


def _review_url() -> str:
    month = engine.month_under_review()
    return f"{reverse('metrics:review')}?{urlencode({'month': f'{month:%Y-%m}'})}"
