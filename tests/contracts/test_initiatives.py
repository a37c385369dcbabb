from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Assumption, Commitment, Initiative


@pytest.fixture
def initiative(leader, team, other_team, third_team):
    launch = Initiative.objects.create(slug="eu-launch", name="EU launch", leader=leader)
    for t, story in (
        (team, "Selling to EU banks"),
        (other_team, "Making the product EU-ready"),
        (third_team, "New GDPR templates"),
    ):
        Commitment.objects.create(
            initiative=launch, team=t, commitment=f"{t.name} delivers", description=story
        )
    return launch


def commitment(initiative, team):
    return initiative.commitments.get(team=team)


@pytest.fixture
def assumptions(initiative, team, other_team, third_team, owner, other_owner):
    today = timezone.localdate()
    sales, product, legal = (commitment(initiative, t) for t in (team, other_team, third_team))

    def add(statement, *, owner=None, status="unverified", check_in=30):
        return Assumption.objects.create(
            initiative=initiative,
            statement=statement,
            from_commitment=sales,
            to_commitment=product,
            owner=owner,
            status=status,
            check_by=today + timedelta(days=check_in),
        )

    return {
        "fine": add("Fine and owned", owner=owner, check_in=5),
        "holding_past": add(
            "Holding, check date passed", owner=owner, status="holding", check_in=-9
        ),
        "overdue": add("Past its check-by", owner=other_owner, check_in=-2),
        "broken": add("Broken", owner=owner, status="broken", check_in=40),
        "unowned_late": add("Nobody owns this, due later", check_in=60),
        "unowned_soon": add("Nobody owns this, due soon", check_in=3),
        "legal": Assumption.objects.create(
            initiative=initiative,
            statement="Templates cover the region",
            from_commitment=legal,
            to_commitment=product,
            owner=owner,
            check_by=today + timedelta(days=90),
        ),
    }


def test_it_puts_unowned_then_broken_then_overdue_assumptions_first(initiative, assumptions):
    ordered = list(initiative.assumptions.needing_attention_first(timezone.localdate()))
    assert [a.statement for a in ordered] == [
        "Nobody owns this, due soon",
        "Nobody owns this, due later",
        "Broken",
        "Past its check-by",
        "Holding, check date passed",
        "Fine and owned",
        "Templates cover the region",
    ]
    assert [a.attention for a in ordered] == [0, 0, 1, 2, 3, 3, 3]


def test_the_page_shows_them_in_that_order_and_counts_those_needing_attention(
    viewer_client, initiative, assumptions
):
    response = viewer_client.get(reverse("contracts:initiative", args=[initiative.slug]))
    assert [a.statement for a in response.context["assumptions"]][:4] == [
        "Nobody owns this, due soon",
        "Nobody owns this, due later",
        "Broken",
        "Past its check-by",
    ]
    page = response.content.decode()
    assert "4 need attention" in page
    assert page.index("Nobody owns this, due soon") < page.index("Fine and owned")


def test_the_page_shows_each_teams_story_side_by_side(viewer_client, initiative):
    page = viewer_client.get(
        reverse("contracts:initiative", args=[initiative.slug])
    ).content.decode()
    for story in ("Selling to EU banks", "Making the product EU-ready", "New GDPR templates"):
        assert f"“{story}”" in page


def test_the_api_orders_them_the_same_way(viewer, initiative, assumptions):
    client = APIClient()
    client.force_authenticate(viewer)
    body = client.get(f"/api/v1/initiatives/{initiative.slug}/").json()
    assert [a["statement"] for a in body["assumptions"]][:2] == [
        "Nobody owns this, due soon",
        "Nobody owns this, due later",
    ]
    assert [a["needs_attention"] for a in body["assumptions"]] == [True] * 4 + [False] * 3


class TestWhoWritesWhat:
    def test_a_team_owner_edits_their_teams_commitment_but_not_anothers(
        self, owner_client, initiative, team, other_team
    ):
        mine, theirs = commitment(initiative, team), commitment(initiative, other_team)
        ok = owner_client.post(
            reverse("contracts:commitment-edit", args=[initiative.slug, mine.pk]),
            {"description": "Selling to EU insurers", "commitment": "12 deals"},
        )
        refused = owner_client.post(
            reverse("contracts:commitment-edit", args=[initiative.slug, theirs.pk]),
            {"description": "Hijacked", "commitment": "x"},
        )
        assert (ok.status_code, refused.status_code) == (302, 403)
        assert Commitment.objects.get(pk=mine.pk).description == "Selling to EU insurers"
        assert Commitment.objects.get(pk=theirs.pk).description == "Making the product EU-ready"

    def test_ops_and_owners_of_its_teams_record_assumptions_viewers_do_not(
        self,
        initiative,
        team,
        other_team,
        ops_client,
        owner_client,
        viewer_client,
        unrelated_owner_client,
    ):
        data = {
            "statement": "Capacity before demand",
            "from_commitment": commitment(initiative, team).pk,
            "to_commitment": commitment(initiative, other_team).pk,
            "status": "unverified",
        }
        url = reverse("contracts:assumption-add", args=[initiative.slug])
        assert ops_client.post(url, data).status_code == 302
        assert owner_client.post(url, data | {"statement": "Second"}).status_code == 302
        assert viewer_client.post(url, data | {"statement": "Third"}).status_code == 403
        assert Assumption.objects.count() == 2

    def test_an_assumption_connects_two_different_commitments_of_the_initiative(
        self, leader_client, initiative, team, leader, other_team
    ):
        other = Initiative.objects.create(slug="other", name="Other", leader=leader)
        foreign = Commitment.objects.create(
            initiative=other, team=other_team, commitment="x", description="y"
        )
        sales = commitment(initiative, team)
        url = reverse("contracts:assumption-add", args=[initiative.slug])
        same = leader_client.post(
            url,
            {
                "statement": "Loop",
                "from_commitment": sales.pk,
                "to_commitment": sales.pk,
                "status": "unverified",
            },
        )
        assert same.status_code == 400
        assert "to_commitment" in same.context["assumption_form"].errors
        cross = leader_client.post(
            url,
            {
                "statement": "Cross",
                "from_commitment": sales.pk,
                "to_commitment": foreign.pk,
                "status": "unverified",
            },
        )
        assert cross.status_code == 400
        assert not Assumption.objects.exists()

    def test_the_api_applies_the_same_rules(self, initiative, team, other_team, viewer, ops):
        data = {
            "statement": "Capacity",
            "from_commitment": commitment(initiative, team).pk,
            "to_commitment": commitment(initiative, other_team).pk,
        }
        url = f"/api/v1/initiatives/{initiative.slug}/assumptions/"
        client = APIClient()
        client.force_authenticate(viewer)
        assert client.post(url, data, format="json").status_code == 403
        client.force_authenticate(ops)
        created = client.post(url, data, format="json")
        assert created.status_code == 201
        assert created.json()["needs_attention"] is False  # just created: not annotated
        loop = client.post(url, data | {"to_commitment": data["from_commitment"]}, format="json")
        assert loop.status_code == 400
        assert "to_commitment" in loop.json()["errors"]
        assert Assumption.objects.count() == 1

    def test_only_leaders_create_initiatives(self, owner_client, leader_client, leader):
        data = {"name": "APAC launch", "leader": leader.pk}
        assert owner_client.post(reverse("contracts:initiative-create"), data).status_code == 403
        assert leader_client.post(reverse("contracts:initiative-create"), data).status_code == 302
        assert Initiative.objects.get().slug == "apac-launch"


def test_the_list_counts_assumptions_needing_attention_per_initiative(
    viewer_client, initiative, assumptions
):
    response = viewer_client.get(reverse("contracts:initiatives"))
    assert response.context["rows"] == [(initiative, 4)]
    assert "4 unowned, broken or overdue" in response.content.decode()
