"""Each vendor's published signature examples, verified by the code that verifies deliveries."""

from datetime import UTC, datetime

import pytest
import time_machine

from connections import hooks
from connections.models import Source, SourceSecret

GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_PAYLOAD = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STANDARD_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STANDARD_TIMESTAMP = 1614265330
STANDARD_PAYLOAD = b'{"test": 2432232314}'
STANDARD_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def source(kind: str, secret: str) -> Source:
    made = Source.objects.create(slug=kind, name=kind, kind=kind)
    SourceSecret.objects.create(source=made, value=secret)
    return made


def test_github_docs_example_verifies(db):
    github = source("github", GITHUB_SECRET)
    hooks.verify(github, {"X-Hub-Signature-256": GITHUB_SIGNATURE}, GITHUB_PAYLOAD)
    with pytest.raises(hooks.WebhookRefused):
        hooks.verify(github, {"X-Hub-Signature-256": GITHUB_SIGNATURE}, b"Hello, World?")


def test_the_standard_webhooks_test_vector_verifies_at_its_time_only(db):
    generic = source("generic", STANDARD_SECRET)
    headers = {
        "webhook-id": STANDARD_ID,
        "webhook-timestamp": str(STANDARD_TIMESTAMP),
        "webhook-signature": STANDARD_SIGNATURE,
    }
    with time_machine.travel(datetime.fromtimestamp(STANDARD_TIMESTAMP + 10, tz=UTC)):
        hooks.verify(generic, headers, STANDARD_PAYLOAD)
        # A space-separated list of signatures (during the sender's rotation) is taken too.
        rotated = headers | {"webhook-signature": f"v1,bm90LXRoaXM= {STANDARD_SIGNATURE}"}
        hooks.verify(generic, rotated, STANDARD_PAYLOAD)
    with pytest.raises(hooks.WebhookRefused, match="5 minutes"):
        hooks.verify(generic, headers, STANDARD_PAYLOAD)  # today: years too old


def test_jira_and_linear_sign_the_raw_body_as_hex(db):
    """Jira and Linear publish no example; their scheme against Python's own HMAC."""
    import hashlib
    import hmac

    body = b'{"webhookEvent":"jira:issue_updated"}'
    digest = hmac.new(b"a-secret-of-theirs", body, hashlib.sha256).hexdigest()
    jira, linear = source("jira", "a-secret-of-theirs"), source("linear", "a-secret-of-theirs")
    hooks.verify(jira, {"X-Hub-Signature": f"sha256={digest}"}, body)
    hooks.verify(linear, {"Linear-Signature": digest}, body)
    with pytest.raises(hooks.WebhookRefused):
        hooks.verify(jira, {"X-Hub-Signature": digest}, body)  # Jira's prefix is required
    with pytest.raises(hooks.WebhookRefused):
        hooks.verify(linear, {"Linear-Signature": digest.upper()[:10]}, body)
