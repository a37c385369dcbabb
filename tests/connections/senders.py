"""Deliveries as each vendor sends them: their payloads (fixtures/) and signatures, computed
here independently of connections.hooks, posted through the real URL."""

import base64
import copy
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.test import Client
from django.urls import reverse

from connections.models import Delivery, MappingRule, Source, SourceSecret
from seams.models import Handoff, HandoffReturn

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "s3cret-shared-with-the-tool"
WHSEC = "whsec_" + base64.b64encode(b"a-standard-webhooks-secret-24b").decode()


def fixture(name: str) -> dict:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))


def make_source(kind: str, *, slug: str | None = None, seam=None, secret=None, **fields) -> Source:
    source = Source.objects.create(slug=slug or kind, name=kind.title(), kind=kind, **fields)
    default = WHSEC if kind == "generic" else SECRET
    SourceSecret.objects.create(source=source, value=secret or default)
    if seam is not None:
        MappingRule.objects.create(source=source, position=0, field="any", seam=seam)
    return source


def _hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def jira_headers(body: bytes, *, secret=SECRET, identifier=None) -> dict:
    headers = {"HTTP_X_HUB_SIGNATURE": f"sha256={_hex(secret, body)}"}
    if identifier is not False:
        headers["HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER"] = identifier or str(uuid.uuid4().int)[:12]
    return headers


def github_headers(body: bytes, *, event="issues", secret=SECRET, delivery=None) -> dict:
    return {
        "HTTP_X_HUB_SIGNATURE_256": f"sha256={_hex(secret, body)}",
        "HTTP_X_GITHUB_EVENT": event,
        "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4()),
        "HTTP_X_GITHUB_HOOK_ID": "109948940",
    }


def linear_headers(body: bytes, *, secret=SECRET, delivery=None, event="Issue") -> dict:
    return {
        "HTTP_LINEAR_SIGNATURE": _hex(secret, body),
        "HTTP_LINEAR_DELIVERY": delivery or str(uuid.uuid4()),
        "HTTP_LINEAR_EVENT": event,
    }


def standard_headers(body: bytes, *, secret=WHSEC, msg_id=None, at: float | None = None) -> dict:
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    stamp = str(int(time.time() if at is None else at))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": stamp,
        "HTTP_WEBHOOK_SIGNATURE": "v1," + base64.b64encode(signed).decode(),
    }


def legacy_headers(body: bytes, *, secret=SECRET, at: float | None = None, delivery="") -> dict:
    stamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {"HTTP_X_SEAMLINE_TIMESTAMP": stamp, "HTTP_X_SEAMLINE_SIGNATURE": f"sha256={digest}"}
    if delivery:
        headers["HTTP_X_SEAMLINE_DELIVERY"] = delivery
    return headers


def body_of(payload) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


def post(slug: str, body: bytes, headers: dict, *, content_type="application/json"):
    return Client().post(
        reverse("handoff-webhook", args=[slug]), body, content_type=content_type, **headers
    )


def now_ms() -> int:
    return int(time.time() * 1000)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def written() -> tuple[int, int, int]:
    """What a refused delivery must leave as it was: handoffs, their returns, deliveries."""
    return Handoff.objects.count(), HandoffReturn.objects.count(), Delivery.objects.count()
