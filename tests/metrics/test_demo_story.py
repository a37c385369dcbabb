"""The demo tells the same story whatever day it is seeded: the month under review has about
three red, three amber and four green seams, judged as the review judges them; every seam the
contract covers has targets; decision latency has a value wherever decisions were made; the
texts read like real ones; dates people commit to fall on working days; and last review is
closed, with actions that moved, partly moved and didn't move their metric."""

import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from contracts.models import Assumption, Contract, ContractSeam, Initiative, MetricTarget
from decisions.models import Constraint, Decision, Dependency, Escalation
from metrics import dashboard, engine, reviews
from metrics.forecast import forecast_initiative
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review, RootCause
from seams.models import Handoff

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAYS = [
    pytest.param(datetime(2026, 3, 1, 8, 30, tzinfo=LONDON), id="the-1st-a-sunday"),
    pytest.param(datetime(2026, 6, 3, 14, 0, tzinfo=LONDON), id="the-3rd"),
    pytest.param(datetime(2026, 10, 28, 17, 45, tzinfo=LONDON), id="the-28th"),
    pytest.param(datetime(2027, 1, 1, 0, 10, tzinfo=LONDON), id="new-years-day"),
]
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2029))


def working(day) -> bool:
    return day.weekday() < 5 and day not in ENGLAND


@pytest.mark.parametrize("day", DAYS)
def test_the_demo_tells_its_story_on_any_day(day):
    """Seeded once a day (seeding takes seconds), each part of the story checked in turn."""
    with time_machine.travel(day, tick=False):
        call_command("seed_demo", verbosity=0)
        three_red_three_amber_four_green(day)
        every_seam_a_contract_covers_has_targets()
        decision_latency_has_a_value_wherever_decisions_were_made()
        texts_read_like_real_ones_not_copies()
        dates_people_commit_to_fall_on_working_days()
        last_review_is_closed_and_its_actions_moved_partly_and_not()
        nothing_happens_in_the_future()
        the_launch_has_a_forecast_with_a_riskiest_seam()


def the_launch_has_a_forecast_with_a_riskiest_seam():
    """The launch waits on dependencies asked for this week, each with history to draw from;
    every dependency was asked for before it was delivered."""
    found = forecast_initiative(initiative=Initiative.objects.get(slug="eu-enterprise-launch"))
    assert len(found.dependencies) >= 3
    assert found.chance_all_on_time is not None
    assert all(f.age_days >= 2 and f.basis is not None for f in found.dependencies)
    assert found.riskiest_seam is not None
    assert not Dependency.objects.filter(delivered_at__lt=F("created_at__date")).exists()


def launch() -> Contract:
    return Contract.objects.get(slug="enterprise-launch-fy26")


def three_red_three_amber_four_green(day):
    month = engine.month_under_review()
    assert month == engine.previous_month(engine.month_start(day.date()))
    for scope in (launch(), None):  # the contract covers every seam, so both agree
        board = dashboard.build(month, scope)
        assert len(board.rows) == 10
        assert abs(board.counts["red"] - 3) <= 1, board.counts
        assert abs(board.counts["amber"] - 3) <= 1, board.counts
        assert abs(board.counts["green"] - 4) <= 1, board.counts
        assert board.counts["nodata"] == board.counts["none"] == 0
    # Some seams turned red since the month before: the review has news.
    assert dashboard.build(month, launch()).newly_red


def every_seam_a_contract_covers_has_targets():
    for contract in Contract.objects.all():
        covered = set(ContractSeam.objects.filter(contract=contract).values_list("seam", flat=True))
        targeted = set(
            MetricTarget.objects.filter(contract=contract).values_list("seam", flat=True)
        )
        assert covered, contract
        assert covered <= targeted, contract
    assert ContractSeam.objects.filter(contract=launch()).count() == 10


def decision_latency_has_a_value_wherever_decisions_were_made():
    month = engine.month_under_review()
    decided = Counter()
    for decision in Decision.objects.filter(latency_hours__isnull=False, seam__isnull=False):
        decided[decision.seam_id, engine.month_start(timezone.localdate(decision.decided_at))] += 1
    assert decided
    latency = {
        (row.seam_id, row.month): row.decision_latency_p85_hours
        for row in MonthlySeamMetrics.objects.all()
    }
    missing = [key for key in decided if latency.get(key) is None]
    assert missing == []
    # Every seam of the contract decided something in the month under review.
    seams = set(ContractSeam.objects.filter(contract=launch()).values_list("seam", flat=True))
    assert {seam for seam, when in decided if when == month} == seams


def texts_read_like_real_ones_not_copies():
    resolutions = list(
        Escalation.objects.exclude(resolution="").values_list("resolution", flat=True)
    )
    assert len(resolutions) > 50
    assert len(set(resolutions)) == len(resolutions)
    causes = list(Escalation.objects.exclude(root_cause="").values_list("root_cause", flat=True))
    assert len(set(causes)) >= 10  # causes recur, but not one for everything
    titles = list(CorrectiveAction.objects.values_list("title", flat=True))
    assert len(titles) >= 5
    assert len(set(titles)) == len(titles)
    notes = list(Review.objects.values_list("notes", flat=True))
    assert all(notes)
    assert len(set(notes)) == len(notes)
    root_causes = list(RootCause.objects.values_list("text", flat=True))
    assert len(set(root_causes)) == len(root_causes)
    numbered = re.compile(r"^(Resolution|Action|Note|Root cause) \d+$", re.IGNORECASE)
    assert not [t for t in resolutions + titles + notes + root_causes if numbered.match(t)]


def dates_people_commit_to_fall_on_working_days():
    dates = []
    for dependency in Dependency.objects.all():
        dates += [dependency.needed_by, dependency.committed_date, dependency.delivered_at]
    for action in CorrectiveAction.objects.all():
        dates += [action.due_on, action.done_on]
    dates += list(Review.objects.values_list("held_on", flat=True))
    dates += list(Assumption.objects.values_list("check_by", flat=True))
    dates += list(Initiative.objects.values_list("target_date", flat=True))
    dates += list(Constraint.objects.values_list("raised_at", flat=True))
    dates += list(Constraint.objects.values_list("removed_at", flat=True))
    dates = [day for day in dates if day is not None]
    assert len(dates) > 30
    assert [day for day in dates if not working(day)] == []


def last_review_is_closed_and_its_actions_moved_partly_and_not():
    month = engine.month_under_review()
    follow = dashboard.follow_up(month, None)
    assert follow.review.month == engine.previous_month(month)
    assert follow.review.status == Review.Status.CLOSED
    assert follow.review.held_on < timezone.localdate()
    assert {reviews.MOVED, reviews.PARTLY, reviews.NOT_MOVED} <= set(follow.verdicts)
    # The month under review's own meeting is the one to hold now.
    assert not Review.objects.filter(month=month).exists()


def nothing_happens_in_the_future():
    now = timezone.now()
    assert not Handoff.objects.filter(submitted_at__gt=now).exists()
    assert not Handoff.objects.filter(started_at__gt=now).exists()
    assert not Handoff.objects.filter(completed_at__gt=now).exists()
    assert not Decision.objects.filter(requested_at__gt=now).exists()
    assert not Decision.objects.filter(decided_at__gt=now).exists()
    assert not Escalation.objects.filter(raised_at__gt=now).exists()
    assert not Escalation.objects.filter(resolved_at__gt=now).exists()
    # And there is work in flight to act on, even on the 1st.
    assert Handoff.objects.open().exists()
    assert Decision.objects.overdue(now).exists()
    by_month = Handoff.objects.values("seam").annotate(n=Count("pk"))
    assert all(row["n"] > 50 for row in by_month)


def test_the_same_day_gives_the_same_demo():
    from seams import demo as seams_demo

    with time_machine.travel(datetime(2026, 5, 28, 11, 0, tzinfo=LONDON), tick=False):
        org = seams_demo.seed()
        seam = org.seams["Security sign-off"]
        seam.refresh_from_db()
        today = timezone.localdate()
        first = seams_demo.demo_handoff_rows(seam, today)
        assert first == seams_demo.demo_handoff_rows(seam, today)
        assert len(first) > 12 * 15


def test_a_count_kept_as_a_baseline_reads_as_a_whole_number():
    from decimal import Decimal

    assert dashboard.metric_text("escalations", Decimal("3.0000")) == "3"
    assert dashboard.metric_text("escalations", 5) == "5"
    assert dashboard.metric_text("queue_time_p85_hours", Decimal("84.0000")) == "84.0 h"
