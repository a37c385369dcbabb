"""Named events: how an app tells a later one that something happened, without naming it.

An app that must tell a later one something emits a named event; the later app subscribes.
The core never names a later app, not even in a string: it only says what happened.

    from common import events

    events.emit("handoff.saved", seam_id=3, at=when)                # in seams
    events.subscribe("handoff.saved", handoff_saved)                 # in metrics' AppConfig.ready

Conventions:
- Names are dotted `noun.past_tense`: "handoff.saved", "handoffs.written", "calendar.changed".
  Every name is listed in NAMES below with what its payload holds, so a reader finds them all.
- Payloads are keyword arguments of plain values: ids, times, sets or dicts of those. Never a
  model instance: a subscriber reads what it needs itself.
- Subscribers run synchronously, in the emitter's transaction, in the order they subscribed. A
  subscriber that has work to do later defers it: `transaction.on_commit`, or the outbox for a
  Celery task, so a rolled-back write leaves nothing behind. A subscriber's exception reaches
  the emitter (the write fails with it): subscribers keep to quick, safe bookkeeping.
"""

from collections import defaultdict
from collections.abc import Callable

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

NAMES = {
    "handoff.saved": "seam_id, at (submitted_at); was_seam_id, was_at (None if new)",
    "handoff.deleted": "seam_id, at",
    "handoffs.written": "seam_ids, earliest, moved_from ({seam id: earliest time it left})",
    "calendar.changed": "calendar_id: its working hours or holidays changed",
    "escalation.saved": "seam_id, at (raised_at); was_seam_id, was_at (None if new)",
    "escalation.deleted": "seam_id, at",
    "decision.saved": "seam_id, at (requested_at); was_seam_id, was_at (None if new)",
    "decision.deleted": "seam_id, at",
    "dependency.saved": "seam_id, at (needed_by, a date); was_seam_id, was_at (None if new)",
    "dependency.deleted": "seam_id, at",
    "target.changed": "seam_id: a contract's metric target on it was saved or deleted",
    # Told to people where they work (connections sends them out):
    "handoff.at_risk": "handoff_id: not started, 75 % of its SLA used (the leading signals)",
    "handoff.breached": "handoff_id: past its deadline and escalated, once (the exception path)",
    "handoff.returned": "handoff_id, return_id: sent back to its sender",
    "handoff.resubmitted": "handoff_id, return_id: its sender sent it again after a return",
    "revision.published": "revision_id: a contract revision now awaits its leaders' signatures",
}

Handler = Callable[..., None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


class UnknownEvent(ValueError):
    """An event name not in NAMES: a typo would otherwise reach no one, silently."""


def _known(name: str) -> str:
    if name not in NAMES:
        raise UnknownEvent(f"No event is named {name!r}; add it to common.events.NAMES.")
    return name


def subscribe(name: str, handler: Handler) -> None:
    """Call `handler(**payload)` whenever `name` is emitted. Subscribing twice is once."""
    if handler not in _subscribers[_known(name)]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers[_known(name)]:
        _subscribers[name].remove(handler)


def emit(name: str, **payload) -> None:
    """Tell every subscriber of `name`, now, in the caller's transaction."""
    for handler in list(_subscribers[_known(name)]):
        handler(**payload)


def subscribers(name: str) -> list[Handler]:
    return list(_subscribers[_known(name)])


def emit_on_write(model: type[models.Model], *, at: str) -> None:
    """Emit "<model>.saved" and "<model>.deleted" whenever a row of `model` is written, by any
    path (services, views, the API, the admin, factories). The model is placed by its `seam`
    and the time field `at`; each event names both and, for a save, where the row was before
    (`was_seam_id`, `was_at`; None for a new row or a save that touched neither), so a
    subscriber can tell what a move left behind."""
    name = model._meta.model_name

    def saving(sender, instance, update_fields=None, **kwargs) -> None:
        instance._place_before = None
        if instance.pk is None or (
            update_fields is not None and not {"seam", at} & set(update_fields)
        ):
            return
        found = sender.objects.filter(pk=instance.pk).values_list("seam_id", at)
        instance._place_before = found.first()

    def saved(sender, instance, **kwargs) -> None:
        was_seam_id, was_at = getattr(instance, "_place_before", None) or (None, None)
        emit(
            f"{name}.saved",
            seam_id=instance.seam_id,
            at=getattr(instance, at),
            was_seam_id=was_seam_id,
            was_at=was_at,
        )

    def deleted(sender, instance, **kwargs) -> None:
        emit(f"{name}.deleted", seam_id=instance.seam_id, at=getattr(instance, at))

    # Kept by the signals themselves (weak=False): nothing else holds these functions.
    for signal, receiver in ((pre_save, saving), (post_save, saved), (post_delete, deleted)):
        signal.connect(receiver, sender=model, weak=False, dispatch_uid=f"events-{name}-{signal}")
