"""Each channel's payload in its vendor's documented shape, checked with the vendor's own
tools: slack-sdk's Block Kit models, the official Adaptive Card schema, the Standard Webhooks
library's verify."""

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from slack_sdk.models.blocks import Block
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from connections import outbound_payloads as payloads
from connections.models import Notification

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "adaptive-card-1.5.json").read_text())
HOSTILE = "Ship <b>now</b> & \r\nBcc: evil@example.com \x00 <@U123> <!channel>"


def notification(**fields) -> Notification:
    values = {
        "pk": 7,
        "kind": "handoff.breached",
        "title": "Breached: Custom integration brief",
        "text": "Not started by its response deadline.",
        "link": "/seams/sales-product/",
        "facts": {"Seam": "Sales → Product", "Response due": "Tue 3 Mar 10:00"},
        "created_at": datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
    }
    return Notification(**(values | fields))


def adaptive_card_errors(card: dict) -> list[str]:
    validator = jsonschema.Draft6Validator(SCHEMA)
    return [error.message for error in validator.iter_errors(card)]


def test_the_committed_schema_is_a_valid_schema_that_refuses_bad_cards():
    jsonschema.Draft6Validator.check_schema(SCHEMA)
    card = payloads.adaptive_card(notification())
    broken = card | {"body": [{"type": "TextBlock", "weight": "Heaviest", "text": "x"}]}
    assert adaptive_card_errors(broken)


@pytest.mark.parametrize("fields", [{}, {"title": HOSTILE, "text": HOSTILE}, {"link": ""}])
def test_it_sends_teams_an_adaptive_card_the_official_schema_accepts(fields):
    payload = payloads.teams_payload(notification(**fields))
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["version"] == "1.5"
    assert adaptive_card_errors(card) == []
    assert "\r" not in card["body"][0]["text"]


def test_it_links_the_card_to_seamline(settings):
    card = payloads.adaptive_card(notification())
    assert card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open in Seamline",
            "url": "https://seamline.example.com/seams/sales-product/",
        }
    ]
    facts = next(part for part in card["body"] if part["type"] == "FactSet")["facts"]
    assert {"title": "Seam", "value": "Sales → Product"} in facts


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"title": HOSTILE, "text": HOSTILE},
        {"title": "x" * 5000, "text": "y" * 10000},
        {"facts": {f"Fact {n}": "z" * 5000 for n in range(30)}},
    ],
)
def test_it_sends_slack_block_kit_that_slack_sdk_validates(fields):
    payload = payloads.slack_payload(notification(**fields))
    assert payload["text"]  # the fallback for notifications
    for data in payload["blocks"]:
        block = Block.parse(data)  # slack-sdk's own model of the block
        assert block.to_dict() == data  # to_dict() validates the block's limits
    kinds = [block["type"] for block in payload["blocks"]]
    assert kinds[0] == "header"
    assert len(payload["blocks"][0]["text"]["text"]) <= 150


def test_slack_text_escapes_its_markup_so_no_one_is_pinged():
    payload = payloads.slack_payload(notification(text=HOSTILE))
    section = payload["blocks"][1]["text"]["text"]
    assert "<!channel>" not in section
    assert "&lt;!channel&gt;" in section
    assert "&amp;" in section


def test_a_standard_webhook_verifies_with_the_librarys_own_verify():
    secret = payloads.new_secret()
    at = datetime.now(UTC)
    body, headers = payloads.signed_webhook(
        notification(), secret=secret, message_id="msg_1", at=at
    )
    data = Webhook(secret).verify(body, headers)
    assert data["type"] == "handoff.breached"
    assert data["data"]["title"] == "Breached: Custom integration brief"
    assert data["data"]["link"] == "https://seamline.example.com/seams/sales-product/"
    with pytest.raises(WebhookVerificationError):
        Webhook(payloads.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"Breached", b"Fine"), headers)


def test_a_new_secret_is_whsec_and_base64():
    secret = payloads.new_secret()
    assert secret.startswith("whsec_")
    assert len(secret) > 30
    assert secret != payloads.new_secret()


def test_email_has_text_and_html_and_a_safe_subject():
    parts = payloads.email_parts(notification(title=HOSTILE, text=HOSTILE))
    assert "\n" not in parts["subject"]
    assert "\r" not in parts["subject"]
    assert parts["subject"].startswith("Seamline: ")
    assert "<b>now</b>" not in parts["html"]
    assert "&lt;b&gt;now&lt;/b&gt;" in parts["html"]
    assert "Open in Seamline: https://seamline.example.com/seams/sales-product/" in parts["text"]
