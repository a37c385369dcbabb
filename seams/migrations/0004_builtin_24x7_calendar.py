import datetime

from django.db import migrations


def create_24x7(apps, schema_editor):
    Calendar = apps.get_model("seams", "Calendar")
    Calendar.objects.get_or_create(
        slug="24x7",
        defaults={
            "name": "24×7",
            "time_zone": "UTC",
            "working_weekdays": [1, 2, 3, 4, 5, 6, 7],
            "day_start": datetime.time(0, 0),
            "day_end": datetime.time(23, 59),
            "is_24x7": True,
        },
    )


def remove_24x7(apps, schema_editor):
    apps.get_model("seams", "Calendar").objects.filter(slug="24x7", seams__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("seams", "0003_calendars_seams_specs")]

    operations = [migrations.RunPython(create_24x7, remove_24x7)]
