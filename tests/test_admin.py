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
