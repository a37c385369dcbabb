"""Sending deliveries: one attempt at a time, outside every write, retried with backoff.

A write that notifies only records the notification and its deliveries (in its own
transaction). The sending happens later:
- with a broker, a Celery task sent through the outbox after the write commits;
- without one (tasks run in-process), never in the request: with OUTBOUND_SEND_IN_THREAD on
  (the demo, `make run`) a background thread sends them after the commit, otherwise the
  periodic sweep (`send_due_deliveries`, every minute from beat) does.
Each attempt claims the delivery first (a conditional UPDATE that moves its next attempt a
lease away), so two workers never send the same delivery at once. A failed attempt schedules
the next one after 1 min, 5 min, 30 min, 2 h and 12 h; after the sixth failure the delivery
is dead. Every attempt is kept (time, status code, error, next retry) for the delivery log.

Requests use a short timeout (3 s to connect, 5 s to read), follow no redirects, and refuse
private, loopback and link-local addresses unless OUTBOUND_ALLOW_PRIVATE_URLS is on (DEBUG and
tests): a channel's URL can't be used to reach the inside of the network (SSRF). The address is
checked when the channel is saved and again before each attempt.
"""

import ipaddress
import json
import logging
import socket
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from common import outbox
from common.batch import Batch
from connections import outbound_payloads as payloads
from connections.models import Channel, DeliveryAttempt, OutboundDelivery

log = logging.getLogger(__name__)

BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
]
TIMEOUT = (3, 5)  # seconds: connect, read
LEASE = timedelta(minutes=2)  # longer than one attempt can take
SWEEP_LIMIT = 200


class Refused(Exception):
    """The endpoint may not be called (its address is private), or the delivery can't go."""


# --- Where a URL may point ------------------------------------------------------------------


def private_address(host: str) -> str | None:
    """The first private, loopback, link-local or reserved address `host` resolves to."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"The host {host!r} could not be resolved.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return str(address)
    return None


def check_url(url: str) -> None:
    """Refuse a URL that would reach a private address (unless allowed by settings)."""
    parts = urlsplit(url)
    allow_private = settings.OUTBOUND_ALLOW_PRIVATE_URLS
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise Refused("Only https:// URLs are allowed.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if not allow_private:
        address = private_address(parts.hostname)
        if address:
            raise Refused(f"The URL points at a private address ({address}).")


# --- Dispatching after the write --------------------------------------------------------------


def dispatch(delivery_ids: Iterable[int]) -> None:
    """Have these deliveries sent after the current transaction commits, never inside it."""
    ids = list(delivery_ids)
    if not ids:
        return
    if not current_app.conf.task_always_eager:
        from connections.tasks import send_deliveries

        outbox.enqueue(send_deliveries, ids)
    elif settings.OUTBOUND_SEND_IN_THREAD:
        transaction.on_commit(lambda: _in_thread(ids))
    # Otherwise the periodic sweep sends them: they are due now.


def _in_thread(ids: list[int]) -> None:
    """The demo has no beat to run the sweep: the thread sends these, then what else is due
    (retries whose time came, deliveries left by a restart)."""

    def run() -> None:
        try:
            for delivery_id in ids:
                send_delivery(delivery_id)
            send_due_deliveries()
        finally:
            connection.close()

    threading.Thread(target=run, name="outbound-deliveries", daemon=True).start()


# --- One attempt --------------------------------------------------------------------------------


def send_delivery(delivery_id: int, *, now: datetime | None = None) -> str | None:
    """Try one delivery if it is due; returns its status after, or None if it wasn't due (sent,
    dead, waiting for its retry, or another worker has it)."""
    now = now or timezone.now()
    claimed = OutboundDelivery.objects.filter(
        pk=delivery_id,
        status__in=[OutboundDelivery.Status.PENDING, OutboundDelivery.Status.FAILED],
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    delivery = OutboundDelivery.objects.select_related(
        "notification__seam", "notification__contract", "channel", "person"
    ).get(pk=delivery_id)
    if delivery.channel_id and not delivery.channel.active:
        return _record(delivery, now, None, "The channel was turned off.", 0, give_up=True)
    started = time.monotonic()
    status_code, error = None, ""
    try:
        status_code = _send(delivery, now)
        if not 200 <= status_code < 300:
            error = f"The endpoint answered {status_code}."
    except Refused as exc:
        error = str(exc)
    except requests.Timeout:
        error = "No answer within the timeout (3 s to connect, 5 s to read)."
    except requests.RequestException as exc:
        error = f"Could not connect: {type(exc).__name__}."
    except OSError as exc:  # the mail server
        error = f"The mail server refused it: {exc}"[:500]
    duration = int((time.monotonic() - started) * 1000)
    return _record(delivery, now, status_code, error, duration)


def _send(delivery: OutboundDelivery, now: datetime) -> int:
    notification = delivery.notification
    channel = delivery.channel
    if channel is None or channel.kind == Channel.Kind.EMAIL:
        address = channel.email if channel else (delivery.person.email or "")
        if not address:
            raise Refused("The person has no email address.")
        parts = payloads.email_parts(notification)
        message = EmailMultiAlternatives(
            subject=parts["subject"],
            body=parts["text"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        message.attach_alternative(parts["html"], "text/html")
        message.send()
        return 250  # SMTP's "OK", shown in the log
    check_url(channel.url)
    headers = {"Content-Type": "application/json", "User-Agent": "Seamline"}
    if channel.kind == Channel.Kind.SLACK:
        body = _json(payloads.slack_payload(notification))
    elif channel.kind == Channel.Kind.TEAMS:
        body = _json(payloads.teams_payload(notification))
    else:
        body, signed = payloads.signed_webhook(
            notification,
            secret=channel.secret,
            message_id=payloads.message_id(delivery.pk),
            at=now,
        )
        headers |= signed
    response = requests.post(
        channel.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
    )
    response.close()
    return response.status_code


def _json(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _record(
    delivery: OutboundDelivery,
    now: datetime,
    status_code: int | None,
    error: str,
    duration: int,
    *,
    give_up: bool = False,
) -> str:
    attempt_number = delivery.attempts + 1
    if not error:
        status, next_at = OutboundDelivery.Status.SENT, None
    elif give_up or attempt_number > len(BACKOFF):
        status, next_at = OutboundDelivery.Status.DEAD, None
    else:
        status, next_at = OutboundDelivery.Status.FAILED, now + BACKOFF[attempt_number - 1]
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=status_code,
            error=error[:500],
            duration_ms=duration,
            next_attempt_at=next_at,
        )
        OutboundDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            attempts=F("attempts") + 1,
            next_attempt_at=next_at,
            last_status_code=status_code,
            last_error=error[:500],
            sent_at=now if status == OutboundDelivery.Status.SENT else None,
        )
    if error:
        log.warning("Delivery %s attempt %s failed: %s", delivery.pk, attempt_number, error)
    return status


# --- The sweep ----------------------------------------------------------------------------------


def send_due_deliveries(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Send every delivery due now (new ones, retries whose time has come), oldest first;
    returns how many were sent. One that fails by itself is logged and skipped."""
    now = now or timezone.now()
    due = OutboundDelivery.objects.due(now).order_by("next_attempt_at", "pk")
    sent = 0
    batch = Batch("Outbound deliveries", log, savepoint=False)
    for delivery_id in list(due.values_list("pk", flat=True)[:limit]):
        with batch.item(f"delivery {delivery_id}"):
            if send_delivery(delivery_id, now=now) == OutboundDelivery.Status.SENT:
                sent += 1
    batch.report()
    return sent
