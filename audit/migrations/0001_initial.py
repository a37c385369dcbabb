# RefusedWrite, moved here from the seams app: its table, seams_refusedwrite, and its rows stay
# as they were (state only); its content type, and so its permissions, move with it.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Relabel the model's content type, so that permissions given on it are kept."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    if not types.filter(app_label="audit", model="refusedwrite").exists():
        types.filter(app_label="seams", model="refusedwrite").update(app_label="audit")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label="seams", model="refusedwrite").exists():
        types.filter(app_label="audit", model="refusedwrite").update(app_label="seams")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("seams", "0014_refusedwrite_moved_to_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RefusedWrite",
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
                            "at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "username",
                            models.CharField(
                                blank=True,
                                help_text="Kept as it was, should the account be deleted.",
                                max_length=150,
                            ),
                        ),
                        ("remote_addr", models.GenericIPAddressField(blank=True, null=True)),
                        ("method", models.CharField(max_length=10)),
                        ("path", models.CharField(max_length=500)),
                        ("view_name", models.CharField(blank=True, max_length=200)),
                        (
                            "target",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="What the URL names: its slug, pk, … as text.",
                            ),
                        ),
                        ("status", models.PositiveSmallIntegerField()),
                        ("reason", models.CharField(blank=True, max_length=500)),
                        (
                            "repeats",
                            models.PositiveIntegerField(
                                default=1,
                                help_text="How many times the same write was refused, from the "
                                "same person and address, within an hour of the first: one "
                                "row, not one per attempt.",
                            ),
                        ),
                        (
                            "last_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                help_text="The latest of the repeats.",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "seams_refusedwrite",
                        "ordering": ["-at", "-pk"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
