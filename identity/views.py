"""The signed-in person's account page: their teams and roles, and their API token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/account.html", _account_context(request))


def _account_context(request: HttpRequest) -> dict:
    return {
        "memberships": request.user.memberships.select_related("team").order_by("team__name"),
        "led_teams": request.user.led_teams.order_by("name"),
        "token": Token.objects.filter(user=request.user).first(),
    }


@login_required
@require_POST
def account_token(request: HttpRequest) -> HttpResponse:
    """Create or replace the API token: the old key stops working at once."""
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    if request.htmx:
        response = render(request, "identity/account.html#api-token", {"token": token, "new": True})
    else:
        # The key is shown in this page's body only: a redirect would carry it through the
        # messages cookie, where it outlives the page and travels with every request.
        response = render(
            request, "identity/account.html", _account_context(request) | {"new": True}
        )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def account_token_revoke(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    if request.htmx:
        return render(request, "identity/account.html#api-token", {"token": None})
    messages.success(request, "API token revoked.")
    return redirect("identity:account")
