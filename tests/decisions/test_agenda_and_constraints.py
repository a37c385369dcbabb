from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractSeam
from decisions.models import Constraint, Decision
from tests.factories import SeamFactory


@pytest.fixture
def mixed(seam, owner, other_owner, team, third_team, leader):
    now = timezone.now()
    elsewhere = SeamFactory(name="Elsewhere", from_team=third_team, to_team=team)

    def decision(question, seam_, due_in_hours, status="open"):
        return Decision.objects.create(
            question=question,
            decision_type="T",
            seam=seam_,
            requested_by=owner,
            decider=other_owner,
            requested_at=now - timedelta(days=3),
            due_at=now + timedelta(hours=due_in_hours),
            status=status,
            decided_at=now if status == "decided" else None,
        )

    decision("Due later", seam, 30)
    decision("Overdue", seam, -5)
    decision("Decided", seam, -50, status="decided")
    decision("Withdrawn", seam, 5, status="withdrawn")
    decision("At another seam", elsewhere, 10)
    Constraint.objects.create(description="Cap on staging", owner=owner, seam=seam)
    Constraint.objects.create(
        description="Removed cap", owner=owner, seam=seam, removed_at=timezone.localdate()
    )
    Constraint.objects.create(description="Legal has one reviewer", owner=owner, team=third_team)
    contract = Contract.objects.create(slug="c", title="C", scope="s", leader=leader)
    ContractSeam.objects.create(contract=contract, seam=seam)
    return contract


def test_the_agenda_holds_exactly_two_lists_overdue_first(viewer_client, mixed):
    response = viewer_client.get(reverse("decisions:agenda"))
    assert [d.question for d in response.context["decisions"]] == [
        "Overdue",
        "At another seam",
        "Due later",
    ]
    assert {c.description for c in response.context["constraints"]} == {
        "Cap on staging",
        "Legal has one reviewer",
    }


def test_the_agenda_for_a_contract_holds_only_its_seams_and_teams(viewer_client, mixed):
    response = viewer_client.get(reverse("decisions:agenda"), {"contract": mixed.slug})
    assert [d.question for d in response.context["decisions"]] == ["Overdue", "Due later"]
    # Legal is neither side of the contract's seam (Sales → Product): not on this agenda.
    assert [c.description for c in response.context["constraints"]] == ["Cap on staging"]


def test_an_owner_records_and_removes_a_constraint_at_their_seam(owner_client, seam, owner):
    response = owner_client.post(
        reverse("decisions:constraints"),
        {
            "description": "Slack DMs instead of the intake form",
            "owner": owner.pk,
            "seam": seam.pk,
            "raised_at": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    constraint = Constraint.objects.get()
    owner_client.post(reverse("decisions:constraint-remove", args=[constraint.pk]))
    assert Constraint.objects.get().removed_at == timezone.localdate()


def test_a_constraint_needs_a_seam_or_a_team(ops_client, ops):
    response = ops_client.post(
        reverse("decisions:constraints"),
        {
            "description": "Somewhere",
            "owner": ops.pk,
            "raised_at": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Constraint.objects.exists()


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_constraints_page_keeps_its_queries_bounded(
    viewer_client, seam, owner, rows, django_assert_max_num_queries
):
    Constraint.objects.bulk_create(
        Constraint(description=f"C{i}", owner=owner, seam=seam) for i in range(rows)
    )
    with django_assert_max_num_queries(12):
        response = viewer_client.get(reverse("decisions:constraints"))
    assert response.context["page"].paginator.count == rows


def test_the_constraint_page_says_how_long_a_removed_one_stood(viewer_client, seam, owner):
    today = timezone.localdate()
    Constraint.objects.create(
        description="Cap on staging",
        owner=owner,
        seam=seam,
        raised_at=today - timedelta(days=10),
        removed_at=today,
    )
    Constraint.objects.create(description="Same-day fix", owner=owner, seam=seam, removed_at=today)
    response = viewer_client.get(reverse("decisions:constraints"))
    assert [c.days_in_place for c in response.context["removed"]] == [0, 10]
    assert "after 10 days" in response.content.decode()
    assert "after 0 days" in response.content.decode()
