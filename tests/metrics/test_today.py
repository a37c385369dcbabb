"""Today (metrics:today): at-risk handoffs, decisions due today, new escalations."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from decisions.models import Decision, Escalation
from decisions.services import log_decision
from tests.factories import TeamFactory
from tests.metrics.at_risk_data import always_seam, submitted

LONDON = ZoneInfo("Europe/London")
URL = "/today/"
# The 1st, the 3rd and the 28th of a month, mid-morning in London.
DAYS = [
    datetime(2026, 3, 1, 10, 0, tzinfo=LONDON),
    datetime(2026, 3, 3, 10, 0, tzinfo=LONDON),
    datetime(2026, 2, 28, 10, 0, tzinfo=LONDON),
]


@pytest.fixture
def seams(team, other_team):
    return (
        always_seam("Security sign-off", team, other_team),
        always_seam("Legal review", other_team, TeamFactory(name="Legal")),
    )


def _decision(ops, seam, due_at, question, status="open"):
    decision = log_decision(
        question=question, decision_type="Scope", seam=seam, requested_by=ops, decider=ops
    )
    Decision.objects.filter(pk=decision.pk).update(due_at=due_at, status=status)
    return decision


def test_it_is_named_and_reached_by_everyone_signed_in(viewer_client, client):
    assert reverse("metrics:today") == URL
    assert viewer_client.get(URL).status_code == 200
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_it_answers_only_get(ops_client):
    assert ops_client.post(URL).status_code == 405


@pytest.mark.parametrize("now", DAYS)
def test_it_lists_at_risk_handoffs_soonest_to_breach_first(ops_client, seams, now):
    security, legal = seams
    with time_machine.travel(now, tick=False):
        # 24x7, SLA 10 h: 8 h used → breaches in 2 h; 9.5 h used → 0.5 h; 5 h used → not at risk.
        submitted(security, now - timedelta(hours=8), "Acme SSO", "SEC-1")
        submitted(legal, now - timedelta(hours=9, minutes=30), "DPA for Globex", "LEG-7")
        submitted(security, now - timedelta(hours=5), "Initech audit", "SEC-2")
        page = ops_client.get(URL)
    html = page.content.decode()
    rows = page.context["at_risk"]
    assert [(r.item.external_id, r.item.breaches_in_hours, r.seam.name) for r in rows] == [
        ("LEG-7", pytest.approx(0.5), "Legal review"),
        ("SEC-1", pytest.approx(2), "Security sign-off"),
    ]
    assert "Breaches in 0.5 h" in html
    assert "Breaches in 2 h" in html
    assert "Initech audit" not in html
    assert html.index("DPA for Globex") < html.index("Acme SSO")
    assert reverse("metrics:seam", args=[legal.slug]) in html


@pytest.mark.parametrize("now", DAYS)
def test_it_lists_open_decisions_due_today_in_the_organisation_time_zone(
    ops_client, ops, seams, now
):
    seam = seams[0]
    midnight = now.replace(hour=0, minute=0)
    with time_machine.travel(now, tick=False):
        _decision(ops, seam, midnight + timedelta(hours=8), "Overdue this morning?")
        _decision(ops, seam, midnight + timedelta(hours=16), "Due this afternoon?")
        _decision(
            ops, seam, midnight + timedelta(hours=23, minutes=59), "Reopened, due late?", "reopened"
        )
        _decision(ops, seam, midnight + timedelta(hours=12), "Decided already?", "decided")
        _decision(ops, seam, midnight - timedelta(minutes=1), "Due yesterday?")
        _decision(ops, seam, midnight + timedelta(days=1), "Due tomorrow?")
        page = ops_client.get(URL)
    html = page.content.decode()
    assert [d.question for d in page.context["decisions"]] == [
        "Overdue this morning?",
        "Due this afternoon?",
        "Reopened, due late?",
    ]
    assert "Overdue · was due 08:00" in html
    assert "Due 16:00" in html
    for absent in ("Decided already?", "Due yesterday?", "Due tomorrow?"):
        assert absent not in html


@pytest.mark.parametrize("now", DAYS)
def test_it_lists_escalations_raised_since_yesterday_began(ops_client, seams, now):
    seam = seams[0]
    midnight = now.replace(hour=0, minute=0)
    with time_machine.travel(now, tick=False):
        for summary, raised in (
            ("Raised this morning", midnight + timedelta(hours=9)),
            ("Raised yesterday at dawn", midnight - timedelta(hours=23)),
            ("Raised the day before", midnight - timedelta(days=1, minutes=1)),
        ):
            Escalation.objects.create(seam=seam, summary=summary, cause="other", raised_at=raised)
        page = ops_client.get(URL)
    html = page.content.decode()
    assert [e.summary for e in page.context["escalations"]] == [
        "Raised this morning",
        "Raised yesterday at dawn",
    ]
    assert "Raised the day before" not in html
    assert "today 09:00" in html
    assert "yesterday 01:00" in html


def test_it_says_so_when_there_is_nothing_to_act_on(ops_client, seams):
    html = ops_client.get(URL).content.decode()
    assert "No handoff is close to breaching" in html
    assert "No decision falls due today." in html
    assert "No escalation raised since yesterday morning." in html


def test_it_is_in_everyone_s_navigation_and_current_on_itself(viewer_client):
    html = viewer_client.get(URL).content.decode()
    assert 'aria-current="page">Today' in html


def test_it_keeps_its_queries_bounded(ops_client, ops, team, django_assert_max_num_queries):
    now = datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)
    with time_machine.travel(now, tick=False):
        for n in range(6):
            seam = always_seam(f"Seam {n}", team, TeamFactory(name=f"Receiver {n}"))
            submitted(seam, now - timedelta(hours=8), f"Item {n}", f"X-{n}")
            _decision(ops, seam, now + timedelta(hours=2), f"Question {n}?")
            Escalation.objects.create(seam=seam, summary=f"Miss {n}", cause="other", raised_at=now)
        ops_client.get(URL)  # warm the session and the site's caches
        with django_assert_max_num_queries(20):
            page = ops_client.get(URL)
    assert len(page.context["at_risk"]) == 6
    assert len(page.context["decisions"]) == 6
    assert len(page.context["escalations"]) == 6
