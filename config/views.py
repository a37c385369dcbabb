"""Project-wide views: health, the API docs, the sign-in lockout page, and error pages that
answer JSON under /api/. Error pages show the request's id, never a traceback."""

import hashlib
import logging
import time

import redis
from axes.helpers import get_client_username, get_cool_off
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularSwaggerSplitView

from common import rate_limits
from common.api_errors import error_body, server_error_body
from config.middleware import client_address

log = logging.getLogger(__name__)


def _timed(check) -> dict:
    started = time.perf_counter()
    result = check()
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "in-process"}
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "mode": "redis", "error": type(exc).__name__}
    finally:
        client.close()
    return {"ok": True, "mode": "redis"}


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests  # a dead database must give 503, not fail opening a transaction
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability for load balancers and compose health checks."""
    checks = {"database": _timed(_check_database), "broker": _timed(_check_broker)}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        body = error_body(status_code=404, code="not_found", detail="Not found.")
        return JsonResponse(body, status=404)
    if not request.user.is_authenticated:
        # Anonymous visitors see only the sign-in page, not which addresses exist.
        return redirect_to_login(request.get_full_path())
    return defaults.page_not_found(request, exception)


def _bare_error(request: HttpRequest, body: dict) -> HttpResponse:
    """An error the page shell may not survive: JSON under /api/, else `<status>.html` rendered
    without the context processors, which may touch the very thing that failed (or, for a
    request this malformed, never get far enough to work). Both carry the request's id."""
    status = body["status"]
    if _wants_json(request):
        return JsonResponse(body, status=status)
    page = loader.get_template(f"{status}.html").render(
        {"request_id": body.get("request_id"), "message": body.get("message", "")}
    )
    return HttpResponse(page, status=status)


def _request_id(request: HttpRequest) -> str:
    # Absent only when the request never passed RequestIdMiddleware (a test's bare request).
    return getattr(request, "request_id", "")


@login_not_required
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Our own BadRequest says what was wrong, for people; Django's SuspiciousOperation
    # messages are for the logs only.
    told = str(exception) if type(exception) is BadRequest else ""
    body = error_body(
        status_code=400,
        code="bad_request",
        detail=told or "Bad request.",
        request_id=_request_id(request),
    )
    if _wants_json(request):
        return JsonResponse(body, status=400)
    return _bare_error(request, body | {"message": told})


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    return _bare_error(request, server_error_body(_request_id(request)))


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        body = error_body(
            status_code=403, code="csrf_failed", detail=f"CSRF check failed: {reason}"
        )
        return JsonResponse(body, status=403)
    return render(request, "403_csrf.html", status=403)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """django-axes' answer to a sign-in from a locked-out username and address.

    Every refused attempt restarts the cool-off, so "now plus the cool-off" is when it ends.
    """
    cool_off = get_cool_off(request)
    response = render(
        request,
        "registration/locked_out.html",
        {
            "username": get_client_username(request, credentials),
            "retry_at": timezone.now() + cool_off,
            "minutes": round(cool_off.total_seconds() / 60),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


# Swagger UI's page has one inline <style> block, allowed by its hash (tests check it still
# matches); its start-up script is served from the same URL (?script), so scripts stay 'self'.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
_swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api-schema")


@csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})
def api_docs(request: HttpRequest) -> HttpResponse:
    return _swagger_ui(request)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, rate limited: PASSWORD_RESET_RATE requests per address (then
    429), and as many emails per address asked for (further requests get the usual answer,
    without an email, so that whether an address has an account stays private). Off, with
    a page that says so, when PASSWORD_LOGIN is off."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PASSWORD_LOGIN:
            return render(request, "registration/password_reset_off.html", status=404)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        rate = rate_limits.Rate.parse(settings.PASSWORD_RESET_RATE)
        address = client_address(request) or "unknown"
        if rate_limits.count(f"password-reset:{address}", rate) > rate.limit:
            form = self.get_form()
            form.add_error(
                None,
                "Too many reset requests from here. Wait an hour, or ask your Seamline "
                "administrator to reset your password.",
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(rate.period)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        rate = rate_limits.Rate.parse(settings.PASSWORD_RESET_RATE)
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        if rate_limits.count(f"password-reset-email:{digest}", rate) > rate.limit:
            log.warning("Password reset not sent: too many requests for one address")
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
