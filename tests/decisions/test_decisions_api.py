from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from decisions.models import Constraint, Decision, Dependency, DependencyMove, Escalation
from tests.factories import UserFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestDecisions:
    def test_ops_logs_one_and_the_right_fills_decider_and_due(self, ops, seam, right):
        response = api(ops).post(
            "/api/v1/decisions/",
            {"question": "Scope Acme?", "decision_type": "integration scope", "seam": seam.slug},
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["decider"], body["status"], body["requested_by"]) == (
            "other_owner",
            "open",
            "ops",
        )
        assert body["due_at"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"seam": "nope"}, "seam"),
            ({"seam": None}, "seam"),
            ({"question": "x" * 301}, "question"),
            ({"decision_type": "Budget"}, "decider"),
        ],
    )
    def test_bad_input_names_the_field(self, ops, seam, right, body, field):
        data = {"question": "Q?", "decision_type": "Integration scope", "seam": seam.slug} | body
        response = api(ops).post("/api/v1/decisions/", data, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert not Decision.objects.exists()

    def test_deciding_before_the_request_is_refused(self, ops, leader, other_owner, seam, right):
        created = (
            api(ops)
            .post(
                "/api/v1/decisions/",
                {"question": "Q?", "decision_type": "Integration scope", "seam": seam.slug},
                format="json",
            )
            .json()
        )
        early = (timezone.now() - timedelta(days=1)).isoformat()
        # The decider is a team owner: only leaders and ops give past times.
        owner_said = api(other_owner).post(
            f"/api/v1/decisions/{created['id']}/decide/",
            {"outcome": "Yes", "decided_at": early},
            format="json",
        )
        assert owner_said.status_code == 403
        assert "Only leaders and ops give past times" in owner_said.json()["detail"]
        response = api(leader).post(
            f"/api/v1/decisions/{created['id']}/decide/",
            {"outcome": "Yes", "decided_at": early},
            format="json",
        )
        assert response.status_code == 409
        assert "before it was asked" in response.json()["detail"]
        ok = api(other_owner).post(
            f"/api/v1/decisions/{created['id']}/decide/", {"outcome": "Yes"}, format="json"
        )
        assert ok.json()["status"] == "decided"
        assert [e["kind"] for e in ok.json()["events"]] == ["logged", "decided"]

    def test_a_viewer_cannot_log(self, viewer, seam, right):
        response = api(viewer).post(
            "/api/v1/decisions/",
            {"question": "Q?", "decision_type": "Integration scope", "seam": seam.slug},
            format="json",
        )
        assert response.status_code == 403
        assert not Decision.objects.exists()


class TestBoardMovesThroughTheApi:
    @pytest.fixture
    def card(self, team, other_team):
        return Dependency.objects.create(
            title="Sandbox",
            provider=other_team,
            consumer=team,
            owner=UserFactory(),
            needed_by=timezone.localdate() + timedelta(days=9),
        )

    def test_ops_moves_it_and_the_history_is_returned(self, ops, card):
        client = api(ops)
        client.post(f"/api/v1/dependencies/{card.pk}/move/", {"status": "committed"}, format="json")
        response = client.post(
            f"/api/v1/dependencies/{card.pk}/move/", {"status": "delivered"}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "delivered"
        assert body["delivered_on_time"] is True
        assert [(m["from_status"], m["to_status"], m["by"]) for m in body["moves"]] == [
            ("requested", "committed", "ops"),
            ("committed", "delivered", "ops"),
        ]

    def test_a_viewer_may_not_and_status_is_not_writable_directly(self, viewer, ops, card):
        assert (
            api(viewer)
            .post(f"/api/v1/dependencies/{card.pk}/move/", {"status": "missed"}, format="json")
            .status_code
            == 403
        )
        api(ops).patch(f"/api/v1/dependencies/{card.pk}/", {"status": "missed"}, format="json")
        assert Dependency.objects.get(pk=card.pk).status == "requested"
        assert not DependencyMove.objects.exists()

    def test_a_dependency_needs_two_different_teams(self, ops, team):
        response = api(ops).post(
            "/api/v1/dependencies/",
            {
                "title": "Self",
                "provider": team.slug,
                "consumer": team.slug,
                "owner": "ops",
                "needed_by": "2026-12-01",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "provider" in response.json()["errors"]


class TestEscalationsAndConstraints:
    def test_an_owner_logs_an_escalation_on_their_seam_but_not_elsewhere(
        self, owner, unrelated_owner, seam
    ):
        data = {"seam": seam.slug, "summary": "No payload", "cause": "missing_inputs"}
        assert api(owner).post("/api/v1/escalations/", data, format="json").status_code == 201
        assert (
            api(unrelated_owner).post("/api/v1/escalations/", data, format="json").status_code
            == 403
        )
        assert Escalation.objects.count() == 1

    def test_resolution_cannot_precede_the_escalation(self, ops, seam):
        created = (
            api(ops)
            .post(
                "/api/v1/escalations/",
                {"seam": seam.slug, "summary": "x", "cause": "other"},
                format="json",
            )
            .json()
        )
        response = api(ops).patch(
            f"/api/v1/escalations/{created['id']}/",
            {"resolved_at": (timezone.now() - timedelta(days=2)).isoformat()},
            format="json",
        )
        assert response.status_code == 400
        assert "resolved_at" in response.json()["errors"]

    def test_a_constraint_needs_a_place_and_dates_in_order(self, ops, seam):
        client = api(ops)
        nowhere = client.post(
            "/api/v1/constraints/", {"description": "Cap", "owner": "ops"}, format="json"
        )
        assert nowhere.status_code == 400
        backwards = client.post(
            "/api/v1/constraints/",
            {
                "description": "Cap",
                "owner": "ops",
                "seam": seam.slug,
                "raised_at": "2026-11-10",
                "removed_at": "2026-11-01",
            },
            format="json",
        )
        assert "removed_at" in backwards.json()["errors"]
        future = client.post(
            "/api/v1/constraints/",
            {"description": "Cap", "owner": "ops", "seam": seam.slug, "raised_at": "2099-01-01"},
            format="json",
        )
        assert "raised_at" in future.json()["errors"]
        assert not Constraint.objects.exists()
