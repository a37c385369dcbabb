# The guided start's models, moved here from metrics: their tables keep their names
# (metrics_guidedstart, metrics_miss and the guided start's many-to-many tables), so this
# migration only tells Django's state where the models now live, and moves their content
# types so that audit log entries and permissions follow them.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("guidedstart", "miss")


def _move_content_types(apps, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor) -> None:
    _move_content_types(apps, source="metrics", target="onboarding")


def backwards(apps, schema_editor) -> None:
    _move_content_types(apps, source="onboarding", target="metrics")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0003_load_spec_templates"),
        ("decisions", "0004_restamp_decision_due_times"),
        ("metrics", "0006_guided_start_moves_to_onboarding"),
        ("seams", "0012_webhook_delivery_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GuidedStart",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "step",
                            models.CharField(
                                choices=[
                                    ("seams", "Find your seams"),
                                    ("cadence", "Set the decision cadence"),
                                    ("spec", "Write the spec"),
                                    ("data", "Connect the data"),
                                    ("metrics", "Choose three metrics"),
                                    ("done", "Done"),
                                ],
                                default="seams",
                                max_length=10,
                            ),
                        ),
                        (
                            "data_source",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("csv", "CSV upload"),
                                    ("jira", "Jira webhook"),
                                    ("manual", "Logged by hand"),
                                ],
                                max_length=6,
                            ),
                        ),
                        ("first_review_on", models.DateField(blank=True, null=True)),
                        ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "constraints",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="decisions.constraint"
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "decisions",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="decisions.decision"
                            ),
                        ),
                        (
                            "seams",
                            models.ManyToManyField(
                                blank=True,
                                help_text="The seams chosen to work on.",
                                related_name="+",
                                to="seams.seam",
                            ),
                        ),
                        (
                            "started_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "template",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="contracts.spectemplate",
                            ),
                        ),
                        (
                            "top_seam",
                            models.ForeignKey(
                                blank=True,
                                help_text="The highest-friction seam: it gets the spec and the 30-day pilot.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="seams.seam",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "webhook",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="seams.webhooksource",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "metrics_guidedstart",
                        "ordering": ["-started_at"],
                    },
                ),
                migrations.CreateModel(
                    name="Miss",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("summary", models.CharField(max_length=300)),
                        ("happened_on", models.DateField(blank=True, null=True)),
                        ("cause", models.CharField(blank=True, max_length=30)),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "escalation",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="decisions.escalation",
                            ),
                        ),
                        (
                            "guided_start",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="misses",
                                to="onboarding.guidedstart",
                            ),
                        ),
                        (
                            "seam",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="seams.seam",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "misses",
                        "db_table": "metrics_miss",
                        "ordering": ["position", "pk"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
