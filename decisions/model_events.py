"""The named events the decisions app emits when a decision, escalation or dependency is saved
or deleted (common.events), by any path: services, views, the API, the admin, factories.

Each tells the record's seam and its time (a decision's request, an escalation's raising, a
dependency's needed-by date) now and, for a save, before: a later app can tell what a move
left behind."""

from django.db.models.signals import post_delete, post_save, pre_save

from common import events
from decisions.models import Decision, Dependency, Escalation

# Each record's time, and the name of its events.
TIMES = {Escalation: "raised_at", Decision: "requested_at", Dependency: "needed_by"}


def _saving(sender, instance, **kwargs) -> None:
    instance._place_before = None
    if instance.pk is not None:
        found = sender.objects.filter(pk=instance.pk).values_list("seam_id", TIMES[sender])
        instance._place_before = found.first()


def _saved(sender, instance, **kwargs) -> None:
    was_seam_id, was_at = getattr(instance, "_place_before", None) or (None, None)
    events.emit(
        f"{sender._meta.model_name}.saved",
        seam_id=instance.seam_id,
        at=getattr(instance, TIMES[sender]),
        was_seam_id=was_seam_id,
        was_at=was_at,
    )


def _deleted(sender, instance, **kwargs) -> None:
    events.emit(
        f"{sender._meta.model_name}.deleted",
        seam_id=instance.seam_id,
        at=getattr(instance, TIMES[sender]),
    )


def connect() -> None:
    for model in TIMES:
        name = model._meta.model_name
        pre_save.connect(_saving, sender=model, dispatch_uid=f"decisions-{name}-saving")
        post_save.connect(_saved, sender=model, dispatch_uid=f"decisions-{name}-saved")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"decisions-{name}-deleted")
