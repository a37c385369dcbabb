"""The refused writes' page: leaders browse every refused write."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import RefusedWrite


class TestRefusedPage:
    def test_leaders_see_every_refused_write_with_its_reason(self, leader_client, history):
        page = leader_client.get(reverse("audit:refused")).content.decode()
        assert "PATCH /api/v1/teams/sales/" in page
        assert "team-detail · slug sales" in page
        assert "Vic Viewer" in page
        assert "Only leaders change teams and who belongs to them." in page

    def test_it_filters_by_person_status_text_and_period(self, leader_client, history):
        def paths(**params) -> list[str]:
            response = leader_client.get(reverse("audit:refused"), params)
            return [r.path for r in response.context["page"].object_list]

        APIClient().post("/api/v1/teams/", {"name": "Ghost"}, format="json")
        assert paths(person="viewer") == ["/api/v1/teams/sales/"]
        assert paths(person="-") == ["/api/v1/teams/"]
        assert len(paths(status="403")) + len(paths(status="401")) == 2
        assert paths(q="only leaders") == ["/api/v1/teams/sales/"]
        tomorrow = timezone.localdate() + timedelta(days=1)
        assert paths(since=tomorrow.isoformat()) == []

    def test_it_renders_the_table_alone_for_htmx(self, leader_client, history):
        response = leader_client.get(reverse("audit:refused"), HTTP_HX_REQUEST="true")
        assert (
            response.content.decode()
            .lstrip()
            .startswith('<section class="card" id="refused-table"')
        )

    def test_it_says_when_there_are_none(self, leader_client):
        page = leader_client.get(reverse("audit:refused")).content.decode()
        assert "No refused writes" in page

    def test_it_lists_in_bounded_queries(
        self, leader_client, viewer_client, django_assert_max_num_queries
    ):
        viewer_client.post(reverse("seams:team-create"), {"name": "Shadow IT"})
        first = RefusedWrite.objects.get()
        # Distinct refusals (repeats of one would add to its row instead).
        RefusedWrite.objects.bulk_create(
            RefusedWrite(
                user=first.user,
                username=first.username,
                method="POST",
                path=f"/teams/new/{n}/",
                status=403,
                reason=first.reason,
            )
            for n in range(59)
        )
        with django_assert_max_num_queries(10):
            response = leader_client.get(reverse("audit:refused"))
        assert len(response.context["page"].object_list) == 50
