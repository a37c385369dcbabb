"""The admin pages open for a superuser (a broken admin is found here, not in production)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_admin_list_and_add_page_opens(client, seam):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        assert client.get(reverse(name)).status_code == 200, name
    spec_page = client.get(reverse("admin:seams_handoffspec_change", args=[seam.spec.pk]))
    assert spec_page.status_code == 200
    assert "First spec" in spec_page.content.decode()


@pytest.mark.django_db
def test_the_demo_contract_and_initiative_open_in_the_admin(client):
    from django.core.management import call_command

    from contracts.models import Contract, Initiative

    call_command("seed_demo", verbosity=0)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    contract = Contract.objects.get(slug="enterprise-launch-fy26")
    initiative = Initiative.objects.get(slug="eu-enterprise-launch")
    assert (
        client.get(reverse("admin:contracts_contract_change", args=[contract.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:contracts_initiative_change", args=[initiative.pk])).status_code
        == 200
    )
