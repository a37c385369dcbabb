"""Refused writes (401, 403, 405, 429 or a PermissionDenied, on POST, PUT, PATCH or DELETE;
at /scim/ on every method, reads included), recorded as `RefusedWrite` rows, and the client's
address for the audit log's entries.

The middleware writes the record after the view's transaction has ended, so a refusal that
rolls the view back still leaves its record. Repeats of the same refusal (same person,
address, request and answer) within an hour add to one row's `repeats`. An address that is
refused more than REFUSED_WRITES_ANON_RATE times without signing in is answered 429 before any
view runs, and those answers are not recorded one by one: a flood of anonymous writes costs
neither a view nor a row each.

It also gives each of auditlog's entries the client's address as django-axes reads it, not the
forgeable X-Forwarded-For auditlog would take, and keeps the request at hand for the loggers
(`audit.current`).
"""

import ipaddress
import json
import logging
from datetime import timedelta
from http import HTTPStatus

from auditlog.context import auditlog_value
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone

from audit.current import current_request
from audit.models import RefusedWrite
from common import rate_limits
from identity.scim_gate import scim_error
from seams.models import User

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SCIM_PREFIX = "/scim/"
JSON_TYPES = ("application/json", "application/scim+json")
REFUSED_STATUSES = frozenset({401, 403, 405, 429})
# A refused sign-in (django-axes' 429 lockout) is axes' record, not a refused write.
NOT_RECORDED_VIEWS = frozenset({"login"})
_REASON_ATTR = "_audit_refusal_reason"
_VIEW_ATTR = "_audit_view_reached"

# Repeats of one refusal within this long of the first are counted on its row.
REPEAT_WINDOW = timedelta(hours=1)
# What makes two refusals the same one, repeated.
REPEAT_KEY = ("user", "username", "remote_addr", "method", "path", "status", "reason")


class RefusedWriteMiddleware:
    """Records every unsafe request that was refused, after the response is made, and
    throttles addresses whose anonymous writes keep being refused.

    Sits after auditlog's middleware. It also keeps the request at hand for the loggers.
    Recording never breaks a request: a failure is logged and the response goes out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = _remote_addr(request)
        if request.method in UNSAFE_METHODS and _anonymous_refusals_over(request, address):
            return _too_many_refusals(request)
        _trust_address_for_changes(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if _is_refused_write(request, response):
            if not _signed_in(request) and address:
                rate_limits.count(f"refused-anon:{address}", _anonymous_rate())
            record_refusal(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        # An earlier middleware that answers first (CSRF) never lets this run.
        setattr(request, _VIEW_ATTR, True)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        # Django turns it into the 403 that __call__ sees; only the message is lost by then.
        if isinstance(exception, PermissionDenied):
            setattr(request, _REASON_ATTR, str(exception))


def _is_refused_write(request: HttpRequest, response: HttpResponse) -> bool:
    match = getattr(request, "resolver_match", None)
    # SCIM reads hand out people: a refused one is recorded too, whatever the method.
    scim = request.path.startswith(SCIM_PREFIX)
    return (
        (request.method in UNSAFE_METHODS or scim)
        and response.status_code in REFUSED_STATUSES
        and not (match and match.view_name in NOT_RECORDED_VIEWS)
    )


def _signed_in(request: HttpRequest) -> bool:
    # DRF puts the person a token signed in on Django's request too; the SCIM directory is
    # signed in by its token, though it is no person.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _anonymous_rate() -> rate_limits.Rate:
    return rate_limits.Rate.parse(settings.REFUSED_WRITES_ANON_RATE)


def _anonymous_refusals_over(request: HttpRequest, address: str | None) -> bool:
    """Whether this request comes from an address, not signed in, that has been refused more
    writes than the rate allows in the current period."""
    if not address or _signed_in(request):
        return False
    return rate_limits.over(f"refused-anon:{address}", _anonymous_rate())


def _too_many_refusals(request: HttpRequest) -> HttpResponse:
    rate = _anonymous_rate()
    detail = (
        "Too many refused writes from this address without signing in; "
        f"try again in {rate.period} seconds."
    )
    if request.path.startswith(SCIM_PREFIX):
        response: HttpResponse = scim_error(429, detail)
    elif request.path.startswith("/api/"):
        body = {"status": 429, "code": "throttled", "detail": detail}
        response = JsonResponse(body, status=429)
    else:
        response = HttpResponse(render_to_string("429.html", {"message": detail}), status=429)
    response["Retry-After"] = str(rate.period)
    return response


def record_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """Store this refusal: a new RefusedWrite, or one more of the repeats of the same refusal
    within REPEAT_WINDOW (two queries either way). A failure is logged, never raised."""
    try:
        with transaction.atomic():
            refusal = _refusal(request, response)
            now = timezone.now()
            same = (
                RefusedWrite.objects.filter(
                    at__gte=now - REPEAT_WINDOW,
                    **{name: refusal[name] for name in REPEAT_KEY},
                )
                .order_by("-at")
                .values_list("pk", flat=True)
                .first()
            )
            if same is not None:
                RefusedWrite.objects.filter(pk=same).update(repeats=F("repeats") + 1, last_at=now)
            else:
                RefusedWrite.objects.create(**refusal, at=now, last_at=now)
    except Exception:
        log.exception("Could not record the refused %s %s", request.method, request.path)


def _refusal(request: HttpRequest, response: HttpResponse) -> dict:
    user = getattr(request, "user", None)
    signed_in = isinstance(user, User) and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    return {
        "user": user if signed_in else None,
        "username": user.get_username() if signed_in else "",
        "remote_addr": _remote_addr(request),
        "method": request.method[:10],
        "path": request.path[:500],
        "view_name": (match.view_name if match else "")[:200],
        "target": {name: str(value)[:200] for name, value in match.kwargs.items()} if match else {},
        "status": response.status_code,
        "reason": refusal_reason(request, response)[:500],
    }


def _remote_addr(request: HttpRequest) -> str | None:
    """The client's address as the sign-in throttle (django-axes) reads it, so that the two
    records agree; None if it is not an address at all."""
    address = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _trust_address_for_changes(request: HttpRequest) -> None:
    """Give auditlog's entries for this request the address `_remote_addr` trusts.

    auditlog's middleware takes the left-most X-Forwarded-For, which any client can write
    (and which PostgreSQL refuses to store when it is not an address, failing the write).
    Its context for the request is a dict read when each entry is saved, so it is corrected
    in place.
    """
    context = auditlog_value.get(None)
    if isinstance(context, dict) and "remote_addr" in context:
        context["remote_addr"] = (
            None if settings.AUDITLOG_DISABLE_REMOTE_ADDR else _remote_addr(request)
        )


def refusal_reason(request: HttpRequest, response: HttpResponse) -> str:
    """Why the write was refused, in the words of whatever refused it."""
    reason = getattr(request, _REASON_ATTR, "")
    if reason:
        return reason
    data = getattr(response, "data", None)  # a DRF response: its error body
    if isinstance(data, dict) and data.get("detail"):
        return str(data["detail"])
    if not response.streaming and response.get("Content-Type", "").startswith(JSON_TYPES):
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("detail"):
            return str(body["detail"])
    if response.status_code == 403 and not getattr(request, _VIEW_ATTR, False):
        return "CSRF check failed."
    if response.status_code == 405 and response.get("Allow"):
        return f"{request.method} is not allowed here (allowed: {response['Allow']})."
    return HTTPStatus(response.status_code).phrase
