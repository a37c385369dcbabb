"""Decision and dependency numbers as DESIGN.md settles them, checked against an independent
computation.

DESIGN.md: a decision's due time is its right's SLA in business hours from the first request,
on the calendar of the seam it is tagged to (contract-wide rights too); a reopen moves neither
the request nor the due time; withdrawn by the due time it is not due, withdrawn later it
breached; breaches count in the month of the due time. Cancelled dependencies are not due; a
needed-by date later in the current month already counts.

The independent computation here is plain Python over the timelines the test itself wrote:
its own calendar rules (not the Calendar model's), its own replay of each decision's history,
its own percentile. It never calls the engine or the decision log's querysets.
"""
# Long file: one generated world and the hand-made cases DESIGN.md settles, read together.

import importlib
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from common.models import OutboxMessage
from contracts.models import Contract, ContractSeam, DecisionRight
from decisions.models import Decision, DecisionEvent, Dependency
from decisions.services import decide, log_decision, reopen, withdraw
from metrics.models import MonthlySeamMetrics
from metrics.staleness import recompute_after_restamp
from metrics.tasks import compute_metrics
from seams.business_time import WorkingTime, add_business_hours, business_hours_between
from seams.models import Calendar, CalendarHoliday
from tests.conftest import client_for
from tests.factories import SeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")  # the organisation's time zone (settings.TIME_ZONE)
NEW_YORK = ZoneInfo("America/New_York")
FIRST_MONTH = date(2026, 6, 1)
DECEMBER = date(2026, 12, 1)
MONTHS = [date(2026, m, 1) for m in range(6, 13)]
CLOCK_DAYS = [1, 3, 28]

# The test's own statement of each calendar, independent of seams.models.Calendar.
LONDON_RULES = WorkingTime(
    tz=LONDON,
    weekdays=frozenset({1, 2, 3, 4, 5}),
    start=time(9, 0),
    end=time(17, 30),
    holidays=frozenset({date(2026, 8, 31), date(2026, 10, 12), date(2026, 11, 13)}),
)
NEW_YORK_RULES = WorkingTime(
    tz=NEW_YORK,
    weekdays=frozenset({1, 2, 3, 4}),
    start=time(8, 0),
    end=time(16, 0),
    holidays=frozenset({date(2026, 11, 26)}),
)
ALWAYS_RULES = WorkingTime.around_the_clock()

SEAM_RIGHTS = {  # seam key: (its own right's type, SLA hours)
    "intake": ("Integration scope", Decimal(16)),
    "legal": ("Legal review", Decimal(10)),
    "security": ("Security exception", Decimal(30)),
    "finance": None,  # only the contract-wide right reaches it
}
CONTRACT_WIDE = ("Pricing", Decimal(12))


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def month_of(instant: datetime) -> date:
    return instant.astimezone(LONDON).date().replace(day=1)


def snapshot(seam, month: date) -> MonthlySeamMetrics:
    return MonthlySeamMetrics.objects.get(seam=seam, month=month)


# --- The world: four seams on three kinds of calendar, one contract -------------------------


@dataclass
class World:
    seams: dict
    rules: dict  # seam key -> WorkingTime, as the test states them
    leader: object
    ops: object
    decider: object
    contract: Contract


def _calendar(slug: str, rules: WorkingTime) -> Calendar:
    calendar = Calendar.objects.create(
        slug=slug,
        name=slug,
        time_zone=str(rules.tz),
        working_weekdays=sorted(rules.weekdays),
        day_start=rules.start,
        day_end=rules.end,
    )
    for day in rules.holidays:
        CalendarHoliday.objects.create(calendar=calendar, date=day)
    return calendar


@pytest.fixture
def world(leader, ops) -> World:
    decider = UserFactory(username="decider", roles=["ops"])  # may decide anywhere
    calendars = {
        "intake": _calendar("london-office", LONDON_RULES),
        "legal": _calendar("new-york-office", NEW_YORK_RULES),
        "security": Calendar.objects.always(),
        "finance": _calendar("london-finance", LONDON_RULES),  # a second calendar, same rules
    }
    rules = {
        "intake": LONDON_RULES,
        "legal": NEW_YORK_RULES,
        "security": ALWAYS_RULES,
        "finance": LONDON_RULES,
    }
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="s", leader=leader, status=Contract.Status.ACTIVE
    )
    seams = {}
    for key, calendar in calendars.items():
        seam = SeamFactory(name=f"{key} seam", calendar=calendar)
        ContractSeam.objects.create(contract=contract, seam=seam)
        seams[key] = seam
        if SEAM_RIGHTS[key]:
            kind, hours = SEAM_RIGHTS[key]
            DecisionRight.objects.create(
                contract=contract,
                seam=seam,
                decision_type=kind,
                decider=decider,
                decision_sla_hours=hours,
            )
    DecisionRight.objects.create(
        contract=contract,
        seam=None,
        decision_type=CONTRACT_WIDE[0],
        decider=decider,
        decision_sla_hours=CONTRACT_WIDE[1],
    )
    return World(seams, rules, leader, ops, decider, contract)


# --- The generated history and its independent computation ----------------------------------


@dataclass
class Timeline:
    """One decision as the test wrote it: the request and each turn it took."""

    seam: str
    sla: Decimal | None
    requested: datetime
    turns: list = field(default_factory=list)  # (kind, at), in time order

    def state_at(self, instant: datetime) -> str:
        state = "open"
        for kind, at in self.turns:
            if at <= instant:
                state = kind
        return state

    @property
    def final(self) -> str:
        return self.turns[-1][0] if self.turns else "open"


SCRIPTS = [
    [],
    ["decided"],
    ["decided", "reopened"],
    ["decided", "reopened", "decided"],
    ["decided", "reopened", "withdrawn"],
    ["withdrawn"],
    ["decided", "reopened", "decided", "reopened", "decided"],
]


def _act(decision: Decision, kind: str, at: datetime, world: World) -> Decision:
    if kind == "decided":
        return decide(decision=decision, by=world.decider, outcome="Go", at=at)
    if kind == "reopened":
        return reopen(decision=decision, by=world.ops, reason="New facts", at=at)
    return withdraw(decision=decision, by=world.ops, reason="Moot", at=at)


def _log(world: World, seam_key: str, kind: str, requested: datetime) -> Decision:
    return log_decision(
        question=f"{kind} at {seam_key}?",
        decision_type=kind,
        seam=world.seams[seam_key],
        requested_by=world.ops,
        decider=world.leader,  # only used when no right covers the type ("Budget")
        requested_at=requested,
    )


def _sla_of(seam_key: str, kind: str) -> Decimal | None:
    if kind == CONTRACT_WIDE[0]:
        return CONTRACT_WIDE[1]
    own = SEAM_RIGHTS[seam_key]
    return own[1] if own and own[0] == kind else None


# Long: the generated months written as one script, so the expected numbers can be traced.
def generate(world: World, now: datetime, seed: int = 17) -> tuple[dict, list]:
    """Decisions with random histories across seven months, plus the boundary cases, and
    dependencies with every status. Returns {decision pk: Timeline} and the dependencies."""
    rng = random.Random(seed)
    timelines: dict[int, Timeline] = {}
    start = london(2026, 6, 1, 0, 0)
    span = (now - start).total_seconds()

    def record(decision: Decision, seam_key: str, kind: str, requested, script_times) -> None:
        timeline = Timeline(seam_key, _sla_of(seam_key, kind), requested)
        for turn, at in script_times:
            if at > now:
                break  # it hasn't happened yet
            decision = _act(decision, turn, at, world)
            timeline.turns.append((turn, at))
        timelines[decision.pk] = timeline

    for _ in range(140):
        seam_key = rng.choice(list(world.seams))
        own = SEAM_RIGHTS[seam_key]
        kind = rng.choice([own[0] if own else CONTRACT_WIDE[0], CONTRACT_WIDE[0], "Budget"])
        requested = start + timedelta(seconds=rng.uniform(0, span - 3600))
        requested = requested.replace(second=0, microsecond=0)
        at, times = requested, []
        for turn in rng.choice(SCRIPTS):
            at = at + timedelta(minutes=rng.randint(30, 8 * 24 * 60))
            times.append((turn, at))
        decision = _log(world, seam_key, kind, requested)
        record(decision, seam_key, kind, requested, times)

    # Boundary cases, all before the 1st of December.
    def due(seam_key, kind, requested):
        return add_business_hours(world.rules[seam_key], requested, _sla_of(seam_key, kind))

    friday = london(2026, 10, 30, 16, 0)  # contract-wide: 24x7 says 31 Oct, the seam 3 Nov
    record(_log(world, "intake", "Pricing", friday), "intake", "Pricing", friday, [])
    monday = london(2026, 10, 19, 9, 0)
    for kind, script in [
        ("Integration scope", [("decided", 0)]),  # decided exactly at the due time
        ("Integration scope", [("withdrawn", 0)]),  # withdrawn exactly at it: not due
        ("Pricing", [("withdrawn", 1)]),  # a minute later: breached
        ("Pricing", [("decided", -60), ("reopened", 60)]),  # on time, reopened after
        ("Integration scope", [("decided", 600), ("reopened", 700), ("decided", 900)]),
        ("Integration scope", [("decided", -120), ("reopened", -60)]),  # reopened before due
    ]:
        due_at = due("intake", kind, monday)
        times = [(turn, due_at + timedelta(minutes=minutes)) for turn, minutes in script]
        record(_log(world, "intake", kind, monday), "intake", kind, monday, times)

    dependencies = []
    today = now.astimezone(LONDON).date()
    statuses = [choice for choice, _ in Dependency.Status.choices]
    for seam in world.seams.values():
        for _ in range(12):
            needed = FIRST_MONTH + timedelta(days=rng.randint(0, 213))  # June to December
            status = rng.choice(statuses)
            delivered = None
            if status == Dependency.Status.DELIVERED:
                delivered = min(needed + timedelta(days=rng.randint(-5, 5)), today)
            dependencies.append((seam, needed, status, delivered))
        # Later in the current month: due already; cancelled: never due.
        dependencies.append((seam, date(2026, 12, 31), Dependency.Status.IN_PROGRESS, None))
        dependencies.append((seam, date(2026, 12, 31), Dependency.Status.CANCELLED, None))
        dependencies.append((seam, date(2026, 10, 15), Dependency.Status.CANCELLED, None))
    rows = [
        Dependency.objects.create(
            title="Feed",
            consumer=seam.from_team,
            provider=seam.to_team,
            seam=seam,
            owner=world.ops,
            needed_by=needed,
            status=status,
            delivered_at=delivered,
        )
        for seam, needed, status, delivered in dependencies
    ]
    return timelines, rows


def percentile(values: list[float], fraction: float) -> float | None:
    """Continuous, linear interpolation (NumPy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def expected_numbers(world: World, timelines: dict, dependencies: list, now: datetime) -> dict:
    """(seam key, month) -> the decision and dependency numbers DESIGN.md gives."""
    cells = defaultdict(
        lambda: {
            "decision_sla_breaches": 0,
            "dependencies_due": 0,
            "dependencies_on_time": 0,
            "latencies": [],
        }
    )
    current = now.astimezone(LONDON).date().replace(day=1)
    for timeline in timelines.values():
        rules = world.rules[timeline.seam]
        if timeline.sla is not None:
            due = add_business_hours(rules, timeline.requested, timeline.sla)
            state = timeline.state_at(due)
            if due < now and state != "withdrawn" and state != "decided":
                cells[timeline.seam, month_of(due)]["decision_sla_breaches"] += 1
        if timeline.final == "decided":
            decided = timeline.turns[-1][1]
            hours = business_hours_between(rules, timeline.requested, decided)
            cells[timeline.seam, month_of(decided)]["latencies"].append(hours)
    keys = {seam.pk: key for key, seam in world.seams.items()}
    for dependency in dependencies:
        month = dependency.needed_by.replace(day=1)
        if dependency.status == Dependency.Status.CANCELLED or month > current:
            continue
        cell = cells[keys[dependency.seam_id], month]
        cell["dependencies_due"] += 1
        if dependency.delivered_at and dependency.delivered_at <= dependency.needed_by:
            cell["dependencies_on_time"] += 1
    return cells


def expected_due_at(world: World, timeline: Timeline) -> datetime | None:
    if timeline.sla is None:
        return None
    return add_business_hours(world.rules[timeline.seam], timeline.requested, timeline.sla)


# Long: the independent computation's every figure compared in one place, per clock day.
@pytest.mark.parametrize("day", CLOCK_DAYS)
def test_it_matches_an_independent_computation_over_generated_months(world, day):
    now = london(2026, 12, day, 10, 0)
    with time_machine.travel(now, tick=False):
        timelines, dependencies = generate(world, now)
        call_command("compute_metrics", "--all", stdout=StringIO())
        expected = expected_numbers(world, timelines, dependencies, now)

        stored = dict(Decision.objects.values_list("pk", "due_at"))
        for pk, timeline in timelines.items():
            assert stored[pk] == expected_due_at(world, timeline), timeline

        compared = 0
        for key, seam in world.seams.items():
            for month in MONTHS:
                got = snapshot(seam, month)
                want = expected[key, month]
                assert (
                    got.decision_sla_breaches,
                    got.dependencies_due,
                    got.dependencies_on_time,
                ) == (
                    want["decision_sla_breaches"],
                    want["dependencies_due"],
                    want["dependencies_on_time"],
                ), (key, month)
                p85 = percentile(want["latencies"], 0.85)
                if p85 is None:
                    assert got.decision_latency_p85_hours is None, (key, month)
                else:
                    assert abs(float(got.decision_latency_p85_hours) - p85) < 0.01, (key, month)
                compared += 1
        assert compared == len(world.seams) * len(MONTHS)

        # The data exercises every rule, and the numbers are not all zero.
        states = [t.state_at(due) for t in timelines.values() if (due := expected_due_at(world, t))]
        assert {"open", "decided", "reopened", "withdrawn"} <= set(states)
        assert sum(cell["decision_sla_breaches"] for cell in expected.values()) >= 20
        assert sum(cell["dependencies_due"] for cell in expected.values()) >= 20

        # The API serves the same numbers.
        client = api(world.leader)
        for month in MONTHS:
            body = client.get("/api/v1/metrics/", {"month": f"{month:%Y-%m}"}).json()
            by_seam = {row["seam"]: row for row in body["results"]}
            for key, seam in world.seams.items():
                assert (
                    by_seam[seam.slug]["decision_sla_breaches"]
                    == (expected[key, month]["decision_sla_breaches"])
                )
                assert (
                    by_seam[seam.slug]["dependencies_due"]
                    == (expected[key, month]["dependencies_due"])
                )

        # The overdue list is the same rule: pending now, and past the due time.
        overdue = {
            pk
            for pk, t in timelines.items()
            if t.final in ("open", "reopened")
            and (due := expected_due_at(world, t)) is not None
            and due < now
        }
        assert set(Decision.objects.overdue(now).values_list("pk", flat=True)) == overdue
        page = client_for(world.leader).get(reverse("decisions:list"))
        assert page.status_code == 200
        assert page.context["counts"]["overdue"] == len(overdue)


# --- Fault 1: a contract-wide right's due time on the seam's calendar -----------------------

FRIDAY_4PM = london(2026, 10, 30, 16, 0)
# 12 business hours on Mon–Fri 09:00–17:30: 1.5 h Friday, 8.5 h Monday, 2 h Tuesday. The 24x7
# clock would have said Saturday 31 October 04:00: October, not November.
PRICING_DUE = london(2026, 11, 3, 11, 0)


class TestContractWideRights:
    def test_it_stamps_the_seams_calendar_when_logged_on_the_page(self, world):
        seam = world.seams["intake"]
        with time_machine.travel(FRIDAY_4PM, tick=False):
            response = client_for(world.ops).post(
                reverse("decisions:log"),
                {"question": "Discount for Acme?", "seam": seam.pk, "decision_type": "pricing"},
                follow=True,
            )
        assert response.status_code == 200
        assert "due Tue 3 Nov, 11:00" in response.content.decode()
        assert Decision.objects.get().due_at == PRICING_DUE

    def test_it_stamps_the_seams_calendar_when_logged_through_the_api(self, world):
        seam = world.seams["intake"]
        with time_machine.travel(FRIDAY_4PM, tick=False):
            response = api(world.ops).post(
                "/api/v1/decisions/",
                {"question": "Discount?", "decision_type": "Pricing", "seam": seam.slug},
                format="json",
            )
        assert response.status_code == 201, response.json()
        assert datetime.fromisoformat(response.json()["due_at"]) == PRICING_DUE

    def test_it_counts_the_breach_in_the_month_of_the_seams_due_time(self, world):
        seam = world.seams["intake"]
        _log(world, "intake", "Pricing", FRIDAY_4PM)
        with time_machine.travel(london(2026, 11, 10, 9, 0), tick=False):
            out = StringIO()
            call_command("compute_metrics", "--month", "2026-10", stdout=out)
            call_command("compute_metrics", "--month", "2026-11", stdout=out)
            assert "Computed" in out.getvalue()
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 0
        assert snapshot(seam, date(2026, 11, 1)).decision_sla_breaches == 1

    def test_a_24x7_seam_keeps_elapsed_hours(self, world):
        decision = _log(world, "security", "Pricing", FRIDAY_4PM)
        assert decision.due_at == FRIDAY_4PM + timedelta(hours=12)


# --- Fault 2: a reopen keeps the request, the due time and the breach -----------------------

MONDAY_9AM = london(2026, 10, 19, 9, 0)
SCOPE_DUE = london(2026, 10, 20, 16, 30)  # 16 business hours: 8.5 h Monday, 7.5 h Tuesday


class TestReopen:
    def test_a_reopen_on_the_page_keeps_the_breach_already_counted(self, world, celery_eager):
        seam = world.seams["intake"]
        decision = _log(world, "intake", "Integration scope", MONDAY_9AM)
        assert decision.due_at == SCOPE_DUE
        with time_machine.travel(london(2026, 11, 2, 10, 0), tick=False):
            decided = client_for(world.leader).post(
                reverse("decisions:decide", args=[decision.pk]), {"outcome": "Late yes"}
            )
            assert decided.status_code == 302
            compute_metrics.delay(["2026-10", "2026-11"])
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 1

        with time_machine.travel(london(2026, 11, 4, 10, 0), tick=False):
            response = client_for(world.ops).post(
                reverse("decisions:reopen", args=[decision.pk]), {"reopen-reason": "New facts"}
            )
            assert response.status_code == 302
            compute_metrics.delay(["2026-10", "2026-11"])
            detail = client_for(world.ops).get(reverse("decisions:detail", args=[decision.pk]))
        decision.refresh_from_db()
        assert (decision.status, decision.requested_at, decision.due_at) == (
            "reopened",
            MONDAY_9AM,
            SCOPE_DUE,
        )
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 1
        assert snapshot(seam, date(2026, 11, 1)).decision_sla_breaches == 0
        assert "Due Tue 20 Oct, 16:30" in detail.content.decode()
        assert "Overdue" in detail.content.decode()

    def test_a_reopen_through_the_api_keeps_the_due_time_and_latency_runs_from_the_request(
        self, world
    ):
        seam = world.seams["intake"]
        decision = _log(world, "intake", "Integration scope", MONDAY_9AM)
        decide(decision=decision, by=world.decider, outcome="Yes", at=SCOPE_DUE)  # on time
        with time_machine.travel(london(2026, 11, 4, 10, 0), tick=False):
            response = api(world.ops).post(
                f"/api/v1/decisions/{decision.pk}/reopen/", {"reason": "New facts"}, format="json"
            )
            assert response.status_code == 200, response.json()
            body = response.json()
            assert datetime.fromisoformat(body["due_at"]) == SCOPE_DUE
            assert datetime.fromisoformat(body["requested_at"]) == MONDAY_9AM
            assert (body["status"], body["overdue"]) == ("reopened", True)
            again = api(world.decider).post(
                f"/api/v1/decisions/{decision.pk}/decide/", {"outcome": "No"}, format="json"
            )
            assert again.status_code == 200
            call_command("compute_metrics", "--all", stdout=StringIO())
        decision.refresh_from_db()
        # Latency runs from the first request to the last decision, on the seam's calendar.
        hours = business_hours_between(LONDON_RULES, MONDAY_9AM, london(2026, 11, 4, 10, 0))
        assert float(decision.latency_hours) == pytest.approx(hours, abs=0.0001)
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 0
        assert snapshot(seam, date(2026, 11, 1)).decision_latency_p85_hours == Decimal(
            f"{hours:.4f}"
        )


# --- Fault 3: withdrawn by the due time is not due; withdrawn later, it breached ------------


class TestWithdraw:
    @pytest.mark.parametrize("way", ["page", "api"])
    def test_withdrawn_before_the_due_time_is_not_due(self, world, way):
        seam = world.seams["intake"]
        decision = _log(world, "intake", "Integration scope", MONDAY_9AM)
        with time_machine.travel(london(2026, 10, 20, 12, 0), tick=False):
            if way == "page":
                response = client_for(world.ops).post(
                    reverse("decisions:withdraw", args=[decision.pk]), {"withdraw-reason": "Moot"}
                )
                assert response.status_code == 302
            else:
                response = api(world.ops).post(
                    f"/api/v1/decisions/{decision.pk}/withdraw/", {"reason": "Moot"}, format="json"
                )
                assert response.status_code == 200
                assert response.json()["status"] == "withdrawn"
        with time_machine.travel(london(2026, 11, 2, 10, 0), tick=False):
            call_command("compute_metrics", "--month", "2026-10", stdout=StringIO())
            listed = client_for(world.leader).get(reverse("decisions:list"), {"status": "overdue"})
            detail = client_for(world.leader).get(reverse("decisions:detail", args=[decision.pk]))
            body = api(world.leader).get(f"/api/v1/decisions/{decision.pk}/").json()
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 0
        assert listed.context["counts"]["overdue"] == 0
        assert list(listed.context["page"]) == []
        assert "Missed its decision SLA" not in detail.content.decode()
        assert body["overdue"] is False

    def test_withdrawn_after_the_due_time_breached_in_its_month(self, world, celery_eager):
        seam = world.seams["intake"]
        decision = _log(world, "intake", "Integration scope", MONDAY_9AM)
        with time_machine.travel(london(2026, 11, 2, 10, 0), tick=False):
            response = api(world.ops).post(
                f"/api/v1/decisions/{decision.pk}/withdraw/", {"reason": "Too late"}, format="json"
            )
            assert response.status_code == 200
            assert response.json()["overdue"] is False  # nothing left to decide
            compute_metrics.delay(["2026-10", "2026-11"])
            detail = client_for(world.leader).get(reverse("decisions:detail", args=[decision.pk]))
            agenda = client_for(world.leader).get(reverse("decisions:agenda"))
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 1
        assert snapshot(seam, date(2026, 11, 1)).decision_sla_breaches == 0
        assert "Missed its decision SLA" in detail.content.decode()
        assert list(agenda.context["decisions"]) == []

    def test_withdrawn_exactly_at_the_due_time_is_not_due(self, world):
        seam = world.seams["intake"]
        decision = _log(world, "intake", "Integration scope", MONDAY_9AM)
        withdraw(decision=decision, by=world.ops, reason="Moot", at=SCOPE_DUE)
        with time_machine.travel(london(2026, 11, 2, 10, 0), tick=False):
            call_command("compute_metrics", "--month", "2026-10", stdout=StringIO())
        assert snapshot(seam, date(2026, 10, 1)).decision_sla_breaches == 0


# --- The dependency fault: cancelled ones are not due; later this month already is ----------


@pytest.mark.parametrize("day", CLOCK_DAYS)
def test_cancelled_dependencies_are_not_due_and_later_this_month_is(world, day, celery_eager):
    seam = world.seams["intake"]
    with time_machine.travel(london(2026, 12, day, 10, 0), tick=False):
        ids = []
        for title in ("Later this month", "Cancelled on the board", "Cancelled by API"):
            response = api(world.ops).post(
                "/api/v1/dependencies/",
                {
                    "title": title,
                    "provider": seam.to_team.slug,
                    "consumer": seam.from_team.slug,
                    "seam": seam.slug,
                    "owner": world.ops.username,
                    "needed_by": "2026-12-31",
                },
                format="json",
            )
            assert response.status_code == 201, response.json()
            ids.append(response.json()["id"])
        moved = client_for(world.ops).post(
            reverse("decisions:dependency-move", args=[ids[1]]), {"status": "cancelled"}
        )
        assert moved.status_code == 302
        cancelled = api(world.ops).post(
            f"/api/v1/dependencies/{ids[2]}/move/", {"status": "cancelled"}, format="json"
        )
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        compute_metrics.delay(["2026-12"])
        got = snapshot(seam, DECEMBER)
        served = api(world.leader).get("/api/v1/metrics/", {"month": "2026-12", "seam": seam.slug})
    assert (got.dependencies_due, got.dependencies_on_time) == (1, 0)
    row = served.json()["results"][0]
    assert (row["dependencies_due"], row["dependencies_on_time"]) == (1, 0)
    assert Dependency.objects.count() == 3


# --- The stored due times: the migration's restamp, a calendar change, the recompute --------

MIGRATION = "0004_restamp_decision_due_times"


def _migration_module():
    return importlib.import_module(f"decisions.migrations.{MIGRATION}")


def test_the_migration_restamps_due_times_stamped_by_the_old_rules(world):
    contract_wide = _log(world, "intake", "Pricing", FRIDAY_4PM)
    reopened = _log(world, "intake", "Integration scope", MONDAY_9AM)
    on_24x7 = _log(world, "security", "Pricing", FRIDAY_4PM)
    no_right = _log(world, "intake", "Budget", MONDAY_9AM)
    # What the old code stored: the 24x7 clock for the contract-wide right, and a new clock
    # from a reopen on 4 November.
    Decision.objects.filter(pk=contract_wide.pk).update(due_at=FRIDAY_4PM + timedelta(hours=12))
    Decision.objects.filter(pk=reopened.pk).update(due_at=london(2026, 11, 5, 17, 30))
    events = DecisionEvent.objects.count()

    moved = _migration_module().restamp_due_times(django_apps, None)

    due = dict(Decision.objects.values_list("pk", "due_at"))
    assert moved == 2
    assert due[contract_wide.pk] == PRICING_DUE
    assert due[reopened.pk] == SCOPE_DUE
    assert due[on_24x7.pk] == FRIDAY_4PM + timedelta(hours=12)
    assert due[no_right.pk] is None
    assert DecisionEvent.objects.count() == events
    assert _migration_module().restamp_due_times(django_apps, None) == 0  # idempotent


def _restamp_plan(backwards: bool = False) -> list:
    migration = _migration_module().Migration(MIGRATION, "decisions")
    return [(migration, backwards)]


def test_after_the_restamp_migrate_queues_the_recompute_of_every_month_with_snapshots(
    world, django_capture_on_commit_callbacks
):
    seam = world.seams["intake"]
    for month in (date(2026, 10, 1), date(2026, 11, 1)):
        MonthlySeamMetrics.objects.create(seam=seam, month=month, computed_at=FRIDAY_4PM)
    metrics_app = django_apps.get_app_config("metrics")

    with django_capture_on_commit_callbacks(execute=False):
        recompute_after_restamp(sender=metrics_app, app_config=metrics_app, plan=_restamp_plan())
        # Another app's turn, or the migration going backwards, queues nothing more.
        decisions_app = django_apps.get_app_config("decisions")
        recompute_after_restamp(
            sender=decisions_app, app_config=decisions_app, plan=_restamp_plan()
        )
        recompute_after_restamp(
            sender=metrics_app, app_config=metrics_app, plan=_restamp_plan(backwards=True)
        )

    message = OutboxMessage.objects.get(task=compute_metrics.name)
    assert message.task == compute_metrics.name
    assert message.args == [["2026-10", "2026-11"]]


def test_a_fresh_database_queues_no_recompute(db, django_capture_on_commit_callbacks):
    metrics_app = django_apps.get_app_config("metrics")
    with django_capture_on_commit_callbacks(execute=False):
        recompute_after_restamp(sender=metrics_app, app_config=metrics_app, plan=_restamp_plan())
    assert not OutboxMessage.objects.filter(task=compute_metrics.name).exists()


def test_a_holiday_added_on_the_seams_calendar_moves_due_times_too(
    world, django_capture_on_commit_callbacks, celery_eager
):
    decision = _log(world, "intake", "Pricing", FRIDAY_4PM)
    monday = date(2026, 11, 2)
    with (
        time_machine.travel(london(2026, 11, 20, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        CalendarHoliday.objects.create(calendar=world.seams["intake"].calendar, date=monday)
    decision.refresh_from_db()
    # Monday is a holiday now: 1.5 h Friday, 8.5 h Tuesday, 2 h Wednesday.
    assert decision.due_at == london(2026, 11, 4, 11, 0)
    assert snapshot(world.seams["intake"], date(2026, 11, 1)).decision_sla_breaches == 1
