import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0006_guided_start_moves_to_onboarding"),
        ("seams", "0016_waiting_on_the_sender"),
    ]

    operations = [
        migrations.CreateModel(
            name="AtRiskWarning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "warned_at",
                    models.DateTimeField(help_text="When the task found it at risk and warned."),
                ),
                (
                    "breaches_in_hours",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="Business hours it had left until its response deadline when warned.",
                        max_digits=10,
                    ),
                ),
                (
                    "handoff",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="at_risk_warning",
                        to="seams.handoff",
                    ),
                ),
            ],
            options={"ordering": ["-warned_at", "-pk"]},
        ),
    ]
