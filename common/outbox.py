"""A transactional outbox for Celery: work a change needs is written in the change's own
transaction and sent to the broker after it commits.

With the broker up, the message is sent at once (one short attempt, no retries, so a request
never hangs on a dead broker) and marked sent. With the broker down, the change still commits
and the message waits in `OutboxMessage`; `relay()` sends whatever waits, and runs every minute
from beat (`common.tasks.relay_outbox`, registered as `seams.tasks.relay_outbox`), so the work
goes out within a minute of the broker coming back. Tasks are idempotent by design, so a
message sent twice (a crash between sending and marking it sent) does no harm.

Without a broker (`REDIS_URL` unset) tasks run in-process as they are sent, as before.
"""

import logging
from datetime import timedelta

import redis
from celery import Task, current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from redis.backoff import NoBackoff
from redis.retry import Retry

from common.batch import Batch
from common.models import OutboxMessage

log = logging.getLogger(__name__)

BATCH = 500
# Publishing gives up at once: the outbox keeps the message, so waiting gains nothing. The
# web never reads these tasks' results, so it doesn't subscribe to them either (a dead result
# store would otherwise hold the request for its reconnect attempts).
PUBLISH_OPTIONS = {"retry": False, "ignore_result": True}
PROBE_TIMEOUT = 1.0  # seconds to wait for the broker to answer a ping


def enqueue(task: Task, *args, **kwargs) -> OutboxMessage:
    """Send `task(*args, **kwargs)` to the workers once the current transaction commits.

    Arguments must be JSON: ids and ISO strings, as every task here takes.
    """
    message = OutboxMessage.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    # The message just written is still waiting: publish it without reading it back.
    transaction.on_commit(lambda: _publish(message))
    return message


def send(message_id: int) -> bool:
    """Send one waiting message now; False (and it keeps waiting) when the broker is down."""
    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return True
    return _publish(message)


def relay(limit: int = BATCH) -> int:
    """Send the messages still waiting, oldest first; returns how many went out. Stops when the
    broker doesn't take one: it is still down, and the next run tries again. A message that
    fails by itself (no such task; run in-process, its task raised) is logged and skipped, so
    it can't hold back the messages behind it."""
    sent = 0
    batch = Batch("Outbox relay", log)
    for message in OutboxMessage.objects.filter(sent_at__isnull=True)[:limit]:
        if current_app.tasks.get(message.task) is None:
            _failed(message, f"No task named {message.task}.")
            log.error("Outbox message %s names no task (%s); skipped.", message.pk, message.task)
            continue
        broker_down = raised = True
        with batch.item(f"message {message.pk} ({message.task})"):
            broker_down = not _publish(message)
            raised = False
        if raised:
            _failed(message, "Its task raised an error; see the log.")
        elif broker_down:
            break
        else:
            sent += 1
    batch.report()
    return sent


def waiting() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def purge_sent(older_than: timedelta = timedelta(days=7)) -> int:
    cutoff = timezone.now() - older_than
    return OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()[0]


def _publish(message: OutboxMessage) -> bool:
    task = current_app.tasks.get(message.task)
    if task is None:
        _failed(message, f"No task named {message.task}.")
        return False
    if not current_app.conf.task_always_eager and not broker_answers():
        _failed(message, "The broker did not answer.")
        return False
    try:
        if current_app.conf.task_always_eager:
            # No broker: run in-process, as `delay` does here.
            task.apply(args=message.args, kwargs=message.kwargs, throw=True)
        else:
            task.apply_async(args=message.args, kwargs=message.kwargs, **PUBLISH_OPTIONS)
    except Exception as exc:  # the broker's many ways of being down; the message waits
        if current_app.conf.task_always_eager:
            raise  # an in-process task's own error: the caller sees it, as before
        log.warning("Broker unavailable; %s waits in the outbox: %s", message.task, exc)
        _failed(message, str(exc))
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )
    return True


def broker_answers() -> bool:
    """Whether the Redis broker answers a ping within a second. Publishing to a broker that is
    down takes seconds of client retries; this takes one connection attempt."""
    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")):
        return True  # another transport: let publishing tell
    client = _probes.get(url)
    if client is None:
        client = _probes[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=PROBE_TIMEOUT,
            socket_timeout=PROBE_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


_probes: dict[str, redis.Redis] = {}


def _failed(message: OutboxMessage, error: str) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, last_error=error[:500]
    )
