from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from seams.ingest import ingest
from seams.models import Handoff
from tests.factories import SeamFactory


def row(the_seam, external_id="J-1", **changes):
    base = {
        "seam": the_seam.slug,
        "external_id": external_id,
        "title": "Acme SSO",
        "approval_type": "standard",
        "submitted_at": "2026-11-13T16:00:00",
        "started_at": "2026-11-16T10:00:00",
        "completed_at": "",
        "returned_count": "0",
    }
    return base | changes


def test_naive_times_are_read_in_the_organisations_zone_and_durations_stored(seam):
    result = ingest([(2, row(seam))], source="csv", partial=False)
    assert (result.created, result.updated, result.errors) == (1, 0, [])
    handoff = Handoff.objects.get()
    assert (
        handoff.submitted_at.isoformat() == "2026-11-13T16:00:00+00:00"
    )  # London in November is UTC
    assert handoff.queue_hours == Decimal("2.5000")
    assert handoff.sla_hours == Decimal("16.00")


def test_the_same_rows_twice_give_one_row_per_key_and_update(seam):
    ingest([(2, row(seam)), (3, row(seam, "J-2"))], source="csv", partial=False)
    second = ingest(
        [(2, row(seam, completed_at="2026-11-17T12:00:00")), (3, row(seam, "J-2"))],
        source="csv",
        partial=False,
    )
    assert (second.created, second.updated) == (0, 2)
    assert Handoff.objects.count() == 2
    assert Handoff.objects.get(external_id="J-1").completed_at is not None
    ingest([(2, row(seam))], source="jira", partial=False)  # another source is another key
    assert Handoff.objects.count() == 3


BAD = [
    ({"seam": "nope"}, "seam", "No seam “nope”."),
    ({"submitted_at": "yesterday"}, "submitted_at", "not an ISO 8601"),
    ({"submitted_at": "2026-02-30T10:00"}, "submitted_at", "not a real date"),
    ({"submitted_at": "2099-01-01T10:00"}, "submitted_at", "in the future"),
    ({"started_at": "2026-11-12T10:00:00"}, "started_at", "Started before it was submitted."),
    ({"completed_at": "2026-11-15T10:00:00"}, "completed_at", "Completed before it was started."),
    ({"started_at": "", "completed_at": "2026-11-15T10:00:00"}, "completed_at", "never started"),
    ({"returned_count": "-1"}, "returned_count", "not a whole number of 0 or more"),
    ({"returned_count": "1.5"}, "returned_count", "not a whole number"),
    ({"submitted_at": "1999-12-31T23:59:00Z"}, "submitted_at", "before 2000"),
    ({"submitted_at": "0001-01-01T00:00:00+01:00"}, "submitted_at", "before 2000"),
    ({"title": "Half\x00a title"}, "title", "NUL character"),
    ({"external_id": "J\x00"}, "external_id", "NUL character"),
    ({"title": ""}, "title", "missing"),
    ({"title": "x" * 301}, "title", "Longer than 300"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_a_bad_row_is_reported_and_nothing_is_written_all_or_nothing(seam, changes, field, message):
    result = ingest(
        [(2, row(seam, "GOOD")), (3, row(seam, **changes))], source="csv", partial=False
    )
    [error] = result.errors
    assert error.row == 3
    assert message in error.errors[field]
    assert result.written is False
    assert not Handoff.objects.exists()


def test_any_utc_offset_is_taken_and_stored_in_utc(seam):
    result = ingest(
        [(2, row(seam, submitted_at="2026-11-13T01:00:00-21:30", started_at=""))],
        source="csv",
        partial=False,
    )
    assert result.errors == []
    assert Handoff.objects.get().submitted_at.isoformat() == "2026-11-13T22:30:00+00:00"


def test_a_duplicate_id_in_one_batch_is_reported_on_its_second_row(seam):
    result = ingest([(2, row(seam)), (3, row(seam, title="Again"))], source="csv", partial=True)
    assert result.errors[0].row == 3
    assert "already used on row 2" in result.errors[0].errors["external_id"]
    assert Handoff.objects.get().title == "Acme SSO"


def test_partial_mode_writes_the_valid_rows(seam):
    result = ingest(
        [(2, row(seam)), (3, row(seam, "J-2", seam="nope"))], source="csv", partial=True
    )
    assert (result.created, len(result.errors)) == (1, 1)
    assert list(Handoff.objects.values_list("external_id", flat=True)) == ["J-1"]


class TestBulkApi:
    def api(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def test_a_list_twice_gives_one_row_per_key(self, ops, seam):
        rows = [
            row(
                seam,
                f"A-{i}",
                submitted_at=(timezone.now() - timedelta(days=3)).isoformat(),
                started_at="",
            )
            for i in range(5)
        ]
        first = self.api(ops).post("/api/v1/handoffs/", rows, format="json").json()
        second = self.api(ops).post("/api/v1/handoffs/", rows, format="json").json()
        assert (first["created"], first["updated"]) == (5, 0)
        assert (second["created"], second["updated"]) == (0, 5)
        assert Handoff.objects.filter(source="api").count() == 5

    def test_bad_rows_are_reported_by_index_and_good_ones_kept(self, ops, seam):
        rows = [
            row(seam, "ok"),
            row(seam, "bad", seam="ghost"),
            row(seam, "worse", returned_count=-2),
        ]
        response = self.api(ops).post("/api/v1/handoffs/", rows, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["created"] == 1
        assert [(e["index"], sorted(e["errors"])) for e in body["errors"]] == [
            (1, ["seam"]),
            (2, ["returned_count"]),
        ]

    def test_one_object_works_and_all_bad_is_400(self, ops, seam):
        assert (
            self.api(ops).post("/api/v1/handoffs/", row(seam), format="json").json()["created"] == 1
        )
        response = self.api(ops).post("/api/v1/handoffs/", row(seam, seam="ghost"), format="json")
        assert response.status_code == 400

    def test_more_than_10000_rows_are_refused_whole(self, ops, seam):
        rows = [row(seam, str(i)) for i in range(10_001)]
        response = self.api(ops).post("/api/v1/handoffs/", rows, format="json")
        assert response.status_code == 400
        assert "At most 10,000" in response.json()["errors"]["rows"]
        assert not Handoff.objects.exists()

    @pytest.mark.parametrize("role", ["viewer", "ops"])
    def test_viewers_and_people_without_a_team_record_nothing(self, request, role, seam):
        user = request.getfixturevalue(role)
        if role == "ops":
            user.groups.clear()  # signed in, no role, no team: a viewer's rights
        response = self.api(user).post("/api/v1/handoffs/", row(seam), format="json")
        assert response.status_code == 403
        assert not Handoff.objects.exists()

    def test_team_owners_record_at_their_own_teams_seams_only(
        self, owner, other_owner, seam, third_team, other_team
    ):
        elsewhere = SeamFactory(name="Legal review", from_team=other_team, to_team=third_team)
        response = self.api(owner).post(
            "/api/v1/handoffs/",
            [row(seam, "MINE"), row(elsewhere, "THEIRS")],
            format="json",
        )
        assert response.status_code == 200
        body = response.json()
        assert body["created"] == 1
        [error] = body["errors"]
        assert (error["index"], list(error["errors"])) == (1, ["seam"])
        assert "sending or receiving team they own" in error["errors"]["seam"]
        assert list(Handoff.objects.values_list("external_id", "seam")) == [("MINE", seam.pk)]
        # The receiving team's owner records at the same seam; the other seam is theirs too.
        response = self.api(other_owner).post(
            "/api/v1/handoffs/", [row(seam, "ALSO"), row(elsewhere, "THEIRS")], format="json"
        )
        assert response.json()["created"] == 2

    def test_team_owners_cannot_take_over_another_seams_handoff_by_its_id(
        self, ops, owner, seam, third_team, other_team
    ):
        elsewhere = SeamFactory(name="Legal review", from_team=other_team, to_team=third_team)
        self.api(ops).post("/api/v1/handoffs/", row(elsewhere, "L-1"), format="json")
        response = self.api(owner).post(
            "/api/v1/handoffs/", row(seam, "L-1", title="Moved"), format="json"
        )
        assert response.status_code == 400
        assert (
            "only leaders and ops change it"
            in response.json()["errors"][0]["errors"]["external_id"]
        )
        handoff = Handoff.objects.get()
        assert (handoff.seam, handoff.title) == (elsewhere, "Acme SSO")
