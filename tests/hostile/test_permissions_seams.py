"""Permissions as DESIGN.md's table says, at every place a write names a seam, team or person.

Team owners log for their own teams: every seam or team a write names must be one of theirs,
not just one of them. Viewers change nothing, so nobody can name a viewer (or a team owner of
other teams) as the decider or owner who is to act on it, and a decider who may no longer act
can't decide.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Contract, ContractSeam, DecisionRight
from decisions.forms import ConstraintForm
from decisions.models import Constraint, Decision, Dependency
from decisions.services import log_decision
from metrics import reviews
from metrics.models import Review
from onboarding.forms import CadenceConstraintForm, CadenceDecisionForm
from seams.models import Membership, Seam
from tests.conftest import client_for
from tests.factories import MembershipFactory, SeamFactory, UserFactory

NOT_YOURS = "every seam or team a write names must be one of theirs"
NOT_NAMEABLE = "can't be named here"
HTMX = {"HTTP_HX_REQUEST": "true"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def foreign_seam(third_team, other_team):
    """Legal → Product: a seam of two teams the owner (Sales) doesn't own."""
    return SeamFactory(name="Legal review", from_team=third_team, to_team=other_team)


@pytest.fixture
def member(team):
    """A member of Sales who owns no team: a viewer's rights (DESIGN.md)."""
    user = UserFactory(username="member", first_name="Mo", last_name="Member")
    MembershipFactory(team=team, user=user, role=Membership.Role.MEMBER)
    return user


def counts() -> tuple[int, int, int]:
    return Constraint.objects.count(), Dependency.objects.count(), Decision.objects.count()


# --- Another team's seam, tagged by an owner -------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_refuses_an_owners_constraint_on_their_team_at_another_teams_seam(
    owner, team, foreign_seam, htmx
):
    response = client_for(owner).post(
        reverse("decisions:constraints"),
        {"description": "Cap", "owner": owner.pk, "team": team.pk, "seam": foreign_seam.pk},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 403
    assert NOT_YOURS in response.content.decode()
    assert counts() == (0, 0, 0)


def test_it_refuses_an_owners_dependency_at_another_teams_seam_on_the_page(
    owner, team, other_team, foreign_seam
):
    response = client_for(owner).post(
        reverse("decisions:dependencies"),
        {
            "title": "SSO",
            "consumer": team.pk,
            "provider": other_team.pk,
            "seam": foreign_seam.pk,
            "owner": owner.pk,
            "needed_by": timezone.localdate() + timedelta(days=9),
        },
    )
    assert response.status_code == 403
    assert NOT_YOURS in response.content.decode()
    assert counts() == (0, 0, 0)


def test_it_refuses_an_owners_constraint_and_dependency_at_another_teams_seam_in_the_api(
    owner, team, other_team, foreign_seam
):
    client = api(owner)
    responses = post_constraint_and_dependency(
        client,
        (team, other_team, foreign_seam),
        "owner",
        timezone.localdate() + timedelta(days=9),
        constraint_team=team.slug,
    )
    for response in responses:
        assert response.status_code == 403
        assert NOT_YOURS in response.json()["detail"]
    assert counts() == (0, 0, 0)


def test_it_refuses_a_patch_that_moves_an_owners_record_to_another_teams_seam(
    owner, team, other_team, seam, foreign_seam
):
    constraint, dependency = owned_records(owner, (team, other_team, seam), team=team)
    client = api(owner)
    for url in (f"/api/v1/constraints/{constraint.pk}/", f"/api/v1/dependencies/{dependency.pk}/"):
        response = client.patch(url, {"seam": foreign_seam.slug}, format="json")
        assert response.status_code == 403, url
        assert NOT_YOURS in response.json()["detail"]
    assert Constraint.objects.get().seam == seam
    assert Dependency.objects.get().seam == seam


def test_it_lets_an_owner_tag_their_own_seam_and_ops_any(owner, ops, team, seam, foreign_seam):
    mine = api(owner).post(
        "/api/v1/constraints/",
        {"description": "Cap", "owner": "owner", "team": team.slug, "seam": seam.slug},
        format="json",
    )
    anywhere = api(ops).post(
        "/api/v1/constraints/",
        {"description": "Cap", "owner": "ops", "seam": foreign_seam.slug},
        format="json",
    )
    assert (mine.status_code, anywhere.status_code) == (201, 201)


def test_it_refuses_an_escalation_moved_to_another_teams_seam(owner, seam, foreign_seam):
    created = api(owner).post(
        "/api/v1/escalations/",
        {"seam": seam.slug, "summary": "No payload", "cause": "missing_inputs"},
        format="json",
    )
    assert created.status_code == 201
    moved = api(owner).patch(
        f"/api/v1/escalations/{created.json()['id']}/", {"seam": foreign_seam.slug}, format="json"
    )
    assert moved.status_code == 403
    assert NOT_YOURS in moved.json()["detail"]


# --- A viewer (or an outsider) named to act ---------------------------------------------------


@pytest.fixture(params=["viewer", "member", "unrelated_owner"])
def bystander(request):
    """Someone who may not act at `seam`: a viewer, a member who owns no team, an owner of a
    third team."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_it_refuses_a_bystander_as_decider_on_the_page(ops, seam, bystander, htmx):
    response = client_for(ops).post(
        reverse("decisions:log"),
        {"question": "Scope?", "seam": seam.pk, "decision_type": "Budget", "decider": bystander.pk},
        **(HTMX if htmx else {}),
    )
    assert response.status_code == 400
    assert NOT_NAMEABLE in response.content.decode().replace("&#x27;", "'")
    assert counts() == (0, 0, 0)


def test_it_refuses_a_bystander_as_decider_in_the_api(ops, seam, bystander):
    response = api(ops).post(
        "/api/v1/decisions/",
        {
            "question": "Scope?",
            "seam": seam.slug,
            "decision_type": "Budget",
            "decider": bystander.username,
        },
        format="json",
    )
    assert response.status_code == 400
    assert NOT_NAMEABLE in response.json()["errors"]["decider"][0]
    assert counts() == (0, 0, 0)


def test_it_refuses_a_bystander_as_owner_of_a_constraint_or_dependency(
    ops, team, other_team, seam, bystander
):
    page = client_for(ops).post(
        reverse("decisions:constraints"),
        {"description": "Cap", "owner": bystander.pk, "seam": seam.pk},
    )
    assert page.status_code == 400
    assert NOT_NAMEABLE in page.content.decode().replace("&#x27;", "'")
    board = client_for(ops).post(
        reverse("decisions:dependencies"),
        {
            "title": "SSO",
            "consumer": team.pk,
            "provider": other_team.pk,
            "seam": seam.pk,
            "owner": bystander.pk,
            "needed_by": timezone.localdate(),
        },
    )
    assert board.status_code == 400
    assert NOT_NAMEABLE in board.content.decode().replace("&#x27;", "'")
    client = api(ops)
    responses = post_constraint_and_dependency(
        client, (team, other_team, seam), bystander.username, timezone.localdate()
    )
    for response in responses:
        assert response.status_code == 400
        assert NOT_NAMEABLE in response.json()["errors"]["owner"][0]
    assert counts() == (0, 0, 0)


def test_it_refuses_a_patch_that_hands_a_record_to_a_viewer(ops, owner, team, other_team, seam):
    constraint, dependency = owned_records(owner, (team, other_team, seam))
    viewer = UserFactory(username="late_viewer", roles=["viewer"])
    for url in (f"/api/v1/constraints/{constraint.pk}/", f"/api/v1/dependencies/{dependency.pk}/"):
        response = api(ops).patch(url, {"owner": viewer.username}, format="json")
        assert response.status_code == 400, url
        assert NOT_NAMEABLE in response.json()["errors"]["owner"][0]
    assert Constraint.objects.get().owner == owner
    assert Dependency.objects.get().owner == owner


def test_it_refuses_a_viewer_as_the_decider_of_a_decision_right(leader, seam, viewer):
    contract = Contract.objects.create(slug="launch", title="Launch", scope="s", leader=leader)
    ContractSeam.objects.create(contract=contract, seam=seam)
    response = api(leader).post(
        f"/api/v1/contracts/{contract.slug}/decision-rights/",
        {
            "decision_type": "Scope",
            "seam": seam.slug,
            "decider": viewer.username,
            "decision_sla_hours": "16",
            "escalation_forum": "Weekly",
        },
        format="json",
    )
    assert response.status_code == 400
    assert NOT_NAMEABLE in response.json()["errors"]["decider"][0]
    assert not DecisionRight.objects.exists()


def test_it_refuses_a_viewer_named_in_the_guided_start_and_in_a_review(leader, seam, viewer):
    seams = Seam.objects.all()
    decision = CadenceDecisionForm(
        {"question": "Q", "seam": seam.pk, "decider": viewer.pk}, seams=seams
    )
    constraint = CadenceConstraintForm(
        {"description": "Cap", "seam": seam.pk, "owner": viewer.pk}, seams=seams
    )
    assert NOT_NAMEABLE in decision.errors["decider"][0]
    assert NOT_NAMEABLE in constraint.errors["owner"][0]
    review = Review.objects.create(month=timezone.localdate().replace(day=1), started_by=leader)
    with pytest.raises(reviews.ReviewRefused, match=NOT_NAMEABLE):
        reviews.add_action(
            review=review,
            seam=seam,
            title="Pair on intake",
            owner=viewer,
            due_on=timezone.localdate() + timedelta(days=30),
            metric="rework_rate",
            by=leader,
        )
    assert not review.actions.exists()


def test_it_lets_a_model_form_know_nothing_of_the_user_and_still_check_the_owner(seam, viewer):
    """Displayed without a user, the form still refuses a viewer as owner (Constraint.clean)."""
    form = ConstraintForm({"description": "Cap", "owner": viewer.pk, "seam": seam.pk})
    assert not form.is_valid()
    assert NOT_NAMEABLE in form.errors["owner"][0]


# --- A decider who may no longer act -------------------------------------------------------


@pytest.fixture
def viewers_decision(ops, seam, other_owner):
    """Otto (Product's owner) was named decider, then gave up owning Product: a viewer now."""
    decision = log_decision(
        question="Scope?", decision_type="Budget", seam=seam, requested_by=ops, decider=other_owner
    )
    Membership.objects.filter(user=other_owner).update(role=Membership.Role.MEMBER)
    return decision


def test_it_lets_no_former_owner_decide_on_the_page_or_in_the_api(viewers_decision, other_owner):
    page = client_for(other_owner).post(
        reverse("decisions:decide", args=[viewers_decision.pk]), {"outcome": "Yes"}
    )
    assert page.status_code == 403
    response = api(other_owner).post(
        f"/api/v1/decisions/{viewers_decision.pk}/decide/", {"outcome": "Yes"}, format="json"
    )
    assert response.status_code == 403
    assert "do that to this decision" in response.json()["detail"]
    viewers_decision.refresh_from_db()
    assert (viewers_decision.status, viewers_decision.outcome) == ("open", "")


def test_it_still_lets_a_leader_decide_it(viewers_decision, leader):
    response = api(leader).post(
        f"/api/v1/decisions/{viewers_decision.pk}/decide/", {"outcome": "Yes"}, format="json"
    )
    assert response.status_code == 200
    assert Decision.objects.get().status == "decided"


def test_it_refuses_a_contract_decision_for_an_owner_outside_its_seams(owner, leader, foreign_seam):
    contract = Contract.objects.create(slug="legal", title="Legal", scope="s", leader=leader)
    ContractSeam.objects.create(contract=contract, seam=foreign_seam)
    DecisionRight.objects.create(
        contract=contract,
        decision_type="Budget",
        decider=leader,
        decision_sla_hours=Decimal(8),
        escalation_forum="Weekly",
    )
    response = api(owner).post(
        "/api/v1/decisions/",
        {"question": "Budget?", "contract": contract.slug, "decision_type": "Budget"},
        format="json",
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def post_constraint_and_dependency(client, teams_and_seam, owner: str, needed_by, **constraint):
    """A constraint and a dependency (consumer → provider at the seam) posted to the API, both
    owned by `owner`: their two responses."""
    consumer, provider, seam = teams_and_seam
    constraint = {"description": "Cap", "owner": owner, "seam": seam.slug} | {
        key.removeprefix("constraint_"): value for key, value in constraint.items()
    }
    dependency = {
        "title": "SSO",
        "consumer": consumer.slug,
        "provider": provider.slug,
        "seam": seam.slug,
        "owner": owner,
        "needed_by": str(needed_by),
    }
    return (
        client.post("/api/v1/constraints/", constraint, format="json"),
        client.post("/api/v1/dependencies/", dependency, format="json"),
    )


def owned_records(owner, teams_and_seam, **constraint) -> tuple[Constraint, Dependency]:
    """A constraint and a dependency (consumer → provider, needed today) at the seam, owned
    by `owner`."""
    consumer, provider, seam = teams_and_seam
    return (
        Constraint.objects.create(description="Cap", owner=owner, seam=seam, **constraint),
        Dependency.objects.create(
            title="SSO",
            consumer=consumer,
            provider=provider,
            seam=seam,
            owner=owner,
            needed_by=timezone.localdate(),
        ),
    )
