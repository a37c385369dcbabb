"""The webhook sources moved to a later app (which carries their rows first, run_before this)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("seams", "0014_refusedwrite_moved_to_audit"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="webhooksource",
            name="seam",
        ),
        migrations.DeleteModel(
            name="WebhookDelivery",
        ),
        migrations.DeleteModel(
            name="WebhookSource",
        ),
    ]
