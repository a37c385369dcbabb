# The guided start's models moved to the onboarding app. Their tables stay where they are
# (onboarding's models name them), so metrics forgets the models and the database keeps all.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0005_guided_start"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Miss"),
                migrations.DeleteModel(name="GuidedStart"),
            ],
            database_operations=[],
        ),
    ]
