"""The API's JSON parser, with bounds. Its own module: DRF reads DEFAULT_PARSER_CLASSES when
`rest_framework.views` is first imported, so this must not import that module
(common.api_errors does, for the exception handler)."""

from django.conf import settings
from rest_framework import exceptions, parsers, status

from common.json_input import JsonRefused, parse_json


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"
    return f"The request body is over {size}: send less at once (fewer rows per request)."


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with bounds: a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is 413
    (DRF reads the stream itself, past Django's own check), and deep nesting, NaN, NUL
    characters and over-long numbers are a 400 with a message (common.json_input)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(too_large_message())
        try:
            return parse_json(body)
        except JsonRefused as exc:
            raise exceptions.ParseError(str(exc)) from exc
