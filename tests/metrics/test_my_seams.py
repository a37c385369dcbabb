"""A team owner's "My seams": their seams, pilot state, the spec's last change, their actions."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from metrics.models import CorrectiveAction, Review
from seams.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, SeamFactory, TeamFactory, write_spec
from tests.metrics.at_risk_data import always_seam, submitted

pytestmark = pytest.mark.django_db

URL = "/my-seams/"
LONDON = ZoneInfo("Europe/London")


def action(seam, owner, leader, title, *, due_on, status="open", done_on=None):
    review = Review.objects.filter(month=date(2025, 2, 1)).first() or Review.objects.create(
        month=date(2025, 2, 1), started_by=leader
    )
    return CorrectiveAction.objects.create(
        review=review,
        seam=seam,
        title=title,
        owner=owner,
        due_on=due_on,
        metric="queue_time_p85_hours",
        status=status,
        done_on=done_on,
        created_by=leader,
    )


@pytest.fixture
def setup(seam, owner, other_owner, leader, third_team):
    """Owen owns Sales: Sales → Product (spec v2, in pilot) and Legal → Sales (no spec).
    Product → Legal is not his."""
    with time_machine.travel(datetime(2025, 3, 3, 10, 0, tzinfo=LONDON), tick=False):
        write_spec(
            seam,
            by=other_owner,
            note="SLA 16 → 12 h after the first week",
            **{"response_sla_hours": 12},
        )
    seam.start_pilot(date(2025, 3, 1))
    incoming = SeamFactory(name="Contract redlines", from_team=third_team, to_team=seam.from_team)
    elsewhere = SeamFactory(name="Not his", from_team=seam.to_team, to_team=third_team)
    action(seam, owner, leader, "Add a sample payload to the ready list", due_on=date(2025, 3, 2))
    action(seam, owner, leader, "Publish the SLA in the intake form", due_on=date(2025, 4, 1))
    action(
        seam,
        owner,
        leader,
        "Old and finished",
        due_on=date(2025, 2, 1),
        status="done",
        done_on=date(2025, 2, 1),
    )
    action(seam, other_owner, leader, "Someone else's action", due_on=date(2025, 3, 20))
    return incoming, elsewhere


def test_it_shows_an_owners_seams_pilot_state_last_change_and_actions(setup, owner):
    with time_machine.travel(datetime(2025, 3, 12, 9, 0, tzinfo=LONDON), tick=False):
        response = client_for(owner).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Custom integration intake" in page
    assert "Contract redlines" in page
    assert "Not his" not in page
    # Pilot state, version and last change (who, when, note).
    assert "Day 12 of 30 · review 31 Mar" in page
    assert ">v2</a>" in page
    assert "SLA 16 → 12 h after the first week" in page
    assert "Otto Other · 3 Mar 2025, 10:00" in page
    assert "No versions yet" in page  # the incoming seam's spec is unwritten
    assert "you send" in page
    assert "you receive" in page
    # His actions: open ones with the overdue one flagged, the done one; not others'.
    assert "Overdue · 2 Mar" in page
    assert "Publish the SLA in the intake form" in page
    assert "Old and finished" in page
    assert "Someone else&#x27;s action" not in page
    assert "Someone else's action" not in page
    assert "2 open" in page
    assert 'aria-current="page">My seams' in page


def test_it_says_so_when_the_pilot_review_is_due(setup, owner):
    with time_machine.travel(datetime(2025, 4, 2, 9, 0, tzinfo=LONDON), tick=False):
        page = client_for(owner).get(URL).content.decode()
    assert "Pilot review due 31 Mar" in page


def test_it_keeps_its_queries_bounded(setup, owner, django_assert_max_num_queries, third_team):
    client = client_for(owner)
    client.get(URL)
    # Ten more seams of his team change nothing in the count.
    team = setup[0].to_team
    for n in range(10):
        other = TeamFactory(name=f"Team {n}")
        s = SeamFactory(name=f"More {n}", from_team=team, to_team=other)
        write_spec(s, by=owner)
    # session, user, groups and owned teams (the role), seams, last versions, teams, actions
    # (open and closed), navigation and messages, and the leading signals for all the seams
    # at once (seams, holidays, open items, queue, lead and pilot figures): the same for 2
    # seams or 12.
    with django_assert_max_num_queries(18):
        page = client.get(URL).content.decode()
    assert page.count('class="row-title"') == 12


def test_it_tells_someone_who_owns_no_team_what_the_page_is_for(viewer_client):
    page = viewer_client.get(URL).content.decode()
    assert "You own no team yet" in page
    assert "My seams</a>" not in page  # not in a viewer's navigation


def test_it_refuses_other_methods_and_anonymous_visitors(client, owner_client):
    assert owner_client.post(URL).status_code == 405
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_it_lists_a_second_team_an_owner_gets(owner, third_team, seam):
    MembershipFactory(team=third_team, user=owner, role=Membership.Role.OWNER)
    SeamFactory(name="Legal to Product", from_team=third_team, to_team=seam.to_team)
    page = client_for(owner).get(URL).content.decode()
    assert "Legal to Product" in page
    assert "The seams Legal and Sales send or receive work on" in page


def test_it_shows_each_seam_s_at_risk_handoffs_and_the_soonest_to_breach(
    owner, team, other_team, third_team
):
    """From the leading signals: Sales → Product has two at risk (2 h and 0.5 h left), Legal →
    Sales none (5 of 10 h used)."""
    now = datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)
    busy = always_seam("Security sign-off", team, other_team)
    calm = always_seam("Contract redlines", third_team, team)
    with time_machine.travel(now, tick=False):
        submitted(busy, now - timedelta(hours=8), "Acme SSO")
        submitted(busy, now - timedelta(hours=9, minutes=30), "Globex SSO")
        submitted(calm, now - timedelta(hours=5), "Initech NDA")
        response = client_for(owner).get(URL)
    rows = {row["seam"].name: row for row in response.context["rows"]}
    assert [item.title for item in rows["Security sign-off"]["at_risk"]] == [
        "Globex SSO",
        "Acme SSO",
    ]
    assert rows["Contract redlines"]["at_risk"] == []
    html = response.content.decode()
    assert "2 at risk" in html
    assert "Soonest breaches in 0.5 h" in html
    assert "None at risk" in html
