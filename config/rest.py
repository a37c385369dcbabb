"""The REST API's pagination and error bodies (the router is in config/api.py).

Every error the API returns has the same shape, whatever raised it:

    {"status": 400, "code": "invalid", "detail": "One or more fields are invalid.",
     "errors": {"name": ["This field is required."]}}

`errors` is present only for validation errors and mirrors the input's structure.
"""

from typing import Any

from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def error_body(*, status_code: int, code: str, detail: str, errors: Any = None) -> dict:
    body = {"status": status_code, "code": code, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handler answers (as JSON under /api/)
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
