import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts.models import SpecTemplate, validate_suggested_targets
from contracts.views import target_in_words
from seams.forms import SpecForm
from tests.conftest import client_for
from tests.factories import SeamFactory, UserFactory

BUILT_IN = [
    "custom-integration-intake",
    "security-sign-off",
    "contract-language-review",
    "environment-provisioning",
    "pricing-approval",
    "blank",
]
LIBRARY = reverse("contracts:templates")
CREATE = reverse("contracts:template-create")


def edit_url(template: SpecTemplate) -> str:
    return reverse("contracts:template-edit", args=[template.slug])


def form_data(**changes) -> dict:
    """A complete, valid POST of the template form."""
    return {
        "name": "Data export",
        "description": "A team asks the data platform for a customer data export.",
        "definition_of_ready": "Dataset named\r\n\r\n  Purpose stated  \nRetention agreed\n",
        "definition_of_done": "The export delivered to the named place, with its checksum.",
        "response_sla_hours": "8",
        "completion_sla_hours": "24",
        "escalate_after_hours": "16",
        "forum": "Data council, fortnightly",
        "position": "60",
        "metric_1": "queue_time_p85_hours",
        "target_1": "sla",
        "metric_2": "sla_breach_rate",
        "target_2": "10",
        "metric_3": "lead_time_p85_hours",
        "target_3": "12.5",
    } | changes


@pytest.fixture
def data_export(leader):
    return SpecTemplate.objects.create(
        slug="data-export",
        name="Data export",
        definition_of_ready=["Dataset named", "Purpose stated"],
        definition_of_done="Delivered.",
        response_sla_hours=Decimal("8"),
        forum="Data council",
        suggested_targets=[
            {"metric": "queue_time_p85_hours", "target": "response_sla"},
            {"metric": "rework_rate", "target": 15},
        ],
        position=60,
        created_by=leader,
    )


# --- The built-in templates (data migration 0003) -----------------------------------------


def as_post(content: dict) -> dict:
    """Spec content as a browser would post it: checklist one item per line, "" for none."""
    return {
        name: "\n".join(value) if isinstance(value, list) else "" if value is None else str(value)
        for name, value in content.items()
    }


class TestBuiltInTemplates:
    def test_it_ships_six_in_library_order(self, db):
        templates = list(SpecTemplate.objects.in_library_order())
        assert [t.slug for t in templates] == BUILT_IN
        assert all(t.built_in and t.created_by is None for t in templates)
        assert templates[-1].position == 1000

    @pytest.mark.parametrize("slug", BUILT_IN)
    def test_it_passes_the_model_validation(self, db, slug):
        SpecTemplate.objects.get(slug=slug).full_clean()

    @pytest.mark.parametrize("slug", BUILT_IN)
    def test_its_content_is_a_valid_spec(self, slug, owner):
        template = SpecTemplate.objects.get(slug=slug)
        spec = SeamFactory(name="Fresh seam").spec
        assert spec.version == 0
        data = as_post(template.spec_content()) | {
            "owner": owner.pk,
            "base_version": 0,
            "note": f"Started from “{template.name}”",
        }
        form = SpecForm(data, instance=spec)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["definition_of_ready"] == template.definition_of_ready
        assert form.cleaned_data["response_sla_hours"] == template.response_sla_hours
        assert form.cleaned_data["forum"] == template.forum

    @pytest.mark.parametrize("slug", BUILT_IN)
    def test_it_suggests_three_targets_one_following_the_sla(self, db, slug):
        targets = SpecTemplate.objects.get(slug=slug).targets_for(Decimal("16"))
        assert len(targets) == 3
        assert all(isinstance(target, Decimal) for _, target in targets)
        assert dict(targets)["queue_time_p85_hours"] == Decimal("16")

    @pytest.mark.parametrize("slug", BUILT_IN[:-1])
    def test_it_has_a_whole_spec_to_start_from(self, db, slug):
        template = SpecTemplate.objects.get(slug=slug)
        assert template.description
        assert template.definition_of_done
        assert template.forum
        assert 4 <= len(template.definition_of_ready) <= 6
        assert template.response_sla_hours < template.completion_sla_hours
        assert template.escalate_after_hours

    def test_blank_is_empty_but_still_suggests_the_usual_targets(self, db):
        blank = SpecTemplate.objects.get(slug="blank")
        assert (blank.definition_of_ready, blank.definition_of_done, blank.forum) == ([], "", "")
        assert blank.response_sla_hours is None
        assert blank.completion_sla_hours is None
        assert blank.targets_for(None) == [
            ("queue_time_p85_hours", None),
            ("sla_breach_rate", Decimal(10)),
            ("rework_rate", Decimal(15)),
        ]

    def test_the_migration_reverses_and_reloads_without_touching_other_templates(self, data_export):
        migration = importlib.import_module("contracts.migrations.0003_load_spec_templates")
        migration.remove_templates(apps, None)
        assert list(SpecTemplate.objects.values_list("slug", flat=True)) == ["data-export"]
        migration.load_templates(apps, None)
        migration.load_templates(apps, None)  # a second run adds nothing
        assert SpecTemplate.objects.filter(built_in=True).count() == 6
        assert SpecTemplate.objects.count() == 7


class TestSuggestedTargetsValidator:
    def test_it_accepts_numbers_and_the_sla(self):
        validate_suggested_targets(
            [
                {"metric": "queue_time_p85_hours", "target": "response_sla"},
                {"metric": "sla_breach_rate", "target": 10},
                {"metric": "lead_time_p85_hours", "target": 12.5},
                {"metric": "escalations", "target": 0},
            ]
        )

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ([{"metric": "happiness", "target": 1}], "“happiness” is not a seam metric"),
            (
                [
                    {"metric": "rework_rate", "target": 15},
                    {"metric": "rework_rate", "target": 10},
                ],
                "Suggestion 2: rework_rate is suggested twice",
            ),
            ([{"metric": "rework_rate", "target": -1}], "a number from 0 to 9,999,999"),
            ([{"metric": "rework_rate", "target": True}], "a number from 0 to 9,999,999"),
            ([{"metric": "rework_rate", "target": "15"}], "a number from 0 to 9,999,999"),
            ([{"metric": "rework_rate", "target": float("nan")}], "a number from 0 to 9,999,999"),
            ([{"metric": "rework_rate", "target": float("inf")}], "a number from 0 to 9,999,999"),
            ([{"metric": "rework_rate", "target": 10**8}], "a number from 0 to 9,999,999"),
            ([{"metric": ["rework_rate"], "target": 1}], "is not a seam metric"),
            (
                [{"metric": "sla_breach_rate", "target": "response_sla"}],
                "only a metric in hours can follow the response SLA",
            ),
            ([{"metric": "rework_rate"}], "needs exactly a metric and a target"),
            (
                [
                    {"metric": name, "target": 1}
                    for name in (
                        "queue_time_p50_hours",
                        "queue_time_p85_hours",
                        "lead_time_p50_hours",
                        "lead_time_p85_hours",
                        "sla_breaches",
                        "rework_rate",
                    )
                ],
                "Suggest at most 5 targets",
            ),
            ({"metric": "rework_rate", "target": 1}, "a list"),
        ],
    )
    def test_it_rejects(self, value, message):
        with pytest.raises(ValidationError) as error:
            validate_suggested_targets(value)
        assert message in error.value.messages[0]


# --- The library page ------------------------------------------------------------------------


class TestLibraryPage:
    def test_it_shows_each_template_with_its_checklist_and_targets_in_words(self, viewer_client):
        response = viewer_client.get(LIBRARY)
        assert response.status_code == 200
        page = response.content.decode()
        for text in (
            "Security sign-off",
            "<li>Threat model updated for the change</li>",
            "Response within 16 business hours, completion within 40.",
            "Escalate after 24 business hours without a response; decided at Security office "
            "hours, Tuesdays.",
            "<li>Queue time p85 ≤ the response SLA</li>",
            "<li>SLA breach rate ≤ 10 %</li>",
            "<li>Lead time p85 ≤ 40 h</li>",
            "<li>Decision latency p85 ≤ 24 h</li>",
            "No SLA: handoffs on the seam have no deadline",
        ):
            assert text in page
        # Library order: position, so Blank comes last.
        assert page.index("Custom integration intake") < page.index("Pricing approval")
        assert page.index("Pricing approval") < page.index('id="template-blank"')

    def test_readers_get_no_way_to_change_it(self, viewer_client):
        page = viewer_client.get(LIBRARY).content.decode()
        assert CREATE not in page
        assert "/edit/" not in page

    def test_leaders_see_new_and_edit_on_each(self, leader_client):
        page = leader_client.get(LIBRARY).content.decode()
        assert CREATE in page
        for slug in BUILT_IN:
            assert reverse("contracts:template-edit", args=[slug]) in page

    def test_it_escapes_what_people_wrote(self, viewer_client, data_export):
        data_export.definition_of_ready = ["<script>alert(1)</script>"]
        data_export.save()
        page = viewer_client.get(LIBRARY).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_it_says_so_when_the_library_is_empty(self, viewer_client):
        SpecTemplate.objects.all().delete()
        page = viewer_client.get(LIBRARY).content.decode()
        assert "No spec templates yet" in page

    def test_the_contracts_page_links_to_it(self, viewer_client):
        page = viewer_client.get(reverse("contracts:list")).content.decode()
        assert f'href="{LIBRARY}">Spec templates</a>' in page

    def test_it_keeps_its_queries_bounded(self, leader_client, django_assert_max_num_queries):
        for n in range(20):
            SpecTemplate.objects.create(slug=f"t{n}", name=f"Template {n}", position=n)
        # The session, the user, the user's groups and team ownerships, one for all the
        # templates; plus the savepoint and its release of the request's transaction.
        with django_assert_max_num_queries(7):
            response = leader_client.get(LIBRARY)
        assert response.status_code == 200

    def test_it_refuses_post(self, leader_client):
        assert leader_client.post(LIBRARY).status_code == 405

    def test_it_sends_anonymous_people_to_sign_in(self, client, db):
        response = client.get(LIBRARY)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("metric", "target", "words"),
    [
        ("queue_time_p85_hours", "response_sla", "Queue time p85 ≤ the response SLA"),
        ("sla_breach_rate", 10, "SLA breach rate ≤ 10 %"),
        ("lead_time_p85_hours", 12.5, "Lead time p85 ≤ 12.5 h"),
        ("escalations", 2, "Escalations ≤ 2"),
        ("throughput", 20, "Throughput ≥ 20"),
    ],
)
def test_it_puts_a_target_in_words(metric, target, words):
    assert target_in_words(metric, target) == words


# --- Creating and editing ---------------------------------------------------------------------


class TestCreate:
    def test_it_offers_the_form_with_three_target_rows(self, leader_client):
        response = leader_client.get(CREATE)
        assert response.status_code == 200
        page = response.content.decode()
        for name in ("name", "definition_of_ready", "response_sla_hours", "metric_3", "target_3"):
            assert f'name="{name}"' in page
        assert 'name="metric_4"' not in page

    def test_it_adds_the_template_to_the_library(self, leader_client, leader):
        response = leader_client.post(CREATE, form_data())
        assert response.status_code == 302
        assert response.url == LIBRARY
        template = SpecTemplate.objects.get(slug="data-export")
        assert template.name == "Data export"
        assert template.created_by == leader
        assert template.built_in is False
        assert template.definition_of_ready == [
            "Dataset named",
            "Purpose stated",
            "Retention agreed",
        ]
        assert (
            template.response_sla_hours,
            template.completion_sla_hours,
            template.escalate_after_hours,
        ) == (Decimal("8"), Decimal("24"), Decimal("16"))
        assert template.suggested_targets == [
            {"metric": "queue_time_p85_hours", "target": "response_sla"},
            {"metric": "sla_breach_rate", "target": 10},
            {"metric": "lead_time_p85_hours", "target": 12.5},
        ]
        page = leader_client.get(response.url).content.decode()
        assert "Added “Data export” to the template library." in page
        assert "<li>Lead time p85 ≤ 12.5 h</li>" in page

    def test_empty_rows_suggest_fewer_targets(self, leader_client):
        data = form_data(metric_1="", target_1="", metric_3="", target_3="")
        assert leader_client.post(CREATE, data).status_code == 302
        template = SpecTemplate.objects.get(slug="data-export")
        assert template.suggested_targets == [{"metric": "sla_breach_rate", "target": 10}]

    def test_it_accepts_response_sla_spelt_out(self, leader_client):
        leader_client.post(CREATE, form_data(target_1=" Response_SLA "))
        template = SpecTemplate.objects.get(slug="data-export")
        assert template.suggested_targets[0]["target"] == "response_sla"

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"target_2": "-5"}, "target_2", "the target is a number from 0 to 9,999,999"),
            (
                {"target_2": "sla"},
                "target_2",
                "Suggestion 2: only a metric in hours can follow the response SLA.",
            ),
            (
                {"metric_3": "sla_breach_rate", "target_3": "5"},
                "target_3",
                "Suggestion 3: sla_breach_rate is suggested twice.",
            ),
            ({"target_2": "ten"}, "target_2", "Enter a number, or “sla”"),
            ({"target_2": "1e400"}, "target_2", "Ensure that there are no more than 9 digits"),
            ({"target_2": "NaN"}, "target_2", "Enter a number, or “sla”"),
            ({"target_2": ""}, "target_2", "Give a target, or “sla”."),
            ({"metric_2": ""}, "metric_2", "Choose the metric this target is for."),
            ({"metric_2": "happiness"}, "metric_2", "Select a valid choice."),
            ({"completion_sla_hours": "4"}, "completion_sla_hours", "can't be due before"),
            ({"response_sla_hours": "0"}, "response_sla_hours", "Use a positive number of hours"),
            ({"name": "Blank"}, "name", "already uses the address “blank”"),
            ({"name": "!!!"}, "name", "Use at least one letter or digit"),
            ({"definition_of_ready": "x" * 301}, "definition_of_ready", "longer than 300"),
        ],
    )
    def test_bad_input_is_refused_with_the_reason(self, leader_client, changes, field, message):
        response = leader_client.post(CREATE, form_data(**changes))
        assert response.status_code == 400
        errors = response.context["form"].errors[field]
        assert any(message in error for error in errors), errors
        assert message.replace("'", "&#x27;") in response.content.decode()
        assert SpecTemplate.objects.count() == 6

    def test_an_error_names_the_row_people_see_even_after_an_empty_one(self, leader_client):
        data = form_data(metric_1="", target_1="", metric_3="sla_breach_rate", target_3="5")
        response = leader_client.post(CREATE, data)
        assert response.status_code == 400
        assert response.context["form"].errors["target_3"] == [
            "Suggestion 3: sla_breach_rate is suggested twice."
        ]

    def test_it_refuses_a_name_whose_address_is_taken(self, leader_client, data_export):
        response = leader_client.post(CREATE, form_data(name="Data Export!"))
        assert response.status_code == 400
        assert (
            "already uses the address “data-export”" in response.context["form"].errors["name"][0]
        )
        assert SpecTemplate.objects.count() == 7

    def test_it_cannot_be_sneaked_in_as_built_in(self, leader_client):
        leader_client.post(CREATE, form_data(built_in="on", created_by="1", slug="other"))
        template = SpecTemplate.objects.get(name="Data export")
        assert (template.built_in, template.slug) == (False, "data-export")

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer"])
    def test_only_leaders_add_templates(self, db, request, role):
        client = client_for(request.getfixturevalue(role))
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, form_data()).status_code == 403
        assert SpecTemplate.objects.count() == 6

    def test_it_sends_anonymous_people_to_sign_in(self, client, db):
        response = client.post(CREATE, form_data())
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert SpecTemplate.objects.count() == 6

    def test_it_refuses_other_methods(self, leader_client):
        assert leader_client.put(CREATE).status_code == 405


class TestEdit:
    def test_it_shows_the_current_values(self, leader_client, data_export):
        form = leader_client.get(edit_url(data_export)).context["form"]
        assert form["definition_of_ready"].value() == "Dataset named\nPurpose stated"
        assert form["response_sla_hours"].value() == "8"
        assert [(m.value(), t.value()) for m, t in form.target_rows] == [
            ("queue_time_p85_hours", "sla"),
            ("rework_rate", "15"),
            ("", ""),
        ]

    def test_it_saves_changes_and_keeps_the_address(self, leader_client, leader):
        security = SpecTemplate.objects.get(slug="security-sign-off")
        data = form_data(
            name="Security review",
            metric_3="escalations",
            target_3="2",
            definition_of_ready="Threat model\nData flows",
        )
        response = leader_client.post(edit_url(security), data)
        assert response.status_code == 302
        assert response.url == LIBRARY
        security.refresh_from_db()
        assert (security.name, security.slug) == ("Security review", "security-sign-off")
        assert security.built_in is True  # still shipped with Seamline
        assert security.created_by is None
        assert security.definition_of_ready == ["Threat model", "Data flows"]
        assert security.suggested_targets[2] == {"metric": "escalations", "target": 2}

    def test_it_keeps_suggestions_beyond_the_third(self, leader_client, data_export):
        five = [
            {"metric": "queue_time_p85_hours", "target": "response_sla"},
            {"metric": "sla_breach_rate", "target": 10},
            {"metric": "rework_rate", "target": 15},
            {"metric": "escalations", "target": 2},
            {"metric": "throughput", "target": 20},
        ]
        data_export.suggested_targets = five
        data_export.save()
        form = leader_client.get(edit_url(data_export)).context["form"]
        data = {bf.name: bf.value() or "" for bf in form}
        response = leader_client.post(edit_url(data_export), data)
        assert response.status_code == 302
        data_export.refresh_from_db()
        assert data_export.suggested_targets == five

    def test_bad_input_changes_nothing(self, leader_client, data_export):
        response = leader_client.post(
            edit_url(data_export), form_data(name="Renamed", target_2="-1")
        )
        assert response.status_code == 400
        assert "<h1>Edit Data export</h1>" in response.content.decode()
        data_export.refresh_from_db()
        assert data_export.name == "Data export"
        assert data_export.suggested_targets[1] == {"metric": "rework_rate", "target": 15}

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer"])
    def test_only_leaders_change_templates(self, request, role, data_export):
        client = client_for(request.getfixturevalue(role))
        assert client.get(edit_url(data_export)).status_code == 403
        response = client.post(edit_url(data_export), form_data(name="Hijacked"))
        assert response.status_code == 403
        data_export.refresh_from_db()
        assert data_export.name == "Data export"

    def test_it_sends_anonymous_people_to_sign_in(self, client, data_export):
        response = client.get(edit_url(data_export))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_it_answers_404_for_an_unknown_template(self, leader_client):
        url = reverse("contracts:template-edit", args=["nope"])
        assert leader_client.get(url).status_code == 404

    def test_it_refuses_other_methods(self, leader_client, data_export):
        assert leader_client.delete(edit_url(data_export)).status_code == 405


def test_the_admin_derives_the_address_and_records_who_added_it(db):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:contracts_spectemplate_add"),
        {
            "name": "Vendor onboarding",
            "definition_of_ready": "[]",
            "suggested_targets": '[{"metric": "rework_rate", "target": 15}]',
            "position": "70",
        },
    )
    assert response.status_code == 302
    template = SpecTemplate.objects.get(name="Vendor onboarding")
    assert (template.slug, template.created_by, template.built_in) == (
        "vendor-onboarding",
        admin_user,
        False,
    )
