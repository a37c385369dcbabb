"""The signed-in person's account page (their teams, roles and API token), and the directory
groups page: what the identity provider's groups grant in Seamline."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from identity.forms import GroupMappingForm
from identity.models import DirectoryAccount, DirectoryGroup, GroupMapping
from identity.services import resync_everyone
from seams import permissions


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


# --- Directory groups: what the identity provider's groups grant ----------------------------


def _groups_context(request: HttpRequest, form: GroupMappingForm | None = None) -> dict:
    mappings = list(GroupMapping.objects.for_page())
    mapped = {m.group.casefold() for m in mappings}
    directory = list(
        DirectoryGroup.objects.annotate(people=Count("members", filter=Q(members__is_active=True)))
        .order_by(Lower("display_name"))
        .values("display_name", "people")
    )
    for group in directory:
        group["mapped"] = group["display_name"].casefold() in mapped
    return {
        "mappings": mappings,
        "directory_groups": directory,
        "known_groups": sorted({g["display_name"] for g in directory}, key=str.casefold),
        "form": form or GroupMappingForm(),
        "can_edit": permissions.is_leader(request.user),
        "sign_in": sign_in_status(),
    }


def sign_in_status() -> dict:
    """How people sign in here, read from the settings, for the page to state plainly."""
    return {
        "sso": bool(
            getattr(settings, "OIDC_ISSUER", "") and getattr(settings, "OIDC_CLIENT_ID", "")
        ),
        "issuer": getattr(settings, "OIDC_ISSUER", ""),
        "groups_claim": getattr(settings, "OIDC_GROUPS_CLAIM", "groups"),
        "passwords": getattr(settings, "PASSWORD_LOGIN", True),
        "scim": bool(getattr(settings, "SCIM_TOKEN", "")),
        "provisioned": DirectoryAccount.objects.filter(scim_provisioned=True).count(),
    }


@login_required
@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/groups.html", _groups_context(request))


def _require_leader(request: HttpRequest) -> None:
    if not permissions.is_leader(request.user):
        raise PermissionDenied("Only leaders change what the identity provider's groups grant.")


def _after_change(request: HttpRequest, message: str, changed: int) -> HttpResponse:
    if changed:
        message += f" {changed} {'person' if changed == 1 else 'people'} updated."
    if request.htmx:
        context = _groups_context(request) | {"notice": message}
        return render(request, "identity/groups.html#mappings", context)
    messages.success(request, message)
    return redirect("identity:groups")


@login_required
@require_POST
def group_mapping_add(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    form = GroupMappingForm(request.POST)
    if not form.is_valid():
        context = _groups_context(request, form)
        template = "identity/groups.html#mappings" if request.htmx else "identity/groups.html"
        return render(request, template, context, status=400)
    mapping = form.cleaned_data["mapping"]
    mapping.save()
    changed = resync_everyone()
    return _after_change(request, f"“{mapping.group}” now grants {mapping.grants}.", changed)


@login_required
@require_POST
def group_mapping_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_leader(request)
    mapping = get_object_or_404(GroupMapping.objects.select_related("team"), pk=pk)
    text = f"“{mapping.group}” no longer grants {mapping.grants}."
    mapping.delete()
    changed = resync_everyone(removed=mapping)
    return _after_change(request, text, changed)
