"""What the audit log records: the models registered, never a secret, no change that is
only a number's spelling, who joins and leaves a group."""

from decimal import Decimal

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth.models import Group
from django.utils import timezone

from audit import registry
from connections.models import Source, SourceSecret
from seams.models import HandoffSpec
from tests.audit.helpers import entries_for
from tests.factories import UserFactory


def test_it_registers_the_domain_models_and_not_the_computed_or_historical_ones():
    from django.apps import apps

    registered = {f"{m._meta.app_label}.{m.__name__}" for m in auditlog.get_models()}
    assert {f"{m._meta.app_label}.{m.__name__}" for m in registry.registrations()} <= registered
    for label in [
        "seams.Team",
        "connections.Source",
        "connections.MappingRule",
        "connections.SourceSecret",
        "seams.HandoffImport",
        "contracts.SpecTemplate",
        "decisions.Dependency",
        "onboarding.GuidedStart",
        "seams.User",
    ]:
        assert label in registered
    for label in [
        "metrics.MonthlySeamMetrics",
        "metrics.MetricsRun",
        "metrics.DataQualityReport",
        "seams.SpecVersion",
        "connections.Delivery",
        "common.OutboxMessage",
        "audit.RefusedWrite",
        "decisions.DecisionEvent",
        "authtoken.Token",
    ]:
        assert not auditlog.contains(apps.get_model(label)), label


def test_it_never_records_a_password_or_a_webhook_secret(db, seam):
    user = UserFactory(username="pat")
    user.set_password("a new secret phrase")
    user.last_login = timezone.now()
    user.save()
    change = entries_for(user)[-1]
    assert change.changes == {"password": [registry.HIDDEN, registry.HIDDEN]}  # no last_login
    source = Source.objects.create(slug="jira", name="Jira")
    secret = SourceSecret.objects.create(source=source, value="s3cret-value")
    secret.value = "rotated-value"
    secret.save()
    created, rotated = entries_for(secret)
    assert created.changes["value"] == ["", registry.HIDDEN]
    assert rotated.changes == {"value": [registry.HIDDEN, registry.HIDDEN]}
    text = str([e.changes for e in LogEntry.objects.all()])
    for secret in ("s3cret", "rotated", "md5$"):
        assert secret not in text


def test_the_same_number_written_differently_is_no_change(seam):
    spec = HandoffSpec.objects.get(seam=seam)  # 16.00 hours, as stored
    before = len(entries_for(spec))
    spec.response_sla_hours = Decimal("16")
    spec.save()
    assert len(entries_for(spec)) == before
    spec.response_sla_hours, spec.forum = Decimal("16.0"), "Daily stand-up"
    spec.save()
    assert entries_for(spec)[-1].changes == {"forum": ["Weekly seam sync", "Daily stand-up"]}


def test_it_records_who_joins_and_leaves_a_group(db):
    user = UserFactory(username="pat")
    leaders = Group.objects.get(name="leader")
    user.groups.add(leaders)
    user.groups.remove(leaders)
    added, removed = [e.changes["groups"] for e in entries_for(user) if "groups" in e.changes]
    assert (added["operation"], added["objects"]) == ("add", ["leader"])
    assert (removed["operation"], removed["objects"]) == ("delete", ["leader"])
