"""The guided start, polished: step 3 opens on the best-matching template, tagged misses keep
their own cause, and seams made on the spot get readable names."""

import pytest
from django.urls import reverse

from contracts.models import SpecTemplate
from decisions.models import Escalation
from onboarding import guide
from onboarding.find_seams import add_misses, choose_seams
from onboarding.first_spec import (
    RECEIVER_POINTS,
    SENDER_POINTS,
    WORD_POINTS,
    best_template,
    match_score,
)
from onboarding.misses import MissInput, readable_team_name
from onboarding.models import GuidedStart, Miss
from seams.models import Seam, Team
from tests.factories import SeamFactory, TeamFactory

pytestmark = pytest.mark.django_db

Step = GuidedStart.Step


@pytest.fixture
def started(leader):
    return guide.begin(by=leader)


def library() -> list[SpecTemplate]:
    return list(SpecTemplate.objects.in_library_order())


def seam_between(sender: str, receiver: str, name: str = "", description: str = "") -> Seam:
    return SeamFactory(
        name=name or f"{sender} → {receiver}",
        from_team=TeamFactory(name=sender),
        to_team=TeamFactory(name=receiver),
        description=description,
    )


# --- The best-matching template ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "receiver", "name", "expected"),
    [
        ("Sales", "Security", "", "security-sign-off"),
        ("Sales", "Product", "Custom integration intake", "custom-integration-intake"),
        ("Sales", "Legal", "", "contract-language-review"),
        ("Sales", "Finance", "Discount sign-off", "pricing-approval"),
        ("Engineering", "Platform", "", "environment-provisioning"),
        ("Marketing", "Design", "Brand assets", "blank"),
    ],
)
def test_it_picks_the_template_that_fits_the_seam_best(sender, receiver, name, expected):
    match = best_template(seam_between(sender, receiver, name), library())
    assert match.template.slug == expected
    assert (match.score > 0) == (expected != "blank")


def test_it_scores_the_receiver_over_the_sender_over_shared_words():
    security = SpecTemplate.objects.get(slug="security-sign-off")
    seam = seam_between("Sales", "Security")
    match = match_score(seam, security)
    assert match.score == RECEIVER_POINTS
    assert match.words == ("security",)
    intake = SpecTemplate.objects.get(slug="custom-integration-intake")
    seam = seam_between("Sales", "Product", "Custom integration intake")
    match = match_score(seam, intake)
    assert match.score == RECEIVER_POINTS + SENDER_POINTS + 3 * WORD_POINTS
    assert set(match.words) == {"custom", "integration", "intake", "product", "sale"}


def test_a_tie_goes_to_the_template_first_in_the_library():
    first = SpecTemplate.objects.create(slug="a-ops", name="Ops intake A", position=1)
    SpecTemplate.objects.create(slug="b-ops", name="Ops intake B", position=2)
    match = best_template(seam_between("Field", "Ops"), library())
    assert match.template == first


def test_an_empty_library_matches_nothing():
    assert best_template(seam_between("Sales", "Security"), []) is None


def _at_spec_step(started, leader, sender="Sales", receiver="Security"):
    add_misses(
        guide=started,
        misses=[MissInput("Review waited", from_team=sender, to_team=receiver)],
        by=leader,
    )
    seam = Seam.objects.get()
    choose_seams(guide=started, seams=[seam], by=leader)
    started.advance(Step.CADENCE, by=leader)
    return seam


def test_step_3_opens_pre_filled_from_the_best_match(leader_client, started, leader):
    _at_spec_step(started, leader)
    template = SpecTemplate.objects.get(slug="security-sign-off")
    page = leader_client.get(reverse("onboarding:guide-spec")).content.decode()
    assert template.definition_of_ready[0] in page
    assert 'value="security-sign-off"' in page  # the hidden choice posts it
    assert "Pre-filled from “Security sign-off”, the template that best fits Sales → Security" in (
        page
    )
    assert "(it speaks of security)" in page
    # Picking none on purpose opens the spec as it is, without saying it was matched.
    page = leader_client.get(reverse("onboarding:guide-spec") + "?template=").content.decode()
    assert template.definition_of_ready[0] not in page
    assert "Pre-filled from" not in page


def test_step_3_keeps_the_template_the_leaders_chose(leader_client, started, leader):
    seam = _at_spec_step(started, leader)
    started.template = SpecTemplate.objects.get(slug="pricing-approval")
    started.save(update_fields=["template"])
    page = leader_client.get(reverse("onboarding:guide-spec")).content.decode()
    assert started.template.definition_of_ready[0] in page
    assert "Pre-filled from" not in page
    assert seam.name in page


def test_step_3_says_so_when_nothing_matches(leader_client, started, leader):
    _at_spec_step(started, leader, "Marketing", "Design")
    page = leader_client.get(reverse("onboarding:guide-spec")).content.decode()
    assert "No template speaks of Marketing or Design: starting blank." in page


# --- Tagged misses take their own cause -------------------------------------------------


def test_a_tagged_miss_takes_its_own_cause(leader_client, started, leader):
    pasted = "summary,cause\nGlobex waited for a diagram,missing inputs\nAcme slipped,\n"
    leader_client.post(reverse("onboarding:guide-misses-add"), {"text": pasted})
    with_cause, without = Miss.objects.order_by("position")
    seam = SeamFactory(name="Security sign-off")
    for miss in (with_cause, without):
        response = leader_client.post(
            reverse("onboarding:guide-miss-tag", args=[miss.pk]),
            {"seam": seam.pk, "cause": ""},  # tagged to a seam, no cause picked
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
    with_cause.refresh_from_db()
    without.refresh_from_db()
    assert with_cause.escalation.cause == Escalation.Cause.MISSING_INPUTS
    assert with_cause.cause == Escalation.Cause.MISSING_INPUTS
    assert without.escalation.cause == Escalation.Cause.OTHER  # nothing known: "Other"
    page = leader_client.get(reverse("onboarding:guide-seams")).content.decode()
    assert "Missing inputs</span>" in page
    # A cause picked when retagging replaces the miss's own.
    leader_client.post(
        reverse("onboarding:guide-miss-tag", args=[with_cause.pk]),
        {"seam": seam.pk, "cause": Escalation.Cause.SLA_BREACH},
    )
    with_cause.refresh_from_db()
    assert with_cause.escalation.cause == with_cause.cause == Escalation.Cause.SLA_BREACH


# --- Seams made on the spot get readable names ------------------------------------------


@pytest.mark.parametrize(
    ("typed", "readable"),
    [
        ("  sales  ", "Sales"),
        ("customer   success", "Customer Success"),
        ("DevOps", "DevOps"),
        ("IT", "IT"),
        ("app teams", "App Teams"),
    ],
)
def test_it_makes_team_names_readable(typed, readable):
    assert readable_team_name(typed) == readable


def test_a_seam_made_on_the_spot_is_named_after_its_teams(leader_client, started, leader):
    TeamFactory(name="IT")
    leader_client.post(reverse("onboarding:guide-misses-add"), {"text": "Laptop waited a week"})
    miss = Miss.objects.get()
    leader_client.post(
        reverse("onboarding:guide-miss-tag", args=[miss.pk]),
        {"from_team": "  customer   success ", "to_team": "it", "cause": ""},
    )
    seam = Miss.objects.get().seam
    assert seam.name == "Customer Success → IT"
    assert seam.slug == "customer-success-it"
    assert sorted(Team.objects.values_list("name", flat=True)) == ["Customer Success", "IT"]
    page = leader_client.get(reverse("onboarding:guide-seams")).content.decode()
    assert "Customer Success → IT" in page
