from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Contract, ContractSeam, DecisionRight, MetricTarget
from tests.factories import SeamFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestOneDeciderPerDecisionType:
    def form(self, seam, decider, **changes):
        return {
            "decision_type": "integration SCOPE",
            "seam": seam.pk,
            "decider": decider.pk,
            "decision_sla_hours": "24",
            "escalation_forum": "Sync",
        } | changes

    def test_the_page_refuses_a_second_decider_and_names_the_first(
        self, leader_client, ready_contract, seam, leader
    ):
        response = leader_client.post(
            reverse("contracts:right-add", args=[ready_contract.slug]), self.form(seam, leader)
        )
        assert response.status_code == 400
        errors = response.context["right_form"].errors["decision_type"][0]
        assert "already has a decider in this contract: Maya Chen" in errors
        assert DecisionRight.objects.count() == 1

    def test_the_api_refuses_it_naming_the_field(self, leader, ready_contract, seam):
        response = api(leader).post(
            f"/api/v1/contracts/{ready_contract.slug}/decision-rights/",
            {
                "decision_type": "Integration scope",
                "seam": seam.slug,
                "decider": "leader",
                "decision_sla_hours": "24",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "exactly one decider" in response.json()["errors"]["decision_type"][0]

    def test_the_database_refuses_it_too(self, ready_contract, leader):
        with pytest.raises(IntegrityError), transaction.atomic():
            DecisionRight.objects.create(
                contract=ready_contract,
                decision_type="INTEGRATION SCOPE",
                decider=leader,
                decision_sla_hours=Decimal(8),
            )

    def test_the_same_type_in_another_contract_is_fine(
        self, leader_client, ready_contract, seam, leader
    ):
        other = Contract.objects.create(slug="other", title="Other", scope="x", leader=leader)
        ContractSeam.objects.create(contract=other, seam=seam)
        response = leader_client.post(
            reverse("contracts:right-add", args=[other.slug]), self.form(seam, leader)
        )
        assert response.status_code == 302
        assert DecisionRight.objects.filter(contract=other).get().decider == leader

    def test_a_decision_right_needs_its_seam_on_the_contract_and_positive_hours(
        self, leader_client, ready_contract, leader, team, third_team
    ):
        elsewhere = SeamFactory(name="Elsewhere", from_team=team, to_team=third_team)
        response = leader_client.post(
            reverse("contracts:right-add", args=[ready_contract.slug]),
            self.form(elsewhere, leader, decision_type="Budget", decision_sla_hours="0"),
        )
        assert response.status_code == 400
        assert set(response.context["right_form"].errors) == {"seam", "decision_sla_hours"}


class TestTargets:
    def test_a_leader_sets_a_target_with_the_metrics_usual_direction(
        self, leader_client, ready_contract, seam
    ):
        response = leader_client.post(
            reverse("contracts:target-add", args=[ready_contract.slug]),
            {"seam": seam.pk, "metric": "throughput", "target": "40", "tolerance_pct": "20"},
            follow=True,
        )
        target = MetricTarget.objects.get(metric="throughput")
        assert target.direction == "higher"
        assert "Target set: Throughput" in response.content.decode()

    def test_a_sixth_target_warns_on_the_page(self, leader_client, ready_contract, seam):
        for metric in ("escalations", "wip_open"):
            MetricTarget.objects.create(contract=ready_contract, seam=seam, metric=metric, target=2)
        response = leader_client.post(
            reverse("contracts:target-add", args=[ready_contract.slug]),
            {"seam": seam.pk, "metric": "throughput", "target": "40", "tolerance_pct": "20"},
            follow=True,
        )
        assert "more than 5 dilutes the monthly review" in response.content.decode()

    def test_the_same_metric_twice_on_a_seam_is_refused(self, leader, ready_contract, seam):
        response = api(leader).post(
            f"/api/v1/contracts/{ready_contract.slug}/targets/",
            {"seam": seam.slug, "metric": "rework_rate", "target": "5"},
            format="json",
        )
        assert response.status_code == 400
        assert "already has a target" in response.json()["errors"]["metric"][0]

    def test_the_api_reports_the_3_to_5_warning(self, viewer, ready_contract, seam):
        MetricTarget.objects.filter(metric="rework_rate").delete()
        body = api(viewer).get(f"/api/v1/contracts/{ready_contract.slug}/").json()
        assert body["warnings"] == [
            "Custom integration intake has 2 metric targets; 3 to 5 make a useful monthly review."
        ]
        assert {t["metric"] for t in body["targets"]} == {"queue_time_p85_hours", "sla_breach_rate"}


class TestContractPage:
    def test_it_shows_scope_seams_with_owner_and_sla_rights_targets_and_cadence(
        self, viewer_client, ready_contract
    ):
        page = viewer_client.get(
            reverse("contracts:detail", args=[ready_contract.slug])
        ).content.decode()
        for text in (
            "The first 40 customers.",
            "Custom integration intake",
            "owner Owen Owner",
            "response SLA 16 h",
            "Queue time p85",
            "≤ 24 h",
            "+20 %",
            "Integration scope",
            "Maya Chen",
            "day 9 of every month",
        ):
            assert text in page
        assert reverse("seams:spec", args=["custom-integration-intake"]) in page
        assert "Add a decision right" not in page  # a viewer changes nothing

    def test_it_keeps_queries_bounded(
        self,
        viewer_client,
        ready_contract,
        leaders,
        team,
        other_team,
        django_assert_max_num_queries,
    ):
        from contracts.services import publish_revision

        for n in range(6):
            seam = SeamFactory(name=f"Seam {n}", from_team=team, to_team=other_team)
            ContractSeam.objects.create(contract=ready_contract, seam=seam)
            MetricTarget.objects.create(
                contract=ready_contract, seam=seam, metric="rework_rate", target=5
            )
        publish_revision(contract=ready_contract, changelog="r1", by=leaders[0])
        publish_revision(contract=ready_contract, changelog="r2", by=leaders[0])
        # Flat in the number of seams and revisions: 27 with 1 seam or 7, 1 revision or 3,
        # and 7 more for contract vs reality in the aside (the seams and one signals_for).
        with django_assert_max_num_queries(35):
            viewer_client.get(reverse("contracts:detail", args=[ready_contract.slug]))

    def test_the_list_shows_each_contract_with_its_signature_state(
        self, viewer_client, ready_contract, leaders, django_assert_max_num_queries
    ):
        from contracts.services import publish_revision

        publish_revision(contract=ready_contract, changelog="r1", by=leaders[0])
        with django_assert_max_num_queries(12):
            page = viewer_client.get(reverse("contracts:list")).content.decode()
        assert "Enterprise launch" in page
        assert "0 of 3 signed" in page

    def test_a_leader_drafts_a_contract(self, leader_client, leader):
        response = leader_client.post(
            reverse("contracts:create"),
            {
                "title": "Revenue engine",
                "scope": "Leads and redlines",
                "leader": leader.pk,
                "review_day": 15,
            },
        )
        contract = Contract.objects.get(slug="revenue-engine")
        assert response["Location"] == contract.get_absolute_url()
        assert contract.status == "draft"

    def test_a_review_day_must_exist_every_month(self, leader_client, leader):
        response = leader_client.post(
            reverse("contracts:create"),
            {"title": "X", "scope": "Y", "leader": leader.pk, "review_day": 31},
        )
        assert response.status_code == 400
        assert "review_day" in response.context["form"].errors

    @pytest.mark.parametrize("client_name", ["owner_client", "ops_client", "viewer_client"])
    def test_only_leaders_change_contracts(self, request, client_name, ready_contract, seam):
        client = request.getfixturevalue(client_name)
        slug = ready_contract.slug
        target = MetricTarget.objects.first()
        attempts = [
            client.post(reverse("contracts:create"), {"title": "Mine", "scope": "x"}),
            client.post(reverse("contracts:edit", args=[slug]), {"title": "Mine", "scope": "x"}),
            client.post(reverse("contracts:target-delete", args=[slug, target.pk])),
            client.post(reverse("contracts:remove-seam", args=[slug, seam.slug])),
            client.post(
                reverse("contracts:right-delete", args=[slug, DecisionRight.objects.first().pk])
            ),
        ]
        assert [r.status_code for r in attempts] == [403] * 5
        assert Contract.objects.get().title == "Enterprise launch"
        assert MetricTarget.objects.count() == 3
        assert DecisionRight.objects.count() == 1

    def test_removing_a_seam_takes_its_targets_and_rights(
        self, leader_client, ready_contract, seam
    ):
        leader_client.post(reverse("contracts:remove-seam", args=[ready_contract.slug, seam.slug]))
        assert not ready_contract.seams.exists()
        assert not MetricTarget.objects.exists()
        assert not DecisionRight.objects.exists()


class TestContractApi:
    def test_a_leader_creates_a_contract_covering_seams(self, leader, seam):
        response = api(leader).post(
            "/api/v1/contracts/",
            {"title": "Launch", "scope": "S", "leader": "leader", "seams": [seam.slug]},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["seams"] == [seam.slug]
        assert response.json()["status"] == "draft"

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer"])
    def test_others_are_refused(self, request, role, ready_contract):
        client = api(request.getfixturevalue(role))
        assert (
            client.post(
                "/api/v1/contracts/",
                {"title": "X", "scope": "x", "leader": "leader"},
                format="json",
            ).status_code
            == 403
        )
        assert (
            client.patch(
                f"/api/v1/contracts/{ready_contract.slug}/", {"title": "X"}, format="json"
            ).status_code
            == 403
        )
        assert (
            client.post(
                f"/api/v1/contracts/{ready_contract.slug}/revisions/",
                {"changelog": "x"},
                format="json",
            ).status_code
            == 403
        )
        assert Contract.objects.get().title == "Enterprise launch"
        assert not ready_contract.revisions.exists()

    def test_only_an_unpublished_draft_can_be_deleted(self, leader, ready_contract):
        from contracts.services import publish_revision

        publish_revision(contract=ready_contract, changelog="r1", by=leader)
        response = api(leader).delete(f"/api/v1/contracts/{ready_contract.slug}/")
        assert response.status_code == 409
        assert Contract.objects.exists()


def test_a_leader_edits_a_target_and_a_decision_right_on_their_own_pages(
    leader_client, ready_contract, seam, leader
):
    target = MetricTarget.objects.get(metric="rework_rate")
    url = reverse("contracts:target-edit", args=[ready_contract.slug, target.pk])
    assert leader_client.get(url).status_code == 200
    response = leader_client.post(
        url,
        {
            "seam": seam.pk,
            "metric": "rework_rate",
            "target": "12",
            "direction": "lower",
            "tolerance_pct": "10",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.target, target.tolerance_pct) == (Decimal(12), Decimal(10))
    right = DecisionRight.objects.get()
    bad = leader_client.post(
        reverse("contracts:right-edit", args=[ready_contract.slug, right.pk]),
        {
            "decision_type": "Integration scope",
            "seam": seam.pk,
            "decider": leader.pk,
            "decision_sla_hours": "-1",
        },
    )
    assert bad.status_code == 400
    assert DecisionRight.objects.get().decision_sla_hours == Decimal(24)
