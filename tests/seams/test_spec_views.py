from decimal import Decimal

import pytest
from django.urls import reverse

from seams.models import HandoffSpec, SpecVersion
from tests.conftest import client_for
from tests.factories import write_spec


def spec_url(seam, name="seams:spec", *args):
    return reverse(name, args=[seam.slug, *args])


class TestSpecPage:
    def test_it_shows_the_five_fields_and_the_history(self, viewer_client, seam, owner):
        write_spec(seam, by=owner, note="Escalation path agreed", escalate_after_hours=Decimal(24))
        page = viewer_client.get(spec_url(seam)).content.decode()
        for text in (
            "Owen Owner",
            "Sample payload attached",
            "A scoped brief with an estimate.",
            "16",
            "Weekly seam sync",
            "Escalation path agreed",
            "First spec",
            "v2",
        ):
            assert text in page

    def test_it_shows_when_a_friday_afternoon_request_would_be_due(self, viewer_client, seam):
        # 16 business hours on Mon–Fri 09:00–17:30 from Friday 16:00: 1.5 + 8.5 + 6 → Tuesday 15:00.
        example = viewer_client.get(spec_url(seam)).context["sla_example"]
        assert example["submitted"].strftime("%a %H:%M") == "Fri 16:00"
        assert example["due"].strftime("%a %H:%M") == "Tue 15:00"

    def test_it_keeps_its_queries_bounded(
        self, viewer_client, seam, owner, django_assert_max_num_queries
    ):
        for n in range(6):
            write_spec(seam, by=owner, note=f"Edit {n}", notes=f"n{n}")
        # 16 with contract vs reality in the aside (the seam and its signals, flat).
        with django_assert_max_num_queries(16):
            viewer_client.get(spec_url(seam))

    def test_it_answers_404_for_an_unknown_seam(self, viewer_client, db):
        assert viewer_client.get(reverse("seams:spec", args=["nope"])).status_code == 404

    def test_it_refuses_post(self, owner_client, seam):
        assert owner_client.post(spec_url(seam)).status_code == 405


class TestInlineEdit:
    def test_it_offers_a_section_form_as_an_htmx_partial(self, owner_client, seam):
        response = owner_client.get(
            spec_url(seam, "seams:spec-section-edit", "sla"), HTTP_HX_REQUEST="true"
        )
        page = response.content.decode()
        assert page.lstrip().startswith('<section class="spec-section editing" id="section-sla"')
        assert 'name="response_sla_hours"' in page
        assert 'name="forum"' not in page
        assert 'name="base_version" value="1"' in page

    def test_it_offers_the_same_section_as_a_page_without_javascript(self, owner_client, seam):
        response = owner_client.get(spec_url(seam, "seams:spec-section-edit", "sla"))
        assert "<html" in response.content.decode()
        assert 'name="response_sla_hours"' in response.content.decode()

    def test_it_saves_a_section_and_returns_it_with_the_new_version(self, owner_client, seam):
        response = owner_client.post(
            spec_url(seam, "seams:spec-section-edit", "sla"),
            {
                "response_sla_hours": "12",
                "completion_sla_hours": "40",
                "base_version": 1,
                "note": "Faster first response",
            },
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert "Saved as v2" in response.content.decode()
        spec = HandoffSpec.objects.get(seam=seam)
        assert (spec.version, spec.response_sla_hours, spec.completion_sla_hours) == (
            2,
            Decimal("12"),
            Decimal("40"),
        )
        assert spec.forum == "Weekly seam sync"  # other sections untouched

    def test_the_saved_answer_updates_the_version_badge_and_history_out_of_band(
        self, owner_client, seam
    ):
        response = owner_client.post(
            spec_url(seam, "seams:spec-section-edit", "notes"),
            {"notes": "Architects welcome", "base_version": 1, "note": "Add a note"},
            HTTP_HX_REQUEST="true",
        )
        page = response.content.decode()
        assert page.lstrip().startswith(
            '<section class="spec-section just-saved" id="section-notes"'
        )
        assert '<div class="spec-meta" id="spec-meta" hx-swap-oob="true">' in page
        assert 'id="spec-history" aria-labelledby="history-heading" hx-swap-oob="true">' in page
        assert "Add a note" in page  # the new version, listed in the history
        assert ">v2</span> edited by Owen Owner" in page

    def test_it_saves_the_checklist_one_item_per_line_in_order(self, owner_client, seam):
        owner_client.post(
            spec_url(seam, "seams:spec-section-edit", "ready"),
            {
                "definition_of_ready": "  Sample payload attached \n\nUse case\r\nCRM link\n",
                "base_version": 1,
                "note": "Reordered",
            },
        )
        assert HandoffSpec.objects.get(seam=seam).definition_of_ready == [
            "Sample payload attached",
            "Use case",
            "CRM link",
        ]

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"response_sla_hours": "0"}, "response_sla_hours", "positive number"),
            ({"response_sla_hours": "-4"}, "response_sla_hours", "positive number"),
            ({"response_sla_hours": "soon"}, "response_sla_hours", "Enter a number"),
            (
                {"response_sla_hours": "40", "completion_sla_hours": "16"},
                "completion_sla_hours",
                "before the response",
            ),
            ({"response_sla_hours": "8", "note": ""}, "note", "required"),
        ],
    )
    def test_it_explains_bad_input_and_saves_nothing(
        self, owner_client, seam, data, field, message
    ):
        response = owner_client.post(
            spec_url(seam, "seams:spec-section-edit", "sla"),
            {"base_version": 1, "note": "Try"} | data,
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        assert message in str(response.context["form"].errors[field])
        assert HandoffSpec.objects.get(seam=seam).version == 1

    def test_it_answers_404_for_an_unknown_section(self, owner_client, seam):
        assert (
            owner_client.get(spec_url(seam, "seams:spec-section-edit", "budget")).status_code == 404
        )

    def test_it_saves_the_whole_spec_from_the_plain_form(self, owner_client, seam, other_owner):
        response = owner_client.post(
            spec_url(seam, "seams:spec-edit"),
            {
                "owner": other_owner.pk,
                "definition_of_ready": "Use case",
                "definition_of_done": "Brief",
                "response_sla_hours": "24",
                "forum": "Weekly",
                "base_version": 1,
                "note": "Handover",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == spec_url(seam)
        spec = HandoffSpec.objects.get(seam=seam)
        assert (spec.owner, spec.version, spec.response_sla_hours) == (
            other_owner,
            2,
            Decimal("24"),
        )


class TestConflict:
    """Two people open version 1; the first save wins; the second sees a conflict, not a loss."""

    def test_the_second_save_gets_a_conflict_screen_with_both_changes(
        self, seam, owner, other_owner
    ):
        first, second = client_for(owner), client_for(other_owner)
        url = spec_url(seam, "seams:spec-section-edit", "exception")
        first.post(url, {"forum": "Daily stand-up", "base_version": 1, "note": "Daily now"})

        response = second.post(
            url,
            {
                "forum": "Monthly steering group",
                "escalate_after_hours": "8",
                "base_version": 1,
                "note": "Steering group decides",
            },
        )

        assert response.status_code == 409
        page = response.content.decode()
        assert "someone else saved first" in page
        assert "Daily now" in page  # who saved, and their note
        assert "Daily stand-up" in page  # what changed since v1
        assert "Monthly steering group" in page  # their own unsaved text, kept
        assert 'name="base_version" value="2"' in page  # retrying builds on the new version
        spec = HandoffSpec.objects.get(seam=seam)
        assert (spec.version, spec.forum) == (2, "Daily stand-up")

    def test_retrying_from_the_conflict_screen_saves_on_top_of_the_winner(
        self, seam, owner, other_owner
    ):
        first, second = client_for(owner), client_for(other_owner)
        url = spec_url(seam, "seams:spec-section-edit", "exception")
        first.post(url, {"forum": "Daily stand-up", "base_version": 1, "note": "Daily now"})
        second.post(url, {"forum": "Steering group", "base_version": 1, "note": "Mine"})
        response = second.post(url, {"forum": "Steering group", "base_version": 2, "note": "Mine"})
        assert response.status_code == 302
        spec = HandoffSpec.objects.get(seam=seam)
        assert (spec.version, spec.forum) == (3, "Steering group")
        assert list(spec.versions.values_list("note", flat=True)) == [
            "Mine",
            "Daily now",
            "First spec",
        ]

    def test_the_conflict_comes_back_in_place_for_htmx(self, seam, owner, other_owner):
        url = spec_url(seam, "seams:spec-section-edit", "notes")
        client_for(owner).post(url, {"notes": "A", "base_version": 1, "note": "A"})
        response = client_for(other_owner).post(
            url, {"notes": "B", "base_version": 1, "note": "B"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 409
        page = response.content.decode()
        assert 'id="section-notes"' in page
        assert "<html" not in page


class TestHistoryCompareRestore:
    @pytest.fixture
    def three_versions(self, seam, owner, other_owner):
        write_spec(
            seam,
            by=other_owner,
            note="Payload first",
            definition_of_ready=["Sample payload attached", "Use case in one paragraph"],
        )
        write_spec(seam, by=owner, note="Shorter SLA", response_sla_hours=Decimal("8"))
        return seam

    def test_it_lists_every_version_newest_first(self, viewer_client, three_versions):
        response = viewer_client.get(spec_url(three_versions, "seams:spec-history"))
        assert [v.number for v in response.context["page"]] == [3, 2, 1]
        page = response.content.decode()
        assert "Payload first" in page
        assert "Otto Other" in page

    def test_it_shows_an_old_version_with_a_restore_button(self, owner_client, three_versions):
        response = owner_client.get(spec_url(three_versions, "seams:spec-version", 1))
        page = response.content.decode()
        assert "You are reading an old version" in page
        assert "Restore as v4" in page

    def test_it_compares_two_versions_side_by_side(self, viewer_client, three_versions):
        response = viewer_client.get(
            spec_url(three_versions, "seams:spec-compare"), {"a": 1, "b": 3}
        )
        changed = [d.label for d in response.context["diffs"] if d.changed]
        assert changed == ["Definition of ready", "Response SLA"]
        page = response.content.decode()
        assert "<del>16 h</del>" in page
        assert "<ins>8 h</ins>" in page

    def test_it_explains_a_version_that_does_not_exist(self, viewer_client, three_versions):
        response = viewer_client.get(
            spec_url(three_versions, "seams:spec-compare"), {"a": 1, "b": 9}
        )
        assert response.status_code == 200
        assert "The latest version is 3." in response.content.decode()

    def test_it_restores_an_old_version_as_a_new_one(self, owner_client, three_versions):
        response = owner_client.post(
            spec_url(three_versions, "seams:spec-restore", 1), {"base_version": 3}
        )
        assert response.status_code == 302
        spec = HandoffSpec.objects.get(seam=three_versions)
        assert (spec.version, spec.response_sla_hours) == (4, Decimal("16"))
        assert spec.definition_of_ready == ["Use case in one paragraph", "Sample payload attached"]
        assert spec.versions.first().restored_from == 1

    def test_it_refuses_a_restore_from_a_stale_page(self, owner_client, three_versions):
        response = owner_client.post(
            spec_url(three_versions, "seams:spec-restore", 1), {"base_version": 2}
        )
        assert response.status_code == 302
        assert HandoffSpec.objects.get(seam=three_versions).version == 3
        assert SpecVersion.objects.filter(spec__seam=three_versions).count() == 3

    def test_it_rejects_a_restore_without_a_version(self, owner_client, three_versions):
        response = owner_client.post(spec_url(three_versions, "seams:spec-restore", 1), {})
        assert response.status_code == 400


def test_the_print_view_holds_the_whole_spec_without_navigation(viewer_client, seam):
    page = viewer_client.get(spec_url(seam, "seams:spec-print")).content.decode()
    assert "Use case in one paragraph" in page
    assert "print-spec" in page
    assert 'class="main-nav"' not in page


def test_the_form_shows_hours_as_people_write_them(owner_client, seam):
    page = owner_client.get(spec_url(seam, "seams:spec-section-edit", "sla")).content.decode()
    assert 'name="response_sla_hours" value="16"' in page
