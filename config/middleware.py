"""What we know about where a request comes from: its id and its client's address.

A request id for every request: on the response, on every log line, on every error page.

A visitor who reports "Reference: 3f2a…" from an error page gives us the key to the log lines
of that very request. An id set by the proxy in front (X-Request-ID) is kept, so one id
follows the request through both logs; anything that does not look like an id is replaced.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# The current request's id for log records made where the request is out of reach.
_current_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_from(request)
        token = _current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives each log record a `request_id` attribute, for the `%(request_id)s` format."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs some responses after the middleware has returned, but passes the
        # request along with the record.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _current_request_id.get()
        return True


def client_address(request: HttpRequest) -> str | None:
    """The client's address, as seen by the outermost of PROXY_COUNT proxies.

    Each proxy appends the address it saw to X-Forwarded-For, so the PROXY_COUNT-th entry from
    the right is the client's; entries further left are whatever the client sent, and forged
    ones change nothing. Sign-in lockout counts failures per address with this (as the API's
    throttles do, with DRF's NUM_PROXIES set to the same count).
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.PROXY_COUNT and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(settings.PROXY_COUNT, len(addresses))]
    return request.META.get("REMOTE_ADDR")


class RefuseNulMiddleware:
    """A NUL character in a query string or a form field is a clear 400, before any view.

    No text a person types holds one, PostgreSQL can store none (a filter or a write with one
    fails deep inside the view), and Django's form fields refuse it only where a form is used.
    Uploaded files are not looked at: a file's bytes are the import's to judge. JSON bodies
    are checked by the API's parser (common.json_input). Requests from no one signed in go on,
    to be refused sign-in first, as any of theirs would be.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            _holds_nul(request.GET)
            or (
                request.method == "POST"
                and request.content_type
                in ("application/x-www-form-urlencoded", "multipart/form-data")
                and _holds_nul(request.POST)
            )
        ) and _signed_in(request):
            raise BadRequest("Text can't contain NUL characters (\\0); nothing was changed.")
        return self.get_response(request)


def _signed_in(request: HttpRequest) -> bool:
    """Whether the request comes from someone signed in, by session or by API token. Anyone
    else is answered by sign-in first (a 401, or the sign-in page), as for any request; the
    forms they may use (sign-in, password reset) refuse NUL themselves."""
    if request.user.is_authenticated:
        return True
    if not request.path.startswith("/api/"):
        return False
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    try:  # a query only for a request with NUL in it
        return TokenAuthentication().authenticate(request) is not None
    except AuthenticationFailed:
        return False


def _holds_nul(query: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )
