"""The API's OpenAPI schema: what a slug in a path is, and the error statuses each operation
lists, all in common.api_errors' one error shape."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from common.api_errors import ErrorSerializer

# What a slug is (Django's SlugField): the router matches nothing else, so a path parameter
# that can't be a slug is a 404 before it reaches the database (which refuses a NUL in a query).
SLUG = "[-a-zA-Z0-9_]+"

ERRORS = {
    400: "Invalid input or filters: `errors` names each field and what is wrong with it.",
    401: "Not signed in: send a session cookie or `Authorization: Token <key>`.",
    403: "Signed in, but your role doesn't allow this.",
    404: "No such object (or page), or none you may see.",
    409: "Refused by a rule of the object's life cycle: `detail` says which.",
    411: "A chunked body the server can't bound: send a Content-Length.",
    412: "If-Match names a version that is no longer current.",
    413: "The body is larger than the limit `detail` names.",
    415: "The body is in a media type the API doesn't read: send JSON.",
    428: "If-Match is missing: send the ETag of the version you read.",
    429: "Too many requests: wait a little and try again.",
}


def error_responses(*codes: int) -> dict:
    """`extend_schema(responses=...)` entries for the error statuses an operation answers."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERRORS[code]) for code in codes}


class ApiSchema(AutoSchema):
    """The OpenAPI schema of every API view, with the errors each operation can answer.

    Request bodies are JSON. Besides its success response, an operation lists the statuses
    clients must handle, all in common.api_errors' one error shape: 400 (invalid input or filters),
    401 (not signed in), 403 (the role may not), 404 (no such object or page), 415 (a body it
    can't read) and 429 (throttled). An operation adds the others it answers (409, 412, 428)
    with `extend_schema(responses=...)`.
    """

    def map_parsers(self) -> list[str]:
        # The API's contract is JSON: form encodings can't say null or nest lists, so a form
        # body means something other than what the schema describes.
        return ["application/json"]

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code, response in error_responses(*self._error_codes()).items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[int]:
        codes = []
        if self.method != "GET" or self._has_query_parameters():
            codes.append(400)
        if self.get_auth():
            codes += [401, 403]
        if "{" in self.path or self._is_list_view():
            codes.append(404)  # the object, or the page
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append(415)
        if self.view.get_throttles():
            codes.append(429)
        return codes

    def _has_query_parameters(self) -> bool:
        return any(parameter["in"] == "query" for parameter in self._get_parameters())
