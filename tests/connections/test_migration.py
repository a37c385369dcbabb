"""The webhook sources kept in seams are carried into connections: each keeps its slug, secret
(current), named statuses and seam (as a catch-all first rule); its deliveries seen stay
duplicates; the guided start points at the new source; the old tables are gone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from connections.models import Delivery, Source
from onboarding.models import GuidedStart
from tests.factories import SeamFactory, UserFactory

BEFORE = [
    ("seams", "0014_refusedwrite_moved_to_audit"),
    ("connections", "0001_initial"),
    ("onboarding", "0001_initial"),
]


def _migrate(targets=None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_it_carries_sources_secrets_statuses_seams_and_deliveries():
    leader, seam = UserFactory(username="boss"), SeamFactory()
    try:
        old = _migrate(BEFORE).loader.project_state(BEFORE).apps
        Old = old.get_model("seams", "WebhookSource")
        jira = Old.objects.create(
            slug="jira-intake",
            name="Jira",
            kind="jira",
            secret="old-secret-value-1234",
            seam_id=seam.pk,
            started_statuses="In Progress",
            done_statuses="Done",
        )
        Old.objects.create(slug="crm", name="CRM", secret="crm-secret-value-5678")
        old.get_model("seams", "WebhookDelivery").objects.create(
            source_id=jira.pk, key="k" * 64, delivery_id="atl-1"
        )
        old.get_model("onboarding", "GuidedStart").objects.create(
            started_by_id=leader.pk,
            updated_by_id=leader.pk,
            top_seam_id=seam.pk,
            webhook_id=jira.pk,
        )
    finally:
        _migrate()
    source = Source.objects.get(slug="jira-intake")
    assert (source.kind, source.started_statuses, source.done_statuses) == (
        "jira",
        "In Progress",
        "Done",
    )
    assert source.live_secrets() == ["old-secret-value-1234"]
    rule = source.rules.get()
    assert (rule.field, rule.seam_id) == ("any", seam.pk)
    assert Delivery.objects.get().delivery_id == "atl-1"
    assert not Source.objects.get(slug="crm").rules.exists()
    assert GuidedStart.objects.get().webhook == source
    tables = connection.introspection.table_names()
    assert "seams_webhooksource" not in tables
