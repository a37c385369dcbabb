from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Dependency, DependencyMove
from tests.factories import UserFactory


@pytest.fixture
def card(team, other_team):
    today = timezone.localdate()
    return Dependency.objects.create(
        title="Sandbox tenant",
        provider=other_team,
        consumer=team,
        owner=UserFactory(),
        needed_by=today + timedelta(days=5),
    )


def move_url(card):
    return reverse("decisions:dependency-move", args=[card.pk])


def test_ops_moves_a_card_with_the_plain_form_and_it_is_recorded(ops_client, ops, card):
    response = ops_client.post(move_url(card), {"status": "committed"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == "committed"
    move = DependencyMove.objects.get()
    assert (move.from_status, move.to_status, move.by) == ("requested", "committed", ops)


def test_the_htmx_move_answers_with_the_board(ops_client, card):
    response = ops_client.post(move_url(card), {"status": "in_progress"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div class="board" id="board">')
    assert "dependencyMoved" in response["HX-Trigger"]
    assert Dependency.objects.get(pk=card.pk).status == "in_progress"


@pytest.mark.parametrize("client_name", ["viewer_client", "unrelated_owner_client"])
def test_a_viewer_or_an_unrelated_owner_may_not_move_it(request, client_name, card):
    response = request.getfixturevalue(client_name).post(move_url(card), {"status": "delivered"})
    assert response.status_code == 403
    assert Dependency.objects.get(pk=card.pk).status == "requested"
    assert not DependencyMove.objects.exists()


def test_delivered_on_time_is_computed_and_cleared_when_moved_back(ops_client, card):
    ops_client.post(move_url(card), {"status": "delivered"})
    card.refresh_from_db()
    assert card.delivered_at == timezone.localdate()
    assert card.delivered_on_time is True
    ops_client.post(move_url(card), {"status": "in_progress"})
    card.refresh_from_db()
    assert (card.delivered_at, card.delivered_on_time) == (None, None)


def test_flags(card):
    today = timezone.localdate()
    assert card.flag(today) == "Not committed, needed in 5 days"
    assert card.flag(today + timedelta(days=7)) == "Not committed, needed 2 days ago"
    card.needed_by = today + timedelta(days=20)
    assert card.flag(today) == ""
    card.status, card.committed_date = "committed", today + timedelta(days=23)
    assert card.flag(today) == "Committed 3 days after it is needed"


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_board_keeps_its_queries_bounded(
    viewer_client, team, other_team, rows, django_assert_max_num_queries
):
    owner = UserFactory()
    today = timezone.localdate()
    statuses = [s for s, _ in Dependency.Status.choices]
    Dependency.objects.bulk_create(
        Dependency(
            title=f"D{i}",
            provider=other_team,
            consumer=team,
            owner=owner,
            needed_by=today + timedelta(days=(i % 90) - 60),
            status=statuses[i % 7],
        )
        for i in range(rows)
    )
    with django_assert_max_num_queries(12):
        response = viewer_client.get(reverse("decisions:dependencies"))
    shown = sum(len(c["cards"]) for c in response.context["columns"])
    older = sum(c["older"] for c in response.context["columns"])
    assert shown + older == rows
