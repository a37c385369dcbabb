"""POST /api/v1/hooks/handoffs/<source>/: deliveries from Jira, GitHub, Linear and senders of
Seamline's JSON (see connections.hooks for how each is verified)."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api_errors import error_body
from common.schema import ApiSchema, error_responses
from connections.hooks import WebhookRefused, read_body, receive
from connections.models import Source
from seams.serializers import HandoffRowSerializer

WEBHOOK_CODES = {
    401: "unauthorized",
    411: "length_required",
    413: "too_large",
    415: "unsupported_media_type",
}
DESCRIPTION = """A delivery from an inbound source, verified as its vendor signs it:
Jira `X-Hub-Signature: sha256=<hex>`; GitHub `X-Hub-Signature-256`; Linear `Linear-Signature`
with `webhookTimestamp` within 60 s; Seamline's JSON (one handoff or a list) by Standard
Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).

**Deprecated:** `X-Seamline-Timestamp` and `X-Seamline-Signature` (HMAC-SHA256 of
"<timestamp>.<body>") still work for existing senders; use Standard Webhooks instead.

The delivery is stored and answered at once (202); it is applied in the background. A
duplicate or an event that is not about an issue answers 200 and changes nothing."""


class HandoffWebhook(APIView):
    schema = ApiSchema()
    authentication_classes = []  # the signature is the authentication
    permission_classes = [drf_permissions.AllowAny]
    throttle_classes = []
    parser_classes = [JSONParser]  # the schema says JSON only; the body is read raw

    @extend_schema(
        # Seamline's own JSON (the generic kind); vendors send their documented payloads.
        request=HandoffRowSerializer(many=True),
        description=DESCRIPTION,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Duplicate or ignored."),
            202: OpenApiResponse(OpenApiTypes.OBJECT, description="Received; applied soon."),
            **error_responses(400, 401, 404, 411, 413, 415),
        },
        auth=[],
    )
    def post(self, request, source: str) -> Response:
        hook = Source.for_delivery(source)
        if hook is None:
            return Response(
                error_body(
                    status_code=404,
                    code="not_found",
                    detail=f"No active webhook source “{source}”.",
                ),
                status=404,
            )
        try:
            # The raw bytes the signature covers, read before any parsing and only if small.
            body = read_body(request._request, limit=settings.WEBHOOK_MAX_BYTES)
            received = receive(hook, request.headers, body)
        except WebhookRefused as refused:
            code = WEBHOOK_CODES.get(refused.status, "refused")
            return Response(
                error_body(
                    status_code=refused.status,
                    code=code,
                    detail=str(refused),
                    errors=refused.errors,
                ),
                status=refused.status,
            )
        return Response(received.body, status=received.status)
