"""The door of /scim/v2/ (django-scim2's AUTH_CHECK_MIDDLEWARE): the directory's bearer
token, a body that is one sane JSON object, and the audit log naming the SCIM directory."""

import hmac
import json
from collections.abc import Callable
from typing import Any

from auditlog.context import auditlog_value
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django_scim import constants

DIRECTORY = "SCIM directory"
CONTENT_TYPES = ("application/scim+json", "application/json")
MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 8


class DirectoryClient:
    """The SCIM directory, signed in by its bearer token: no person, no password, no rights
    anywhere else (it exists only for the length of one SCIM request)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    username = DIRECTORY

    def __str__(self) -> str:
        return DIRECTORY

    def get_username(self) -> str:
        return DIRECTORY

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_perms(self, perms: list[str], obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


def scim_error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    body: dict[str, Any] = {"schemas": [constants.SchemaURI.ERROR], "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    return HttpResponse(json.dumps(body), status=status, content_type=constants.SCIM_CONTENT_TYPE)


def bearer_token_valid(request: HttpRequest) -> bool:
    expected = settings.SCIM_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


class ScimGate:
    """Wraps every SCIM view (django-scim2's AUTH_CHECK_MIDDLEWARE): a 401 without the
    directory's token (a signed-in person's session is no token), a clear 4xx for a body that
    is not one JSON object, and on any error answer nothing the view wrote is kept."""

    def __init__(self, get_response: Callable[..., HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.SCIM_TOKEN:
            return self._unauthorized("SCIM provisioning is turned off (no SCIM_TOKEN is set).")
        if not bearer_token_valid(request):
            return self._unauthorized("A valid bearer token is required.")
        refusal = check_body(request)
        if refusal is not None:
            return refusal
        request.user = DirectoryClient()
        name_directory_in_audit_log()
        response = self.get_response(request, *args, **kwargs)
        if response.status_code >= 400 and transaction.get_connection().in_atomic_block:
            transaction.set_rollback(True)
        return response

    @staticmethod
    def _unauthorized(detail: str) -> HttpResponse:
        response = scim_error(401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="Seamline SCIM"'
        return response


def name_directory_in_audit_log() -> None:
    """Entries of this request name the SCIM directory, not whoever's session came along."""
    context = auditlog_value.get(None)
    if isinstance(context, dict):
        context["actor"] = None
        context["actor_email"] = DIRECTORY
        context["additional_data"] = {"source": "scim"}


def _answers(request: HttpRequest) -> bool:
    """Whether the view will read this request's body (it takes the method at all)."""
    view_class = getattr(getattr(request.resolver_match, "func", None), "view_class", None)
    if view_class is None:
        return False
    initkwargs = getattr(request.resolver_match.func, "view_initkwargs", {})
    return initkwargs.get("implemented", True) and (
        request.method.lower() in view_class.http_method_names
    )


def check_body(request: HttpRequest) -> HttpResponse | None:
    """A 4xx for a write whose body is not one JSON object of sane size and depth."""
    if request.method not in ("POST", "PUT", "PATCH") or not _answers(request):
        return None
    too_big = scim_error(413, f"The body is larger than {MAX_BODY_BYTES} bytes.", "tooMany")
    try:
        raw = request.body  # Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE
    except RequestDataTooBig:
        return too_big
    if not raw:
        return scim_error(400, "The body is empty: send a JSON object.", "invalidSyntax")
    if request.content_type not in CONTENT_TYPES:
        return scim_error(415, "Send the body as application/scim+json.", "invalidSyntax")
    if len(raw) > MAX_BODY_BYTES:
        return too_big
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return scim_error(400, "The body is not UTF-8 text.", "invalidSyntax")
    except (ValueError, RecursionError):
        return scim_error(400, "The body is not valid JSON.", "invalidSyntax")
    if not isinstance(body, dict) or not body:
        return scim_error(400, "The body must be a JSON object.", "invalidSyntax")
    problem = _shape_problem(body, depth=0)
    if problem:
        return scim_error(400, problem, "invalidValue")
    return None


def _shape_problem(value: Any, *, depth: int) -> str:
    if depth > MAX_DEPTH:
        return f"The body is nested more than {MAX_DEPTH} levels deep."
    if isinstance(value, str):
        return "Text can't contain NUL characters (\\0)." if "\x00" in value else ""
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return ""
    for item in items:
        problem = _shape_problem(item, depth=depth + 1)
        if problem:
            return problem
    return ""
