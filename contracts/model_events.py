"""The named event the contracts app emits when a metric target is saved or deleted, by any
path (common.events): "target.changed", with the target's seam."""

from django.db.models.signals import post_delete, post_save

from common import events
from contracts.models import MetricTarget


def _target_changed(sender, instance: MetricTarget, **kwargs) -> None:
    events.emit("target.changed", seam_id=instance.seam_id)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(
            _target_changed, sender=MetricTarget, dispatch_uid=f"contracts-target-{signal}"
        )
