"""The guided start's Jira source moves from seams.WebhookSource to connections.Source (carried
there by connections' 0003, same slug)."""

import django.db.models.deletion
from django.db import migrations, models


def point_to_inbound(apps, schema_editor):
    GuidedStart = apps.get_model("onboarding", "GuidedStart")
    Old = apps.get_model("seams", "WebhookSource")
    Source = apps.get_model("connections", "Source")
    for guide in GuidedStart.objects.filter(webhook__isnull=False):
        slug = Old.objects.filter(pk=guide.webhook_id).values_list("slug", flat=True).first()
        guide.inbound = Source.objects.filter(slug=slug).first()
        guide.save(update_fields=["inbound"])


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0001_initial"),
        ("connections", "0003_sources_from_seams"),
    ]

    run_before = [("seams", "0015_remove_webhook_sources")]

    operations = [
        migrations.AddField(
            model_name="guidedstart",
            name="inbound",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="connections.source",
            ),
        ),
        migrations.RunPython(point_to_inbound, migrations.RunPython.noop),
        migrations.RemoveField(model_name="guidedstart", name="webhook"),
        migrations.RenameField(model_name="guidedstart", old_name="inbound", new_name="webhook"),
    ]
