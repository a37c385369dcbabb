"""What each channel receives for a notification, in the vendor's documented shape.

- Slack incoming webhooks: `{"text": fallback, "blocks": [...]}`, the blocks built with
  slack-sdk's Block Kit models (which check Slack's limits as they serialise).
- Microsoft Teams Workflows ("Post to a channel when a webhook request is received"): a
  message with one attachment holding an Adaptive Card 1.5.
- Standard Webhooks: `{"type", "timestamp", "data"}`, signed as the specification says.
- Email: a text and an HTML alternative, rendered from templates, the subject made safe.

Everything here is computed from the notification alone: no network, no writes.
"""

import base64
import json
import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from standardwebhooks import Webhook

from common.mail import header_text
from connections.models import Notification

ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_FACTS = 10  # a Slack section holds at most 10 fields
MAX_FACT = 200


def absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL.rstrip("/") + link


def _facts(notification: Notification) -> list[tuple[str, str]]:
    return [
        (header_text(name, max_length=60), header_text(value, max_length=MAX_FACT))
        for name, value in list(notification.facts.items())[:MAX_FACTS]
        if value not in (None, "")
    ]


def slack_escape(text: str) -> str:
    """Slack's mrkdwn reads &, < and > as markup: escaped as its docs say."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_blocks(notification: Notification) -> list:
    title = header_text(notification.title, max_length=150)
    blocks = [HeaderBlock(text=PlainTextObject(text=title, emoji=False))]
    if notification.text:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=slack_escape(notification.text[:2900])))
        )
    facts = _facts(notification)
    if facts:
        blocks.append(
            SectionBlock(
                fields=[
                    MarkdownTextObject(text=f"*{slack_escape(name)}*\n{slack_escape(value)}")
                    for name, value in facts
                ]
            )
        )
    link = absolute(notification.link)
    if link:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=PlainTextObject(text="Open in Seamline"),
                        url=link[:3000],
                        action_id="open",
                    )
                ]
            )
        )
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=slack_escape(notification.label))])
    )
    return blocks


def slack_payload(notification: Notification) -> dict:
    blocks = slack_blocks(notification)
    return {
        "text": header_text(notification.title, max_length=300),
        "blocks": [block.to_dict() for block in blocks],  # to_dict validates each block
    }


def adaptive_card(notification: Notification) -> dict:
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": header_text(notification.title, max_length=300),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        }
    ]
    if notification.text:
        body.append({"type": "TextBlock", "text": notification.text[:2000], "wrap": True})
    facts = _facts(notification)
    if facts:
        body.append({"type": "FactSet", "facts": [{"title": n, "value": v} for n, v in facts]})
    body.append(
        {
            "type": "TextBlock",
            "text": notification.label,
            "isSubtle": True,
            "size": "Small",
            "wrap": True,
        }
    )
    card = {
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": body,
    }
    link = absolute(notification.link)
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Seamline", "url": link}]
    return card


def teams_payload(notification: Notification) -> dict:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": adaptive_card(notification),
            }
        ],
    }


def webhook_body(notification: Notification) -> dict:
    return {
        "type": notification.kind,
        "timestamp": notification.created_at.isoformat(),
        "data": {
            "id": notification.pk,
            "title": notification.title,
            "text": notification.text,
            "link": absolute(notification.link),
            "facts": notification.facts,
            "seam": notification.seam.slug if notification.seam_id else None,
            "contract": notification.contract.slug if notification.contract_id else None,
        },
    }


def signed_webhook(
    notification: Notification, *, secret: str, message_id: str, at: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers. The id stays the same across retries, so
    a receiver can drop a delivery it already has."""
    body = json.dumps(webhook_body(notification), separators=(",", ":")).encode()
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
    }
    return body, headers


def email_parts(notification: Notification) -> dict[str, str]:
    context = {
        "notification": notification,
        "link": absolute(notification.link),
        "facts": _facts(notification),
    }
    return {
        "subject": header_text(f"Seamline: {notification.title}"),
        "text": render_to_string("connections/notification_email.txt", context),
        "html": render_to_string("connections/notification_email.html", context),
    }


def new_secret() -> str:
    """A `whsec_` secret: 24 random bytes, base64, as the Standard Webhooks libraries expect."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def message_id(delivery_id: int) -> str:
    return f"msg_{delivery_id}_{uuid.uuid5(uuid.NAMESPACE_URL, str(delivery_id)).hex[:12]}"
