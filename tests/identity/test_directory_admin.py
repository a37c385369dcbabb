"""The admin shows the directory's accounts and groups, and changes none of them."""

import pytest
from django.urls import reverse

from identity.models import DirectoryAccount, DirectoryGroup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_accounts_and_groups_read_only(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ada = UserFactory(username="ada")
    account = DirectoryAccount.objects.create(user=ada, scim_provisioned=True)
    group = DirectoryGroup.objects.create(display_name="Support")
    page = client.get(reverse("admin:identity_directoryaccount_change", args=[account.pk]))
    assert page.status_code == 200
    assert str(account.scim_id) in page.content.decode()
    listing = client.get(reverse("admin:identity_directorygroup_changelist")).content.decode()
    assert "Support" in listing
    assert client.get(reverse("admin:identity_directorygroup_add")).status_code == 403
    response = client.post(
        reverse("admin:identity_directorygroup_change", args=[group.pk]),
        {"display_name": "Renamed", "external_id": ""},
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert group.display_name == "Support"
