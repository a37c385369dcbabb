"""Moving cards on the dependency board, and the summary line above it."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from decisions.models import Dependency, DependencyMove
from tests.conftest import client_for
from tests.factories import TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
BOARD = reverse("decisions:dependencies")


@pytest.fixture
def card(team, other_team):
    return Dependency.objects.create(
        title="Sandbox tenant",
        provider=other_team,
        consumer=team,
        owner=UserFactory(),
        needed_by=timezone.localdate() + timedelta(days=20),
    )


def move_url(card, query: str = "") -> str:
    return reverse("decisions:dependency-move", args=[card.pk]) + (f"?{query}" if query else "")


def said(html: str) -> str:
    """The text of the board's live region (and of its out-of-band copy in htmx answers)."""
    found = re.search(r'<p[^>]*id="board-said"[^>]*>(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


class TestMoves:
    def test_a_plain_move_changes_the_status_and_the_page_says_so(self, ops_client, ops, card):
        response = ops_client.post(move_url(card), {"status": "committed"}, follow=True)
        assert response.redirect_chain[-1][0] == BOARD
        assert Dependency.objects.get(pk=card.pk).status == "committed"
        move = DependencyMove.objects.get()
        assert (move.from_status, move.to_status, move.by) == ("requested", "committed", ops)
        assert "Moved “Sandbox tenant” to Committed." in response.content.decode()
        # The card now sits in the Committed column, its menu on the new column.
        committed = next(c for c in response.context["columns"] if c["status"] == "committed")
        assert [d.pk for d, _, _ in committed["cards"]] == [card.pk]
        assert re.search(r'<option value="committed" selected>', response.content.decode())

    def test_an_htmx_move_answers_with_the_board_and_the_live_region_says_so(
        self, ops_client, card
    ):
        response = ops_client.post(
            move_url(card), {"status": "in_progress"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert page.lstrip().startswith('<div class="board" id="board">')
        assert 'id="board-said" hx-swap-oob="innerHTML"' in page
        assert said(page) == "Moved “Sandbox tenant” to In progress."
        assert 'id="board-summary" aria-label="The board in figures" hx-swap-oob="true"' in page
        assert "dependencyMoved" in response["HX-Trigger"]
        assert Dependency.objects.get(pk=card.pk).status == "in_progress"

    def test_delivering_stamps_the_day_and_moving_back_clears_it(self, ops_client, card):
        ops_client.post(move_url(card), {"status": "delivered"})
        card.refresh_from_db()
        assert (card.delivered_at, card.delivered_on_time) == (timezone.localdate(), True)
        ops_client.post(move_url(card), {"status": "at_risk"})
        card.refresh_from_db()
        assert (card.status, card.delivered_at) == ("at_risk", None)


class TestTheFilterKeepsToItself:
    def test_the_filter_form_reloads_on_its_own_controls_only(self, ops_client, card):
        page = ops_client.get(BOARD).content.decode()
        form = re.search(r'<form class="board-filters"[^>]*>', page).group(0)
        assert 'hx-trigger="change"' in form  # changes inside this form, not every select
        assert "from:" not in form
        assert "from:select" not in page

    def test_a_move_made_on_a_filtered_board_sends_its_column_and_keeps_the_filter(
        self, ops_client, team, other_team, card
    ):
        elsewhere = Dependency.objects.create(
            title="Elsewhere",
            provider=TeamFactory(name="Legal"),
            consumer=TeamFactory(name="Finance"),
            owner=UserFactory(),
            needed_by=card.needed_by,
        )
        page = ops_client.get(BOARD, {"team": team.slug}).content.decode()
        # The card's form posts to a URL that carries the filter along.
        assert f'action="{move_url(card, f"team={team.slug}")}"' in page
        response = ops_client.post(
            move_url(card, f"team={team.slug}"), {"status": "at_risk"}, HTTP_HX_REQUEST="true"
        )
        assert Dependency.objects.get(pk=card.pk).status == "at_risk"
        shown = [d.pk for c in response.context["columns"] for d, _, _ in c["cards"]]
        assert shown == [card.pk]  # still filtered to the team
        assert elsewhere.pk not in shown
        plain = ops_client.post(move_url(card, f"team={team.slug}"), {"status": "committed"})
        assert plain["Location"] == f"{BOARD}?team={team.slug}"
        assert Dependency.objects.get(pk=card.pk).status == "committed"


class TestRefusedMoves:
    @pytest.mark.parametrize("htmx", [True, False])
    def test_no_column_is_refused_and_says_why(self, ops_client, card, htmx):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = ops_client.post(
            move_url(card), {"status": "sideways"}, follow=not htmx, **headers
        )
        if htmx:
            assert response.status_code == 400
        assert "Not moved: choose a column to move the card to." in response.content.decode()
        assert not DependencyMove.objects.exists()

    @pytest.mark.parametrize("htmx", [True, False])
    def test_the_same_column_is_refused_and_says_so(self, ops_client, card, htmx):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = ops_client.post(
            move_url(card), {"status": "requested"}, follow=not htmx, **headers
        )
        assert "Not moved: “Sandbox tenant” is already in Requested." in response.content.decode()
        assert not DependencyMove.objects.exists()

    def test_someone_who_may_not_move_it_is_told_why(self, unrelated_owner_client, card):
        response = unrelated_owner_client.post(
            move_url(card), {"status": "delivered"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 403
        assert said(response.content.decode()).startswith("Not moved: Leaders and ops log anywhere")
        plain = unrelated_owner_client.post(move_url(card), {"status": "delivered"})
        assert plain.status_code == 403
        assert "team owners log for their own teams" in plain.content.decode()
        assert Dependency.objects.get(pk=card.pk).status == "requested"
        assert not DependencyMove.objects.exists()

    def test_only_cards_one_may_move_carry_a_move_form(
        self, owner_client, viewer_client, card, third_team
    ):
        other = Dependency.objects.create(
            title="Not ours",
            provider=third_team,
            consumer=TeamFactory(name="Finance"),
            owner=UserFactory(),
            needed_by=card.needed_by,
        )
        page = owner_client.get(BOARD).content.decode()
        assert f'id="move-{card.pk}"' in page
        assert f'id="move-{other.pk}"' not in page
        assert 'draggable="true"' in page
        viewer_page = viewer_client.get(BOARD).content.decode()
        assert "move-form" not in viewer_page
        assert 'draggable="true"' not in viewer_page


# --- The summary line --------------------------------------------------------------------------


def _dependency(title, needed_by, status="requested", **fields):
    return Dependency.objects.create(
        title=title,
        provider=fields.pop("provider"),
        consumer=fields.pop("consumer"),
        owner=fields.pop("owner"),
        needed_by=needed_by,
        status=status,
        **fields,
    )


@pytest.fixture
def march_board(team, other_team):
    """Cards around March 2026, built on the day the clock says (1st, 3rd or 28th)."""

    def build():
        today = timezone.localdate()
        who = {"provider": other_team, "consumer": team, "owner": UserFactory()}
        # This month: four due, one cancelled (not due).
        _dependency("Needed today", today, **who)  # requested, needed today: flagged
        _dependency("Committed in time", date(2026, 3, 31), "committed", **who)
        _dependency(
            "Delivered early",
            date(2026, 3, 31),
            "delivered",
            delivered_at=today,
            **who,
        )
        _dependency("Cancelled", date(2026, 3, 15), "cancelled", **who)
        _dependency(
            "Committed too late",
            date(2026, 3, 31),
            "committed",
            committed_date=date(2026, 4, 2),
            **who,
        )  # flagged
        # Later: one at risk by its column, one far off and calm.
        _dependency("At risk", date(2026, 4, 20), "at_risk", **who)
        _dependency("Far off", date(2026, 5, 1), **who)
        # Last month: one on time, one late, one missed, one never delivered, one cancelled.
        _dependency("On time", date(2026, 2, 10), "delivered", delivered_at=date(2026, 2, 9), **who)
        _dependency("Late", date(2026, 2, 10), "delivered", delivered_at=date(2026, 2, 12), **who)
        _dependency("Missed", date(2026, 2, 20), "missed", **who)
        _dependency("Still going", date(2026, 2, 27), "in_progress", **who)
        _dependency("Called off", date(2026, 2, 5), "cancelled", **who)
        # The month before: not counted anywhere.
        _dependency(
            "January", date(2026, 1, 31), "delivered", delivered_at=date(2026, 1, 30), **who
        )

    return build


@pytest.mark.parametrize("day", [1, 3, 28])
def test_the_summary_line_counts_by_the_metric_rules(march_board, ops, day):
    with time_machine.travel(datetime(2026, 3, day, 9, 0, tzinfo=LONDON), tick=False):
        march_board()
        client = client_for(ops)
        response = client.get(BOARD)
    summary = response.context["summary"]
    assert (summary["due"], summary["at_risk"], summary["missed"]) == (4, 3, 3)
    assert summary["on_time_percent"] == 25
    page = response.content.decode()
    assert "<dt>Due in March</dt><dd>4</dd>" in page
    assert re.search(r"At risk</dt><dd>3</dd>", page)
    assert re.search(r"Missed in February</dt><dd>3</dd>", page)
    assert "<dt>On time in February</dt><dd>25%</dd>" in page


def test_the_summary_follows_the_filter_and_a_month_with_nothing_due_shows_a_dash(
    march_board, ops, team
):
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=LONDON), tick=False):
        march_board()
        client = client_for(ops)
        response = client.get(BOARD, {"team": TeamFactory(name="Legal").slug})
    summary = response.context["summary"]
    assert (summary["due"], summary["at_risk"], summary["missed"]) == (0, 0, 0)
    assert summary["on_time_percent"] is None
    assert "<dt>On time in February</dt><dd>—</dd>" in response.content.decode()


def test_on_new_years_day_the_summary_names_december(ops):
    with time_machine.travel(datetime(2027, 1, 1, 9, 0, tzinfo=LONDON), tick=False):
        page = client_for(ops).get(BOARD).content.decode()
    assert "<dt>Due in January</dt>" in page
    assert "Missed in December</dt>" in page


def test_a_move_updates_the_summary_it_sends_back(march_board, ops):
    with time_machine.travel(datetime(2026, 3, 28, 9, 0, tzinfo=LONDON), tick=False):
        march_board()
        client = client_for(ops)
        card = Dependency.objects.get(title="Still going")
        response = client.post(move_url(card), {"status": "delivered"}, HTTP_HX_REQUEST="true")
    # Delivered today, a month after it was needed: still not on time.
    assert response.context["summary"]["missed"] == 3
    card = Dependency.objects.get(title="At risk")
    with time_machine.travel(datetime(2026, 3, 28, 9, 0, tzinfo=LONDON), tick=False):
        response = client.post(move_url(card), {"status": "committed"}, HTTP_HX_REQUEST="true")
    assert response.context["summary"]["at_risk"] == 2
    assert re.search(r"At risk</dt><dd>2</dd>", response.content.decode())
