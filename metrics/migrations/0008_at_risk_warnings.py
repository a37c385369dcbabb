# At-risk warnings (each at-risk handoff warns once) and drafts of contract revisions that carry
# a seam's proposed response SLA (contract vs reality).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0007_first_time_ready_rate"),
        ("seams", "0016_waiting_on_the_sender"),
        ("contracts", "0003_load_spec_templates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
        migrations.CreateModel(
            name="SlaRevisionDraft",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "response_sla_hours",
                    models.DecimalField(
                        decimal_places=2,
                        help_text="The proposed response SLA, business hours.",
                        max_digits=7,
                    ),
                ),
                (
                    "contracted_sla_hours",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        help_text="The spec's response SLA when drafted.",
                        max_digits=7,
                        null=True,
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        choices=[("pilot", "the pilot"), ("last_90_days", "the last 90 days")],
                        help_text="The window of the queue times.",
                        max_length=20,
                    ),
                ),
                ("n", models.PositiveIntegerField(help_text="Handoffs started in that window.")),
                ("changelog", models.TextField(help_text="What the revision changes, and why.")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("published_at", models.DateTimeField(blank=True, null=True)),
                (
                    "contract",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sla_drafts",
                        to="contracts.contract",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "published_revision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="contracts.contractrevision",
                    ),
                ),
                (
                    "seam",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sla_drafts",
                        to="seams.seam",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("published_at__isnull", True)),
                        fields=("contract", "seam"),
                        name="one_open_sla_draft_per_contract_seam",
                    )
                ],
            },
        ),
    ]
