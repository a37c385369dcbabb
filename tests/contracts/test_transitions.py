"""Contract status moves: draft → pilot → active → retired, only by leaders, with reasons."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Contract, ContractEvent
from contracts.services import TransitionRefused, transition_contract, transition_refusal


def move(contract, to, by):
    return transition_contract(contract=contract, to_status=to, by=by)


class TestRules:
    def test_a_ready_draft_goes_through_pilot_to_active_and_retired(self, ready_contract, leader):
        for status in ("pilot", "active", "retired"):
            move(ready_contract, status, leader)
            assert Contract.objects.get(pk=ready_contract.pk).status == status
        summaries = list(
            ContractEvent.objects.filter(kind="status")
            .order_by("pk")
            .values_list("summary", flat=True)
        )
        assert summaries == ["Draft → Pilot", "Pilot → Active", "Active → Retired"]

    @pytest.mark.parametrize(
        ("path", "to", "reason"),
        [
            ([], "active", "goes through a pilot"),
            (["pilot", "active"], "pilot", "can only be retired"),
            (["retired"], "pilot", "stays retired"),
            ([], "draft", "already draft"),
            ([], "paused", "not a contract status"),
        ],
    )
    def test_illegal_moves_are_refused_with_a_reason(
        self, ready_contract, leader, path, to, reason
    ):
        for status in path:
            move(ready_contract, status, leader)
        before = Contract.objects.get(pk=ready_contract.pk).status
        with pytest.raises(TransitionRefused, match=reason):
            move(ready_contract, to, leader)
        assert Contract.objects.get(pk=ready_contract.pk).status == before

    def test_running_needs_a_seam_and_a_target_on_every_seam(self, contract, seam, leader):
        assert "Add at least one seam" in transition_refusal(contract, "pilot")
        from contracts.models import ContractSeam

        ContractSeam.objects.create(contract=contract, seam=seam)
        assert f"Set at least one metric target for {seam.name}" in transition_refusal(
            contract, "pilot"
        )
        with pytest.raises(TransitionRefused):
            move(contract, "pilot", leader)

    def test_it_warns_when_a_seam_has_fewer_than_3_or_more_than_5_targets(
        self, contract, seam, leader
    ):
        from tests.contracts.conftest import add_targets

        add_targets(contract, seam, "queue_time_p85_hours")
        result = move(contract, "pilot", leader)
        assert result.warnings == [
            "Custom integration intake has 1 metric target; 3 to 5 make a useful monthly review."
        ]
        add_targets(
            contract,
            seam,
            "rework_rate",
            "sla_breach_rate",
            "escalations",
            "wip_open",
            "throughput",
        )
        assert result.contract.status == "pilot"
        from contracts.services import target_warnings

        assert target_warnings(contract) == [
            "Custom integration intake has 6 metric targets; "
            "more than 5 dilutes the monthly review."
        ]


class TestThroughPages:
    url_name = "contracts:transition"

    def test_a_leader_moves_it_and_sees_the_warnings(self, leader_client, ready_contract):
        response = leader_client.post(
            reverse(self.url_name, args=[ready_contract.slug]), {"status": "pilot"}, follow=True
        )
        assert Contract.objects.get(pk=ready_contract.pk).status == "pilot"
        assert "The contract is now pilot." in response.content.decode()

    def test_a_refused_move_shows_the_reason_and_changes_nothing(
        self, leader_client, ready_contract
    ):
        response = leader_client.post(
            reverse(self.url_name, args=[ready_contract.slug]), {"status": "active"}, follow=True
        )
        assert "Not changed: A draft goes through a pilot" in response.content.decode()
        assert Contract.objects.get(pk=ready_contract.pk).status == "draft"

    @pytest.mark.parametrize("client_name", ["owner_client", "ops_client", "viewer_client"])
    def test_only_leaders_move_it(self, request, client_name, ready_contract):
        response = request.getfixturevalue(client_name).post(
            reverse(self.url_name, args=[ready_contract.slug]), {"status": "pilot"}
        )
        assert response.status_code == 403
        assert Contract.objects.get(pk=ready_contract.pk).status == "draft"
        assert not ContractEvent.objects.exists()

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, ready_contract):
        response = client.post(
            reverse(self.url_name, args=[ready_contract.slug]), {"status": "pilot"}
        )
        assert response.status_code == 302
        assert Contract.objects.get(pk=ready_contract.pk).status == "draft"


class TestThroughApi:
    def api(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def test_a_leader_moves_it(self, leader, ready_contract):
        response = self.api(leader).post(
            f"/api/v1/contracts/{ready_contract.slug}/transition/", {"status": "pilot"}
        )
        assert response.status_code == 200
        assert response.json()["status"] == "pilot"

    def test_a_refused_move_is_409_with_the_reason(self, leader, ready_contract):
        response = self.api(leader).post(
            f"/api/v1/contracts/{ready_contract.slug}/transition/", {"status": "active"}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "refused"
        assert "goes through a pilot" in response.json()["detail"]
        assert Contract.objects.get(pk=ready_contract.pk).status == "draft"

    def test_status_is_not_writable_directly(self, leader, ready_contract):
        response = self.api(leader).patch(
            f"/api/v1/contracts/{ready_contract.slug}/", {"status": "active"}, format="json"
        )
        assert response.status_code == 200
        assert Contract.objects.get(pk=ready_contract.pk).status == "draft"

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer"])
    def test_only_leaders_move_it(self, request, role, ready_contract):
        response = self.api(request.getfixturevalue(role)).post(
            f"/api/v1/contracts/{ready_contract.slug}/transition/", {"status": "pilot"}
        )
        assert response.status_code == 403
        assert Contract.objects.get(pk=ready_contract.pk).status == "draft"
