from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from seams.permissions import ORG_ROLES


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}", pytrace=False)


@pytest.mark.django_db
def test_it_creates_the_organisation_roles_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ORG_ROLES)
