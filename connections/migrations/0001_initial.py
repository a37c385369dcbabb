from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration: its models arrive in the ones after it."""

    initial = True

    dependencies: list = []

    operations: list = []
