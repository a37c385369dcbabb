"""The outbox's model moves to `common` (common.0001), in Django's state only: the table
(`seams_outboxmessage`), its index and its rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("seams", "0012_webhook_delivery_keys"),
        ("common", "0001_outbox_from_seams"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="OutboxMessage")],
        ),
    ]
