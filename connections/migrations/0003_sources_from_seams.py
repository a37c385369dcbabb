"""Carry the webhook sources kept in seams (one seam per Jira source) into connections: each
becomes a Source with its secret (current, no expiry), its seam as the first rule (a
catch-all) and its named statuses. Deliveries seen are carried too, so a redelivery of an
event taken before the move is still a duplicate."""

from django.db import migrations


def carry(apps, schema_editor):
    Old = apps.get_model("seams", "WebhookSource")
    OldDelivery = apps.get_model("seams", "WebhookDelivery")
    Source = apps.get_model("connections", "Source")
    Secret = apps.get_model("connections", "SourceSecret")
    Rule = apps.get_model("connections", "MappingRule")
    Delivery = apps.get_model("connections", "Delivery")
    for old in Old.objects.order_by("pk"):
        source = Source.objects.create(
            slug=old.slug,
            name=old.name,
            kind=old.kind,
            started_statuses=old.started_statuses,
            done_statuses=old.done_statuses,
            active=old.active,
        )
        Secret.objects.create(source=source, value=old.secret)
        if old.seam_id:
            Rule.objects.create(source=source, position=0, field="any", seam_id=old.seam_id)
        Delivery.objects.bulk_create(
            Delivery(
                source=source,
                key=seen.key,
                delivery_id=seen.delivery_id,
                received_at=seen.received_at,
                processed_at=seen.received_at,
                status="applied",
            )
            for seen in OldDelivery.objects.filter(source_id=old.pk)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0002_inbound_sources"),
        ("seams", "0014_refusedwrite_moved_to_audit"),
    ]

    # The core's migration that removes the old models names no later app: this one says so.
    run_before = [("seams", "0015_remove_webhook_sources")]

    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
