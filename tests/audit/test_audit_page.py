"""The audit log's page and its export: leaders browse every change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from seams.models import (
    Seam,
)
from tests.factories import CalendarFactory, TeamFactory, write_spec


class TestAuditPage:
    def test_leaders_see_who_changed_what_before_and_after(self, leader_client, history):
        page = leader_client.get(reverse("audit:list")).content.decode()
        assert "Lena Leader" in page
        assert "Custom integration intake</del> → <ins>Intake</ins>" in page
        assert "16.00</del> → <ins>8.00</ins>" in page
        assert f'href="{history.get_absolute_url()}"' in page  # the seam still exists
        assert f'href="{reverse("seams:spec", args=[history.slug])}"' in page
        assert "“Faster”" in page  # the spec save's note

    def test_related_objects_and_choices_read_as_names(self, leader_client, leader, seam):
        us_hours = CalendarFactory(name="US hours", time_zone="America/New_York")
        seam.calendar = us_hours
        seam.status = Seam.Status.RETIRED
        seam.save()
        page = leader_client.get(reverse("audit:list")).content.decode()
        assert "UK business hours</del> → <ins>US hours</ins>" in page
        assert "Active</del> → <ins>Retired</ins>" in page

    def test_a_deleted_object_is_named_but_not_linked(self, leader_client, db):
        team = TeamFactory(name="Gone")
        url = team.get_absolute_url()
        team.delete()
        page = leader_client.get(reverse("audit:list")).content.decode()
        assert "Deleted" in page
        assert "Gone" in page
        assert f'href="{url}"' not in page

    @pytest.mark.parametrize("who", ["owner_client", "ops_client", "viewer_client"])
    def test_others_are_refused(self, request, who, seam):
        client = request.getfixturevalue(who)
        assert client.get(reverse("audit:list")).status_code == 403
        assert client.get(reverse("audit:refused")).status_code == 403
        assert client.get(reverse("audit:export")).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, db):
        assert client.get(reverse("audit:list")).status_code == 302

    def test_it_answers_only_get(self, leader_client):
        assert leader_client.post(reverse("audit:list")).status_code == 405

    def test_it_filters_by_person_kind_action_text_and_period(
        self, leader_client, leader, owner, history
    ):
        def objects(**params) -> set[str]:
            response = leader_client.get(reverse("audit:list"), params)
            return {row.entry.object_repr for row in response.context["rows"]}

        assert objects(person="leader") == {"Intake"}
        assert objects(person="owner") == {"Spec of Intake v2"}
        specs = objects(kind="seams.handoffspec")
        assert "Spec of Intake v2" in specs
        assert all(text.startswith("Spec of") for text in specs)
        assert objects(action="changed", kind="seams.seam") == {"Intake"}
        assert objects(action="created", q="produc") == {"Product"}
        assert objects(q="intake v2") == {"Spec of Intake v2"}
        assert objects(action="deleted") == set()
        today = timezone.localdate()
        assert "Intake" in objects(since=today.isoformat(), until=today.isoformat())
        assert objects(until=(today - timedelta(days=1)).isoformat()) == set()
        response = leader_client.get(
            reverse("audit:list"), {"since": today.isoformat(), "until": "2000-01-01"}
        )
        assert "before its start" in response.content.decode()
        assert objects(person="-") >= {"Sales"}  # the fixtures' writes had no actor

    def test_it_renders_the_table_alone_for_htmx(self, leader_client, history):
        response = leader_client.get(reverse("audit:list"), {"q": "x"}, HTTP_HX_REQUEST="true")
        assert (
            response.content.decode().lstrip().startswith('<section class="card" id="audit-table"')
        )

    def test_it_says_when_nothing_matches_and_when_nothing_happened(self, leader_client, db):
        LogEntry.objects.all().delete()
        assert (
            "No changes recorded yet" in leader_client.get(reverse("audit:list")).content.decode()
        )
        page = leader_client.get(reverse("audit:list"), {"q": "nothing like this"})
        assert "No changes match" in page.content.decode()

    def test_it_pages_fifty_at_a_time_in_bounded_queries(
        self, leader_client, owner, seam, django_assert_max_num_queries
    ):
        for n in range(45):
            team = TeamFactory(name=f"Team {n:02d}")
            team.description = f"Renamed {n}"
            team.save()
        for hours in (10, 11, 12, 13, 14):
            write_spec(seam, by=owner, note=f"{hours} h", response_sla_hours=Decimal(hours))
        seam.calendar = CalendarFactory(name="US hours", time_zone="America/New_York")
        seam.save()
        assert LogEntry.objects.count() >= 100
        with django_assert_max_num_queries(20):
            response = leader_client.get(reverse("audit:list"))
        assert len(response.context["rows"]) == 50
        with django_assert_max_num_queries(20):
            second = leader_client.get(reverse("audit:list"), {"page": 2})
        assert len(second.context["rows"]) == 50

    def test_it_exports_the_filtered_log_with_formulas_escaped(self, leader_client, leader, seam):
        seam.name = "=HYPERLINK(evil)"
        seam.save()
        response = leader_client.get(reverse("audit:export"), {"person": "-"})
        assert response["Content-Type"].startswith("text/csv")
        body = b"".join(response.streaming_content).decode()
        lines = body.splitlines()
        assert lines[0].lstrip("\ufeff").startswith("when,person,action,kind,object")
        assert "'=HYPERLINK(evil)" in body
        assert "Custom integration intake → =HYPERLINK(evil)" in body

    def test_leaders_get_the_menu_flag_and_others_do_not(self, leader_client, viewer_client):
        assert leader_client.get(reverse("seams:list")).context["can_browse_audit"] is True
        assert viewer_client.get(reverse("seams:list")).context["can_browse_audit"] is False
