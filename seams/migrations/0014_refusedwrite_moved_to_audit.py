# RefusedWrite moved to the audit app (audit/migrations/0001_initial.py), keeping its table:
# gone from the seams app's state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("seams", "0013_outbox_to_common"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RefusedWrite")],
            database_operations=[],
        ),
    ]
