from decimal import Decimal

from django.urls import reverse

from contracts.models import ContractRevision, DecisionRight, MetricTarget
from contracts.services import diff_snapshots, publish_revision, snapshot


def test_a_revision_records_the_contract_and_the_next_shows_what_changed(
    ready_contract, leader, seam
):
    first = publish_revision(contract=ready_contract, changelog="First", by=leader)
    assert first.content["seams"] == ["Custom integration intake"]
    assert len(first.content["targets"]) == 3

    MetricTarget.objects.filter(metric="rework_rate").update(target=Decimal(15))
    MetricTarget.objects.filter(metric="sla_breach_rate").delete()
    DecisionRight.objects.update(decision_sla_hours=Decimal(8))
    ready_contract.review_day = 15
    ready_contract.save()
    second = publish_revision(contract=ready_contract, changelog="Tighter", by=leader)

    changes = {
        (c.kind, c.what): (c.old, c.new) for c in diff_snapshots(first.content, second.content)
    }
    assert changes[("changed", "Review day")] == ("9", "15")
    assert changes[("changed", "Target Rework rate on Custom integration intake")] == (
        "≤ 24 %, amber +20 %",
        "≤ 15 %, amber +20 %",
    )
    assert ("removed", "Target SLA breach rate on Custom integration intake") in changes
    assert "within 8 h" in changes[("changed", "Decision right “Integration scope”")][1]
    assert second.number == 2


def test_the_revision_page_shows_the_changelog_and_the_changes(
    viewer_client, ready_contract, leader
):
    publish_revision(contract=ready_contract, changelog="First", by=leader)
    MetricTarget.objects.filter(metric="rework_rate").update(target=Decimal(15))
    publish_revision(contract=ready_contract, changelog="Rework tightened", by=leader)
    page = viewer_client.get(
        reverse("contracts:revision", args=[ready_contract.slug, 2])
    ).content.decode()
    assert "Rework tightened" in page
    assert "<del>≤ 24 %, amber +20 %</del>" in page
    assert "<ins>≤ 15 %, amber +20 %</ins>" in page


def test_the_contract_page_lists_unpublished_changes(leader_client, ready_contract, leader):
    publish_revision(contract=ready_contract, changelog="First", by=leader)
    assert not diff_snapshots(ready_contract.revisions.first().content, snapshot(ready_contract))
    MetricTarget.objects.filter(metric="rework_rate").delete()
    page = leader_client.get(
        reverse("contracts:detail", args=[ready_contract.slug])
    ).content.decode()
    assert "Changed since revision 1: Target Rework rate on Custom integration intake" in page


def test_a_leader_publishes_from_the_page_and_a_blank_changelog_is_refused(
    leader_client, ready_contract
):
    url = reverse("contracts:publish", args=[ready_contract.slug])
    assert leader_client.post(url, {"changelog": ""}).status_code == 400
    assert not ContractRevision.objects.exists()
    assert leader_client.post(url, {"changelog": "First terms"}).status_code == 302
    assert ContractRevision.objects.get().changelog == "First terms"


def test_only_leaders_publish(owner_client, ready_contract):
    response = owner_client.post(
        reverse("contracts:publish", args=[ready_contract.slug]), {"changelog": "x"}
    )
    assert response.status_code == 403
    assert not ContractRevision.objects.exists()
