from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from seams.models import HandoffSpec, Seam
from tests.factories import write_spec


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestSpecs:
    def test_it_serves_the_spec_with_its_version_as_etag(self, viewer, seam):
        response = api_as(viewer).get(f"/api/v1/specs/{seam.slug}/")
        assert response["ETag"] == '"1"'
        body = response.json()
        assert body["version"] == 1
        assert body["owner"] == "owner"
        assert body["definition_of_ready"] == [
            "Use case in one paragraph",
            "Sample payload attached",
        ]
        assert body["response_sla_hours"] == "16.00"

    def test_a_write_without_if_match_is_refused_with_428(self, owner, seam):
        response = api_as(owner).patch(
            f"/api/v1/specs/{seam.slug}/", {"forum": "x", "note": "x"}, format="json"
        )
        assert response.status_code == 428
        assert response.json()["code"] == "precondition_required"
        assert HandoffSpec.objects.get(seam=seam).version == 1

    def test_a_stale_write_gets_412_with_the_current_spec_and_writes_nothing(
        self, owner, other_owner, seam
    ):
        write_spec(seam, by=other_owner, note="Faster", response_sla_hours=Decimal("8"))
        response = api_as(owner).patch(
            f"/api/v1/specs/{seam.slug}/",
            {"forum": "Mine", "note": "Mine"},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 412
        assert response["ETag"] == '"2"'
        assert response.json()["current"]["response_sla_hours"] == "8.00"
        spec = HandoffSpec.objects.get(seam=seam)
        assert (spec.version, spec.forum) == (2, "Weekly seam sync")

    def test_a_fresh_write_makes_a_version_and_returns_the_new_etag(self, owner, seam):
        response = api_as(owner).patch(
            f"/api/v1/specs/{seam.slug}/",
            {"definition_of_ready": ["Payload", "Use case"], "note": "Payload first"},
            format="json",
            HTTP_IF_MATCH='W/"1"',
        )
        assert response.status_code == 200
        assert response["ETag"] == '"2"'
        assert HandoffSpec.objects.get(seam=seam).versions.first().note == "Payload first"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"response_sla_hours": "0"}, "response_sla_hours"),
            ({"response_sla_hours": "-3"}, "response_sla_hours"),
            ({"completion_sla_hours": "4"}, "completion_sla_hours"),  # before the 16 h response
            ({"owner": "ghost"}, "owner"),
            ({"owner": None}, "owner"),
            ({"definition_of_ready": ["Use case", "  "]}, "definition_of_ready"),
            ({"escalate_to": "ghost"}, "escalate_to"),
            ({"note": ""}, "note"),
        ],
    )
    def test_it_names_the_field_of_bad_input(self, owner, seam, body, field):
        response = api_as(owner).patch(
            f"/api/v1/specs/{seam.slug}/",
            {"note": "Try"} | body,
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert HandoffSpec.objects.get(seam=seam).version == 1

    def test_it_lists_versions_and_restores_one(self, owner, seam):
        write_spec(seam, by=owner, note="Faster", response_sla_hours=Decimal("8"))
        client = api_as(owner)
        versions = client.get(f"/api/v1/specs/{seam.slug}/versions/").json()
        assert [v["number"] for v in versions["results"]] == [2, 1]
        assert (
            client.get(f"/api/v1/specs/{seam.slug}/versions/1/").json()["response_sla_hours"]
            == "16.00"
        )
        restored = client.post(
            f"/api/v1/specs/{seam.slug}/versions/1/restore/", HTTP_IF_MATCH='"2"'
        )
        assert restored.status_code == 200
        assert (restored.json()["version"], restored.json()["response_sla_hours"]) == (3, "16.00")
        assert client.get(f"/api/v1/specs/{seam.slug}/versions/9/").status_code == 404


class TestSeamsApi:
    def test_it_creates_a_seam_with_its_owner_in_spec_v1(self, owner, team, other_team, seam):
        response = api_as(owner).post(
            "/api/v1/seams/",
            {
                "name": "Pricing questions",
                "from_team": "sales",
                "to_team": "product",
                "calendar": seam.calendar.slug,
                "owner": "owner",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["spec_version"] == 1
        assert Seam.objects.get(slug="pricing-questions").spec.owner == owner

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"to_team": "sales"}, "to_team"),
            ({"name": "Custom integration intake"}, "name"),
            ({"from_team": "nope"}, "from_team"),
            ({"calendar": "nope"}, "calendar"),
            ({"owner": "ghost"}, "owner"),
            ({"status": "paused"}, "status"),
        ],
    )
    def test_it_names_the_field_of_bad_input(self, leader, seam, body, field):
        data = {
            "name": "New seam",
            "from_team": "sales",
            "to_team": "product",
            "calendar": seam.calendar.slug,
        } | body
        response = api_as(leader).post("/api/v1/seams/", data, format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert Seam.objects.count() == 1

    def test_the_owner_changes_only_through_the_spec(self, leader, seam):
        response = api_as(leader).patch(
            f"/api/v1/seams/{seam.slug}/", {"owner": "leader"}, format="json"
        )
        assert response.status_code == 400
        assert "through the spec" in response.json()["errors"]["owner"][0]

    def test_it_starts_a_pilot(self, other_owner, seam):
        response = api_as(other_owner).post(f"/api/v1/seams/{seam.slug}/start-pilot/")
        assert response.status_code == 200
        assert response.json()["status"] == "pilot"
        again = api_as(other_owner).post(f"/api/v1/seams/{seam.slug}/start-pilot/")
        assert again.status_code == 400

    def test_it_filters_by_status(self, viewer, seam):
        assert api_as(viewer).get("/api/v1/seams/", {"status": "retired"}).json()["count"] == 0
        assert api_as(viewer).get("/api/v1/seams/", {"status": "active"}).json()["count"] == 1
