from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seams.models import HandoffSpec, Seam
from tests.factories import CalendarFactory, SeamFactory, TeamFactory, write_spec

LIST = reverse("seams:list")


class TestSeamList:
    def test_it_lists_seams_with_teams_owner_status_and_sla(self, viewer_client, seam):
        response = viewer_client.get(LIST)
        page = response.content.decode()
        assert [s.name for s in response.context["page"]] == ["Custom integration intake"]
        for text in ("Sales", "Product", "Owen Owner", "Active", "16 h", "v1"):
            assert text in page

    def test_it_filters_by_team_status_and_search(self, viewer_client, seam, third_team):
        SeamFactory(
            name="Redline turnaround",
            from_team=third_team,
            to_team=seam.from_team,
            status=Seam.Status.PROPOSED,
        )
        SeamFactory(name="Contract language", from_team=seam.to_team, to_team=third_team)

        def names(**params):
            return [s.name for s in viewer_client.get(LIST, params).context["page"]]

        assert names(team="legal") == ["Contract language", "Redline turnaround"]
        assert names(status="proposed") == ["Redline turnaround"]
        assert names(q="REDLINE") == ["Redline turnaround"]
        assert names(q="owen") == ["Custom integration intake"]  # the owner's name
        assert names(team="sales", status="active") == ["Custom integration intake"]

    def test_it_ignores_an_unknown_team_filter_rather_than_failing(self, viewer_client, seam):
        response = viewer_client.get(LIST, {"team": "nope", "status": "bogus"})
        assert response.status_code == 200
        assert response.context["filters"].errors

    def test_it_paginates_and_keeps_the_filters_in_page_links(
        self, viewer_client, team, other_team
    ):
        for n in range(30):
            SeamFactory(name=f"Seam {n:02d}", from_team=team, to_team=other_team)
        response = viewer_client.get(LIST, {"status": "active"})
        assert len(response.context["page"]) == 25
        assert "status=active&amp;page=2" in response.content.decode()
        assert len(viewer_client.get(LIST, {"status": "active", "page": 2}).context["page"]) == 5

    def test_it_keeps_queries_bounded(
        self, viewer_client, team, other_team, owner, django_assert_max_num_queries
    ):
        for n in range(20):
            write_spec(
                SeamFactory(name=f"Seam {n:02d}", from_team=team, to_team=other_team), by=owner
            )
        with django_assert_max_num_queries(9):
            viewer_client.get(LIST)

    def test_it_answers_htmx_with_the_table_only(self, viewer_client, seam):
        page = viewer_client.get(LIST, {"q": "intake"}, HTTP_HX_REQUEST="true").content.decode()
        assert page.lstrip().startswith('<section class="card" id="seam-table"')

    def test_it_shows_an_empty_state(self, leader_client):
        page = leader_client.get(LIST).content.decode()
        assert "No seams yet" in page
        assert reverse("seams:create") in page


class TestSeamCreate:
    url = reverse("seams:create")

    def form(self, team, other_team, owner, **changes):
        return {
            "name": "Pricing approval",
            "from_team": team.pk,
            "to_team": other_team.pk,
            "calendar": CalendarFactory().pk,
            "status": "proposed",
            "owner": owner.pk,
        } | changes

    def test_an_owner_registers_a_seam_of_their_team_with_its_owner_in_v1(
        self, owner_client, owner, team, other_team
    ):
        response = owner_client.post(self.url, self.form(team, other_team, owner))
        seam = Seam.objects.get(slug="pricing-approval")
        assert response["Location"] == reverse("seams:spec", args=[seam.slug])
        assert (seam.spec.version, seam.spec.owner) == (1, owner)

    def test_an_owner_cannot_register_a_seam_between_other_teams(
        self, owner_client, owner, other_team, third_team
    ):
        response = owner_client.post(self.url, self.form(other_team, third_team, owner))
        assert response.status_code == 400
        assert "your team sends or receives" in response.content.decode()
        assert not Seam.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [({"to_team": None}, "to_team"), ({"name": ""}, "name"), ({"status": "paused"}, "status")],
    )
    def test_it_explains_bad_input(self, leader_client, owner, team, other_team, changes, field):
        data = self.form(team, other_team, owner)
        data |= {k: (v if v is not None else team.pk) for k, v in changes.items()}
        response = leader_client.post(self.url, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not Seam.objects.exists()

    def test_it_refuses_a_taken_address(self, leader_client, seam, owner, team, other_team):
        response = leader_client.post(
            self.url, self.form(team, other_team, owner, name="Custom Integration Intake!")
        )
        assert "already uses the address" in str(response.context["form"].errors)

    @pytest.mark.parametrize("client_name", ["ops_client", "viewer_client"])
    def test_ops_and_viewers_do_not_register_seams(self, request, client_name):
        assert request.getfixturevalue(client_name).get(self.url).status_code == 403


class TestSeamEditAndPilot:
    def test_it_edits_the_seam_but_not_the_owner(self, owner_client, seam):
        url = reverse("seams:edit", args=[seam.slug])
        assert 'name="owner"' not in owner_client.get(url).content.decode()
        response = owner_client.post(
            url,
            {
                "name": "Integration intake",
                "from_team": seam.from_team_id,
                "to_team": seam.to_team_id,
                "calendar": seam.calendar_id,
                "status": "active",
                "description": "From deals",
            },
        )
        assert response.status_code == 302
        seam.refresh_from_db()
        assert (seam.name, seam.slug, seam.description) == (
            "Integration intake",
            seam.slug,
            "From deals",
        )

    def test_an_owner_cannot_move_the_seam_off_their_team(self, owner_client, seam, third_team):
        response = owner_client.post(
            reverse("seams:edit", args=[seam.slug]),
            {
                "name": seam.name,
                "from_team": third_team.pk,
                "to_team": seam.to_team_id,
                "calendar": seam.calendar_id,
                "status": "active",
            },
        )
        assert response.status_code == 400
        assert Seam.objects.get(pk=seam.pk).from_team_id != third_team.pk

    def test_starting_a_pilot_sets_a_review_30_days_on_and_shows_a_banner(self, owner_client, seam):
        owner_client.post(reverse("seams:start-pilot", args=[seam.slug]))
        seam.refresh_from_db()
        today = timezone.localdate()
        assert (seam.status, seam.pilot_started_on, seam.pilot_review_on) == (
            "pilot",
            today,
            today + timedelta(days=30),
        )
        page = owner_client.get(reverse("seams:spec", args=[seam.slug])).content.decode()
        assert "30-day pilot: review due" in page
        assert "Day 1 of 30" in page

    def test_the_banner_says_when_the_review_is_due(self, viewer_client, seam):
        today = timezone.localdate()
        Seam.objects.filter(pk=seam.pk).update(
            status="pilot",
            pilot_started_on=today - timedelta(days=31),
            pilot_review_on=today - timedelta(days=1),
        )
        for name in ("seams:spec", "seams:detail"):
            page = viewer_client.get(reverse(name, args=[seam.slug])).content.decode()
            assert "Pilot review due" in page

    def test_the_seam_page_shows_its_facts_and_links_to_the_spec(self, viewer_client, seam):
        page = viewer_client.get(reverse("seams:detail", args=[seam.slug])).content.decode()
        for text in ("Sales", "Product", "Owen Owner", "UK business hours", "16 h"):
            assert text in page
        assert reverse("seams:spec", args=[seam.slug]) in page


@pytest.mark.django_db
def test_a_seam_must_join_two_different_teams_even_outside_forms():
    from django.db import IntegrityError, transaction

    team = TeamFactory(name="Solo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Seam.objects.create(
            name="Loop", slug="loop", from_team=team, to_team=team, calendar=CalendarFactory()
        )
    assert not Seam.objects.exists()
    assert not HandoffSpec.objects.exists()


def test_a_pilot_starts_only_with_its_own_action(owner_client, owner, seam):
    from rest_framework.test import APIClient

    form = owner_client.get(reverse("seams:edit", args=[seam.slug])).context["form"]
    assert "pilot" not in dict(form.fields["status"].choices)
    client = APIClient()
    client.force_authenticate(owner)
    response = client.patch(f"/api/v1/seams/{seam.slug}/", {"status": "pilot"}, format="json")
    assert response.status_code == 400
    assert "start-pilot" in response.json()["errors"]["status"][0]
    assert Seam.objects.get(pk=seam.pk).status == "active"
