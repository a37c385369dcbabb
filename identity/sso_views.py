"""Signing in and out: the sign-in page, single sign-on's two steps (off to the identity
provider, and back), and signing out, through the provider's end-session page when it has one.

The protocol is mozilla-django-oidc's views; these add the endpoints from discovery, a page
that says why a sign-in was refused (never an error page, nobody signed in), and the
`identity.signals` the audit log records.
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from identity.forms import SignInForm
from identity.oidc import REFUSALS, ProviderUnavailable, SignInRefused, discovery, sso_enabled
from identity.signals import sso_refused, sso_signed_in

log = logging.getLogger(__name__)

# The longest text of the provider's own error shown on the refusal page.
PROVIDER_DETAIL_LENGTH = 300


class SignInView(LoginView):
    """The sign-in page: the password form (unless PASSWORD_LOGIN is off) and, when single
    sign-on is set up, its button."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        sso = sso_enabled()
        context["sso_enabled"] = sso
        # Without single sign-on the form stays, or nobody could sign in.
        context["password_form_shown"] = settings.PASSWORD_LOGIN or not sso
        context["password_login"] = settings.PASSWORD_LOGIN
        if sso:
            query = urlencode({"next": context.get("next") or ""})
            context["sso_url"] = f"{reverse('identity:oidc-authenticate')}?{query}"
        return context


def refuse(
    request: HttpRequest,
    reason: str,
    *,
    detail: str = "",
    email: str = "",
    subject: str = "",
    user=None,
    started_here: bool = True,
) -> HttpResponse:
    """The refusal page: what went wrong and the way back. Whoever was signed in in this
    browser is signed out, so a failed sign-in never leaves anyone signed in. Only a sign-in
    that started here (its state checked out) is announced for the audit log: anyone can send
    a made-up callback, and each would otherwise be a row."""
    status, title, advice = REFUSALS[reason]
    if reason != "not_configured" and request.user.is_authenticated:
        auth.logout(request)
    # The library keeps the ID token before the person is found: a refused one goes.
    request.session.pop("oidc_id_token", None)
    if reason != "not_configured" and started_here:
        sso_refused.send(
            sender=SingleSignOnCallback,
            request=request,
            reason=reason,
            issuer=settings.OIDC_ISSUER,
            subject=subject,
            email=email,
            user=user,
        )
    context = {"title": title, "advice": advice, "detail": detail[:PROVIDER_DETAIL_LENGTH]}
    return render(request, "identity/sso_refused.html", context, status=status)


@method_decorator([login_not_required, never_cache], name="dispatch")
class SingleSignOnStart(OIDCAuthenticationRequestView):
    """Off to the identity provider, with a new state, nonce and PKCE challenge."""

    def __init__(self, **kwargs) -> None:
        # The endpoint comes from discovery, in get(): not the library's settings.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return refuse(request, "not_configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except ProviderUnavailable as error:
            log.warning("Single sign-on not started: %s", error)
            return refuse(request, "unavailable", started_here=False)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response = super().get(request)
        if "\x00" in (request.session.get("oidc_login_next") or ""):
            request.session["oidc_login_next"] = None  # no page has such an address
        return response


@method_decorator([login_not_required, never_cache], name="dispatch")
class SingleSignOnCallback(OIDCAuthenticationCallbackView):
    """Back from the identity provider: check the state, exchange the code (with the PKCE
    verifier), verify the ID token (signature, issuer, audience, nonce), then find the person."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return refuse(request, "not_configured")
        state = request.GET.get("state")
        states = request.session.get("oidc_states")
        started_here = isinstance(states, dict) and state in states
        if request.GET.get("error"):
            super().get(request)  # forgets the state, so the answer can't be replayed
            detail = request.GET.get("error_description") or request.GET.get("error")
            return refuse(request, "provider_error", detail=detail, started_here=started_here)
        if not request.GET.get("code") or not started_here:
            return refuse(request, "bad_state", started_here=False)
        if "iss" in request.GET and request.GET["iss"] != settings.OIDC_ISSUER:
            # RFC 9207: an answer from another provider than the one asked (a mix-up).
            del states[state]
            request.session.modified = True
            return refuse(request, "bad_state")
        self.identity = None
        try:
            response = super().get(request)
        except SignInRefused as refusal:
            return refuse(
                request,
                refusal.reason,
                email=refusal.email,
                subject=refusal.subject,
                user=refusal.user,
            )
        except ProviderUnavailable as error:
            log.warning("Single sign-on not finished: %s", error)
            return refuse(request, "unavailable")
        except requests.HTTPError as error:
            log.warning("The identity provider refused the code: %s", error)
            return refuse(request, "provider_error", detail=_provider_error(error))
        except requests.RequestException as error:
            log.warning("The identity provider could not be reached: %s", error)
            return refuse(request, "unavailable")
        except (SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError, TypeError) as error:
            log.warning("The identity provider's answer was not accepted: %r", error)
            return refuse(request, "bad_token")
        if self.identity is None:
            return refuse(request, "bad_token")
        return response

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        identity = getattr(self.user, "sso_identity", None)
        self.identity = identity
        sso_signed_in.send(
            sender=type(self),
            request=self.request,
            user=self.user,
            issuer=settings.OIDC_ISSUER,
            subject=identity.subject if identity else "",
            groups=identity.groups if identity else None,
        )
        return response


def _provider_error(error: requests.HTTPError) -> str:
    """The provider's own words from a refused token request (RFC 6749 5.2), if it sent any."""
    try:
        body = error.response.json()
    except (AttributeError, ValueError):
        return ""
    if not isinstance(body, dict):
        return ""
    text = body.get("error_description") or body.get("error") or ""
    return text if isinstance(text, str) else ""


@never_cache
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the Seamline session; then, for a single sign-on whose provider has an
    end-session endpoint, end the provider's session too, which sends the person back to
    the sign-in page."""
    target = resolve_url(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if id_token and sso_enabled():
        try:
            endpoint = discovery().get("end_session_endpoint")
        except ProviderUnavailable:
            endpoint = None
        if isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")):
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "post_logout_redirect_uri": request.build_absolute_uri(target),
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                }
            )
            target = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
    auth.logout(request)
    return redirect(target)
