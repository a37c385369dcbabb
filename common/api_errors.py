"""The REST API's error contract: its one body, the schema of that body, and the exception
handler (REST_FRAMEWORK's EXCEPTION_HANDLER) that answers every error with it.

Every error the API returns has the same shape, whatever raised it:

    {"status": 400, "code": "invalid", "detail": "One or more fields are invalid.",
     "errors": {"name": ["This field is required."]}}

`errors` is present only for validation errors and mirrors the input's structure. An
unexpected error answers 500 with `request_id`, the key to its traceback in the logs, and
never the traceback itself.
"""

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.utils.log import log_response
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from common.parsers import RequestTooLarge, too_large_message


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error the API answers (error_body), for the schema."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text="A stable, machine-readable reason.")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    errors = serializers.JSONField(
        required=False,
        help_text="Validation errors only: the input's structure, with messages per field.",
    )
    request_id = serializers.CharField(
        required=False, help_text="Server errors only: quote it when reporting the problem."
    )


def error_body(
    *, status_code: int, code: str, detail: str, errors: Any = None, request_id: str = ""
) -> dict:
    body = {"status": status_code, "code": code, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    if request_id:
        body["request_id"] = request_id
    return body


def server_error_body(request_id: str) -> dict:
    """What an unexpected error answers, in the API and on the site's JSON 500 page."""
    return error_body(
        status_code=500,
        code="server_error",
        detail="Something went wrong on our side.",
        request_id=request_id,
    )


def _server_error(exc: Exception, context: dict) -> Response:
    request = context["request"]._request  # Django's request, which has the id
    response = Response(
        server_error_body(getattr(request, "request_id", "")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
    # The view's writes are undone, as when the exception reaches Django itself.
    set_rollback()
    # Logged as Django logs its own 500s (traceback included, once), under the request's id.
    log_response(
        "Internal Server Error: %s", request.path, response=response, request=request, exception=exc
    )
    return response


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # Django's own check, when DRF reads the body
        exc = RequestTooLarge(too_large_message())
    elif isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body
        exc = exceptions.ParseError("The request body can't be read.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict | list) else [exc.detail]
        response.data = error_body(
            status_code=response.status_code,
            code="invalid",
            detail="One or more fields are invalid.",
            errors=errors,
        )
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = error_body(
            status_code=response.status_code,
            code=codes if isinstance(codes, str) else "error",
            detail=str(exc.detail),
        )
        return response
    # Http404 and PermissionDenied from Django, converted by DRF.
    response.data = error_body(
        status_code=response.status_code,
        code="not_found" if response.status_code == status.HTTP_404_NOT_FOUND else "denied",
        detail=str(response.data.get("detail", "")),
    )
    return response
