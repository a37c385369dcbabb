"""The seam drill-down answers "why is it red?" for the month under review (or ?month=): tiles
against target with their change, the why panel from the data (escalation causes as a Pareto,
the ready items most often missing in returns, overdue decisions), corrective actions with
their verdicts, and only the actions the user may take. The clock runs on the 1st, the 3rd and
the 28th of December 2026, so the month under review is November throughout."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from contracts.models import Contract, ContractSeam, MetricTarget
from decisions.models import Decision, Escalation
from metrics import engine
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review
from seams.models import Handoff, HandoffReturn
from tests.factories import PASSWORD, SeamFactory

LONDON = ZoneInfo("Europe/London")
NOVEMBER, OCTOBER, SEPTEMBER = date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1)
DECEMBER = date(2026, 12, 1)


@pytest.fixture(params=[1, 3, 28], ids=["1st", "3rd", "28th"])
def clock(request):
    with time_machine.travel(datetime(2026, 12, request.param, 9, tzinfo=LONDON), tick=False):
        yield request.param


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def at(month: date, day: int = 10) -> datetime:
    return datetime(month.year, month.month, day, 12, tzinfo=LONDON)


# Long: the drill-down's board written out, one record a line.
@pytest.fixture
def board(clock, seam, leader, owner, other_owner):
    """The seam red in November: targets, three months of snapshots, escalations, returns and
    decisions, some of them outside November to show they are left out."""
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="Launch", leader=leader, status="active"
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    for metric, value in [
        ("queue_time_p85_hours", 24),
        ("sla_breach_rate", 10),
        ("rework_rate", 15),
        ("escalations", 2),
    ]:
        MetricTarget.objects.create(
            contract=contract, seam=seam, metric=metric, target=Decimal(value)
        )
    for month, queue, rate, escalations, wip in [
        (SEPTEMBER, "20", "0.05", 1, 3),
        (OCTOBER, "27.5", "0.11", 2, 14),
        (NOVEMBER, "41.6", "0.30", 4, 23),
        (DECEMBER, "12", "0.00", 1, 5),
    ]:
        MonthlySeamMetrics.objects.create(
            seam=seam,
            month=month,
            queue_time_p85_hours=Decimal(queue),
            queue_time_p50_hours=Decimal("10"),
            sla_breach_rate=Decimal(rate),
            sla_due=20,
            sla_breaches=int(Decimal(rate) * 20),
            escalations=escalations,
            wip_open=wip,
            oldest_open_age_hours=Decimal("212"),
        )
    for when, cause in [
        (at(NOVEMBER, 2), "missing_inputs"),
        (at(NOVEMBER, 5), "missing_inputs"),
        (at(NOVEMBER, 20), "missing_inputs"),
        (at(NOVEMBER, 21), "unclear_decision_rights"),
        (at(SEPTEMBER), "dependency_missed"),
        (at(date(2026, 8, 1)), "other"),  # before the three months the Pareto counts
    ]:
        Escalation.objects.create(
            seam=seam, summary=f"{cause} {when:%d %b}", cause=cause, raised_at=when
        )
    handoff = Handoff.objects.create(
        seam=seam, source="t", external_id="1", title="t", submitted_at=at(OCTOBER, 1)
    )
    for when, item in [
        (at(NOVEMBER, 3), "Sample payload"),
        (at(NOVEMBER, 4), "Use case"),
        (at(NOVEMBER, 6), "Sample payload"),
        (at(NOVEMBER, 7), ""),
        (at(OCTOBER, 7), "Budget owner"),  # October's
        (at(OCTOBER, 8), "Budget owner"),
        (at(OCTOBER, 9), "Budget owner"),
    ]:
        HandoffReturn.objects.create(
            handoff=handoff, reason="r", missing_item=item, returned_at=when
        )
    now = datetime.now(tz=LONDON)

    def decision(question, due, **kwargs):
        return Decision.objects.create(
            question=question,
            decision_type="Scope",
            seam=seam,
            requested_by=owner,
            decider=other_owner,
            requested_at=now - timedelta(days=20),
            due_at=due,
            **kwargs,
        )

    decision("Who scopes custom integrations?", now - timedelta(days=6, hours=1))
    decision("Is a sample payload mandatory?", now + timedelta(days=2))
    decision("Decided long ago", now - timedelta(days=9), status="decided", decided_at=now)
    return contract


def why_panel(page: str) -> str:
    start = page.index('id="why"')
    return page[start : page.index("</section>", start)]


def test_it_explains_the_month_under_review_by_default(board, seam, viewer):
    response = signed_in(viewer).get(reverse("metrics:seam", args=[seam.slug]))
    assert response.status_code == 200
    why = response.context["why"]
    assert response.context["month"] == NOVEMBER == engine.month_under_review()
    # The Pareto: escalations by cause over September to November, the largest first.
    assert [(b.label, b.count) for b in why.pareto_bars] == [
        ("Missing inputs", 3),
        ("Dependency missed", 1),
        ("Unclear decision rights", 1),
    ]
    assert (why.pareto_first, why.pareto_total) == (SEPTEMBER, 5)
    assert (why.escalations, why.top_cause) == (4, ("Missing inputs", 3))
    # Returned in November: four, three of them naming a missing ready item.
    assert (why.returns, why.returns_with_item) == (4, 3)
    assert [(m.item, m.count) for m in why.missing] == [("Sample payload", 2), ("Use case", 1)]
    assert [d.question for d in why.overdue] == ["Who scopes custom integrations?"]
    assert why.overdue[0].overdue_days == 6

    page = response.content.decode()
    panel = why_panel(page)
    assert "Why it is red" in panel
    assert "Queue time p85 41.6 h (≤ 24 h)" in panel  # what is off target, first
    assert "SLA breach rate 30 % (≤ 10 %)" in panel
    assert "3 of 4 returns in November named a missing ready item" in panel
    assert "Sample payload" in panel
    assert "Budget owner" not in panel
    assert "4 escalations in November" in panel
    assert "Most often missing inputs (3)" in panel
    assert "Who scopes custom integrations?" in panel
    assert "6 days overdue" in panel
    assert "Is a sample payload mandatory?" not in panel  # pending, not overdue
    assert "5 escalations raised September – November 2026" in page
    assert "No root cause recorded for November yet" in panel


def test_a_month_can_be_picked_and_explains_that_month(board, seam, viewer):
    response = signed_in(viewer).get(
        reverse("metrics:seam", args=[seam.slug]), {"month": "2026-10"}
    )
    assert response.status_code == 200
    why = response.context["why"]
    assert [(m.item, m.count) for m in why.missing] == [("Budget owner", 3)]
    assert why.escalations == 0
    # August to October: August's escalation counts now.
    assert [(b.label, b.count) for b in why.pareto_bars] == [
        ("Dependency missed", 1),
        ("Other", 1),
    ]
    queue = response.context["tiles"][0]
    assert (queue.value, queue.status, queue.delta_text) == (Decimal("27.5000"), "amber", "↑ 7.5 h")
    page = response.content.decode()
    assert '<option value="2026-10" selected>October 2026</option>' in page


def test_the_tiles_show_value_target_status_and_change(board, seam, viewer):
    response = signed_in(viewer).get(reverse("metrics:seam", args=[seam.slug]))
    tiles = {t.metric: t for t in response.context["tiles"]}
    assert list(tiles) == [
        "queue_time_p85_hours",
        "sla_breach_rate",
        "rework_rate",
        "decision_latency_p85_hours",
        "escalations",
        "wip_open",
    ]
    queue, rate, esc, wip = (
        tiles["queue_time_p85_hours"],
        tiles["sla_breach_rate"],
        tiles["escalations"],
        tiles["wip_open"],
    )
    assert (queue.number, queue.status, queue.target_text, queue.delta_text, queue.trend) == (
        "41.6",
        "red",
        "≤ 24 h",
        "↑ 14.1 h",
        "worse",
    )
    assert (rate.number, rate.status, rate.target_text, rate.delta_text) == (
        "30",
        "red",
        "≤ 10 %",
        "↑ 19 pts",
    )
    assert (esc.number, esc.status, esc.delta_text) == ("4", "red", "↑ 2")
    assert (wip.number, wip.status, wip.delta_text) == ("23", "none", "↑ 9")
    assert tiles["decision_latency_p85_hours"].status == "none"
    page = response.content.decode()
    assert "Target ≤ 24 h" in page
    assert "↑ 14.1 h" in page
    assert "vs Oct" in page
    assert "Oldest 212 h" in page
    assert response.context["row"].status == "red"


def test_the_current_month_says_so_far(board, seam, viewer, clock):
    response = signed_in(viewer).get(
        reverse("metrics:seam", args=[seam.slug]), {"month": "2026-12"}
    )
    assert response.status_code == 200
    assert response.context["month"] == DECEMBER
    page = response.content.decode()
    assert f"December so far (day {clock} of 31)" in page
    assert '<option value="2026-12" selected>December 2026 (so far)</option>' in page


@pytest.mark.parametrize("bad", ["2026-13", "soon", "2027-01"])
def test_a_bad_month_is_a_clear_400_on_the_month_under_review(board, seam, viewer, bad):
    response = signed_in(viewer).get(reverse("metrics:seam", args=[seam.slug]), {"month": bad})
    assert response.status_code == 400
    assert response.context["month"] == NOVEMBER
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Showing November 2026, the month under review." in page


def test_corrective_actions_show_whether_they_moved(board, seam, leader, owner):
    october = Review.objects.create(month=OCTOBER, started_by=leader)
    november = Review.objects.create(month=NOVEMBER, started_by=leader)

    def action(review, title, baseline, **kwargs):
        return CorrectiveAction.objects.create(
            review=review,
            seam=seam,
            title=title,
            owner=owner,
            due_on=date(2026, 11, 20),
            metric="queue_time_p85_hours",
            baseline=baseline,
            created_by=leader,
            **kwargs,
        )

    action(october, "Triage twice a day", Decimal("30"))  # 30 → 41.6: worse
    action(october, "Second owner", Decimal("50"))  # 50 → 41.6, gap 26: less than half
    action(october, "Drop the DM intake", Decimal("100"))  # 100 → 41.6: over half the gap
    action(november, "Form link auto-reply", Decimal("41.6"))  # agreed last month: too early
    action(october, "Dropped idea", Decimal("30"), status="dropped")
    response = signed_in(leader).get(reverse("metrics:seam", args=[seam.slug]))
    verdicts = {a.title: a.verdict for a in response.context["actions"]}
    assert verdicts == {
        "Triage twice a day": "not moved",
        "Second owner": "partly",
        "Drop the DM intake": "moved",
        "Form link auto-reply": "too early",
    }
    page = response.content.decode()
    assert "Not moved" in page
    assert "Partly" in page
    assert "Too early" in page
    assert "Moved" in page
    assert "Dropped idea" not in page
    assert "30.0 h → <strong>41.6 h</strong>" in page
    assert "Agreed in the October review" in page


def action_names(page: str) -> set[str]:
    return {
        name
        for name in ("Log escalation", "Record root cause", "Add corrective action")
        if f">{name}</" in page
    }


def test_a_leader_may_take_all_three_actions_and_start_the_meeting(board, seam, leader):
    client = signed_in(leader)
    url = reverse("metrics:seam", args=[seam.slug])
    page = client.get(url).content.decode()
    assert action_names(page) == {"Log escalation", "Record root cause", "Add corrective action"}
    assert f'href="{reverse("decisions:escalations")}?seam={seam.slug}#id_summary"' in page
    assert f'action="{reverse("metrics:review-start")}"' in page  # no meeting yet: starts it
    response = client.post(reverse("metrics:review-start"), {"month": "2026-11", "seam": seam.slug})
    meeting = Review.objects.get(month=NOVEMBER, contract=None)
    record = reverse("metrics:review-record", args=[meeting.pk])
    assert response["Location"] == f"{record}#seam-{seam.slug}"
    page = client.get(url).content.decode()
    assert action_names(page) == {"Log escalation", "Record root cause", "Add corrective action"}
    # The meeting is open: links, in the header, the why panel and the empty actions card.
    assert page.count(f'href="{record}#seam-{seam.slug}"') == 3


def test_a_closed_meeting_is_linked_not_offered(board, seam, leader):
    Review.objects.create(month=NOVEMBER, started_by=leader, status="closed")
    page = signed_in(leader).get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    assert action_names(page) == {"Log escalation"}
    assert "The November review (closed)" in page


def test_ops_and_owners_log_escalations_and_viewers_take_no_action(board, seam, ops, owner, viewer):
    url = reverse("metrics:seam", args=[seam.slug])
    assert action_names(signed_in(ops).get(url).content.decode()) == {"Log escalation"}
    assert action_names(signed_in(owner).get(url).content.decode()) == {"Log escalation"}
    page = signed_in(viewer).get(url).content.decode()
    assert action_names(page) == set()
    assert reverse("metrics:review-start") not in page
    assert f"{reverse('decisions:escalations')}?seam=" not in page


def test_log_escalation_preselects_the_seam(board, seam, ops):
    other = SeamFactory(name="Another seam")
    page = (
        signed_in(ops).get(reverse("decisions:escalations"), {"seam": seam.slug}).content.decode()
    )
    assert f'<option value="{seam.pk}" selected>' in page
    assert f'<option value="{other.pk}" selected>' not in page
    unknown = signed_in(ops).get(reverse("decisions:escalations"), {"seam": "nope"})
    assert unknown.status_code == 200
    assert '<option value="" selected>' in unknown.content.decode()  # nothing chosen


def test_an_empty_why_panel_says_so_with_its_next_action(clock, seam, ops):
    page = signed_in(ops).get(reverse("metrics:seam", args=[seam.slug])).content.decode()
    panel = why_panel(page)
    assert "No returns with a missing ready item, no escalations in November" in panel
    assert "Log escalation" in panel
    assert "No corrective action agreed for this seam yet." in page


def test_the_page_reads_in_a_bounded_number_of_queries(
    board, seam, leader, owner, django_assert_max_num_queries
):
    client = signed_in(leader)
    url = reverse("metrics:seam", args=[seam.slug])
    client.get(url)  # warm the session and the caches
    # The drill-down whole: its tiles and charts, the flow charts, contract vs reality (the
    # seam's leading signals) and why (46 when measured).
    with django_assert_max_num_queries(48) as first:
        client.get(url)
    october = Review.objects.create(month=OCTOBER, started_by=leader)
    for i in range(15):
        CorrectiveAction.objects.create(
            review=october,
            seam=seam,
            title=f"Action {i}",
            owner=owner,
            due_on=date(2026, 11, 20),
            metric="queue_time_p85_hours",
            baseline=Decimal("30"),
            created_by=leader,
        )
        Escalation.objects.create(
            seam=seam, summary=f"More {i}", cause="other", raised_at=at(NOVEMBER, 15)
        )
    with django_assert_max_num_queries(len(first.captured_queries) + 2):
        client.get(url)
