"""History from other tools through the API (DESIGN.md, Public interfaces): leaders and ops give
past times when logging decisions, escalations and dependencies and on their later steps; each
time is checked (not in the future, not before 2000, not before the record's own start), and
owners who give a past time are told plainly that only leaders and ops may."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from common.models import OutboxMessage
from decisions.models import Decision, DecisionEvent, Dependency, DependencyMove, Escalation
from tests.decisions.conftest import LONDON, friday_4pm


@pytest.fixture(autouse=True)
def _december():
    """Thursday 3 December 2026, noon in London: the November times below are in the past."""
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=LONDON), tick=True):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def log(user, seam, **body):
    data = {"question": "Scope Acme?", "decision_type": "Integration scope", "seam": seam.slug}
    return api(user).post("/api/v1/decisions/", data | body, format="json")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> str:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON).isoformat()


class TestRequestedAt:
    @pytest.mark.parametrize("role", ["leader", "ops"])
    def test_leaders_and_ops_log_one_asked_in_the_past(self, request, role, seam, right):
        response = log(request.getfixturevalue(role), seam, requested_at=friday_4pm().isoformat())
        assert response.status_code == 201, response.json()
        decision = Decision.objects.get()
        assert decision.requested_at == friday_4pm()
        # 16 business hours on Mon–Fri 09:00–17:30 from Friday 16:00: 1.5 h on Friday, 8.5 h
        # on Monday, 6 h on Tuesday → Tuesday 24 November 15:00, London.
        assert decision.due_at == datetime(2026, 11, 24, 15, 0, tzinfo=LONDON)
        [logged] = decision.events.all()
        assert (logged.kind, logged.at) == ("logged", friday_4pm())

    def test_an_owner_giving_a_past_time_is_told_only_leaders_and_ops_may(self, owner, seam, right):
        response = log(owner, seam, requested_at=friday_4pm().isoformat())
        assert response.status_code == 403
        assert "Only leaders and ops give past times" in response.json()["detail"]
        assert not Decision.objects.exists()

    def test_an_owner_may_still_log_one_now(self, owner, seam, right):
        response = log(owner, seam, requested_at=timezone.now().isoformat())
        assert response.status_code == 201
        assert log(owner, seam).status_code == 201
        assert Decision.objects.count() == 2

    def test_a_viewer_can_give_no_time_at_all(self, viewer, seam, right):
        response = log(viewer, seam, requested_at=friday_4pm().isoformat())
        assert response.status_code == 403
        assert not Decision.objects.exists()

    @pytest.mark.parametrize(
        ("value", "says"),
        [
            ((timezone.now() + timedelta(hours=1)).isoformat(), "in the future"),
            ("1999-12-31T23:00:00Z", "before 2000"),
            ("0001-01-01T00:00:00Z", "out of range"),
            ("yesterday", "format"),
            (["2026-11-20T16:00"], "format"),
            ("2026-02-30T10:00", "format"),
        ],
    )
    def test_impossible_times_are_refused_on_the_field(self, ops, seam, right, value, says):
        response = log(ops, seam, requested_at=value)
        assert response.status_code == 400
        assert says.lower() in str(response.json()["errors"]["requested_at"]).lower()
        assert not Decision.objects.exists()

    def test_a_past_write_marks_its_months_stale(
        self, ops, seam, right, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            log(ops, seam, requested_at="2026-09-15T10:00:00+01:00")
        months = [
            args[0]
            for args in OutboxMessage.objects.filter(
                task="metrics.tasks.compute_metrics"
            ).values_list("args", flat=True)
        ]
        assert months
        assert months[0][0] == "2026-09"
        assert f"{timezone.localdate():%Y-%m}" in months[0]


@pytest.fixture
def asked(ops, seam, right):
    """A decision asked on Friday 20 November 16:00 (due Tuesday 24th 15:00)."""
    return log(ops, seam, requested_at=friday_4pm().isoformat()).json()["id"]


def step(user, decision_id: int, verb: str, **body):
    return api(user).post(f"/api/v1/decisions/{decision_id}/{verb}/", body, format="json")


class TestDecisionSteps:
    def test_a_past_decide_reopen_decide_and_withdraw_keep_their_times(self, leader, asked):
        decided = step(leader, asked, "decide", outcome="Yes", decided_at=at(23, 10))
        assert decided.status_code == 200, decided.json()
        reopened = step(leader, asked, "reopen", reason="New facts", reopened_at=at(25, 9))
        assert reopened.status_code == 200, reopened.json()
        again = step(leader, asked, "withdraw", reason="Moot", withdrawn_at=at(26, 12))
        assert again.status_code == 200, again.json()
        decision = Decision.objects.get(pk=asked)
        assert (decision.status, decision.times_reopened) == ("withdrawn", 1)
        assert [(e.kind, e.at) for e in decision.events.all()] == [
            ("logged", friday_4pm()),
            ("decided", datetime.fromisoformat(at(23, 10))),
            ("reopened", datetime.fromisoformat(at(25, 9))),
            ("withdrawn", datetime.fromisoformat(at(26, 12))),
        ]
        # The due time stays where the request put it.
        assert decision.due_at == datetime(2026, 11, 24, 15, 0, tzinfo=LONDON)

    def test_decided_at_stores_the_latency_from_the_request(self, leader, asked):
        step(leader, asked, "decide", outcome="Yes", decided_at=at(23, 10))
        decision = Decision.objects.get(pk=asked)
        # Friday 16:00–17:30 (1.5 h) + Monday 09:00–10:00 (1 h).
        assert float(decision.latency_hours) == 2.5
        assert decision.decided_at == datetime.fromisoformat(at(23, 10))

    @pytest.mark.parametrize(
        ("verb", "body", "says"),
        [
            ("decide", {"outcome": "Yes", "decided_at": at(20, 15)}, "before it was asked"),
            ("withdraw", {"reason": "x", "withdrawn_at": at(19, 9)}, "before it was logged"),
        ],
    )
    def test_a_step_before_the_request_is_refused(self, leader, asked, verb, body, says):
        response = step(leader, asked, verb, **body)
        assert response.status_code == 409
        assert says in response.json()["detail"]
        assert Decision.objects.get(pk=asked).status == "open"
        assert DecisionEvent.objects.filter(decision_id=asked).count() == 1

    def test_a_reopen_before_the_decision_is_refused(self, leader, asked):
        step(leader, asked, "decide", outcome="Yes", decided_at=at(23, 10))
        response = step(leader, asked, "reopen", reason="x", reopened_at=at(23, 9))
        assert response.status_code == 409
        assert "before it was decided" in response.json()["detail"]
        assert Decision.objects.get(pk=asked).status == "decided"

    def test_deciding_again_before_the_reopen_is_refused(self, leader, asked):
        step(leader, asked, "decide", outcome="Yes", decided_at=at(23, 10))
        step(leader, asked, "reopen", reason="x", reopened_at=at(24, 10))
        response = step(leader, asked, "decide", outcome="No", decided_at=at(23, 12))
        assert response.status_code == 409
        assert "before it was reopened" in response.json()["detail"]

    @pytest.mark.parametrize(
        ("verb", "field", "body"),
        [
            ("decide", "decided_at", {"outcome": "Yes"}),
            ("withdraw", "withdrawn_at", {"reason": "x"}),
        ],
    )
    def test_future_and_ancient_step_times_are_400s(self, leader, asked, verb, field, body):
        future = (timezone.now() + timedelta(days=1)).isoformat()
        for value, says in ((future, "future"), ("1990-01-01T00:00Z", "2000")):
            response = step(leader, asked, verb, **body, **{field: value})
            assert response.status_code == 400
            assert says in str(response.json()["errors"][field])
        assert Decision.objects.get(pk=asked).status == "open"

    def test_owners_giving_past_step_times_are_refused(self, ops, owner, other_owner, asked):
        # The decider (other_owner) decides now, but not in the past.
        refused = step(other_owner, asked, "decide", outcome="Yes", decided_at=at(23, 10))
        assert refused.status_code == 403
        assert "Only leaders and ops" in refused.json()["detail"]
        assert step(other_owner, asked, "decide", outcome="Yes").status_code == 200
        reopen = step(owner, asked, "reopen", reason="x", reopened_at=at(25, 9))
        assert reopen.status_code == 403
        assert Decision.objects.get(pk=asked).status == "decided"


class TestEscalations:
    def body(self, seam, **more):
        return {"seam": seam.slug, "summary": "Missed", "cause": "sla_breach"} | more

    def test_ops_logs_a_past_one_resolved_in_the_past(self, ops, seam):
        response = api(ops).post(
            "/api/v1/escalations/",
            self.body(
                seam,
                raised_at=at(20, 10),
                resolved_at=at(23, 10),
                resolution="Staffed",
                root_cause="One reviewer",
            ),
            format="json",
        )
        assert response.status_code == 201, response.json()
        escalation = Escalation.objects.get()
        assert escalation.raised_at == datetime.fromisoformat(at(20, 10))
        assert escalation.resolved_at == datetime.fromisoformat(at(23, 10))

    def test_an_owner_giving_a_past_raised_at_is_refused(self, owner, seam):
        response = api(owner).post(
            "/api/v1/escalations/", self.body(seam, raised_at=at(20, 10)), format="json"
        )
        assert response.status_code == 403
        assert "Only leaders and ops" in response.json()["detail"]
        now = api(owner).post("/api/v1/escalations/", self.body(seam), format="json")
        assert now.status_code == 201
        assert Escalation.objects.count() == 1

    def test_an_owner_resolving_in_the_past_is_refused(self, owner, seam):
        made = api(owner).post("/api/v1/escalations/", self.body(seam), format="json").json()
        past = (timezone.now() - timedelta(hours=1)).isoformat()
        response = api(owner).patch(
            f"/api/v1/escalations/{made['id']}/",
            {"resolved_at": past, "resolution": "r", "root_cause": "c"},
            format="json",
        )
        assert response.status_code == 403
        assert Escalation.objects.get().resolved_at is None

    @pytest.mark.parametrize(
        ("more", "field"),
        [
            ({"raised_at": "2099-01-01T00:00Z"}, "raised_at"),
            ({"raised_at": "1999-01-01T00:00Z"}, "raised_at"),
            (
                {
                    "raised_at": at(20, 10),
                    "resolved_at": at(19, 10),
                    "resolution": "r",
                    "root_cause": "c",
                },
                "resolved_at",
            ),
        ],
    )
    def test_impossible_times_are_400s(self, ops, seam, more, field):
        response = api(ops).post("/api/v1/escalations/", self.body(seam, **more), format="json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert not Escalation.objects.exists()

    def test_raised_at_is_not_moved_afterwards(self, ops, seam):
        made = api(ops).post("/api/v1/escalations/", self.body(seam), format="json").json()
        response = api(ops).patch(
            f"/api/v1/escalations/{made['id']}/", {"raised_at": at(20, 10)}, format="json"
        )
        assert response.status_code == 400
        assert "raised_at" in response.json()["errors"]


class TestDependencies:
    def create(self, user, seam, **more):
        body = {
            "title": "SSO",
            "provider": seam.to_team.slug,
            "consumer": seam.from_team.slug,
            "seam": seam.slug,
            "owner": "ops",
            "needed_by": "2026-11-20",
        }
        return api(user).post("/api/v1/dependencies/", body | more, format="json")

    def move(self, user, pk, **body):
        return api(user).post(f"/api/v1/dependencies/{pk}/move/", body, format="json")

    def test_ops_logs_one_in_the_past_and_delivers_it_in_the_past(self, ops, seam):
        made = self.create(ops, seam, created_at=at(2, 9))
        assert made.status_code == 201, made.json()
        moved = self.move(ops, made.json()["id"], status="delivered", delivered_at="2026-11-19")
        assert moved.status_code == 200, moved.json()
        assert moved.json()["delivered_on_time"] is True
        dependency = Dependency.objects.get()
        assert dependency.delivered_at == date(2026, 11, 19)
        [move] = DependencyMove.objects.all()
        assert move.at == datetime(2026, 11, 19, tzinfo=LONDON)  # the delivery day's start

    def test_a_delivery_before_it_was_logged_is_refused(self, ops, seam):
        made = self.create(ops, seam, created_at=at(18, 9)).json()
        response = self.move(ops, made["id"], status="delivered", delivered_at="2026-11-17")
        assert response.status_code == 409
        assert "before it was logged" in response.json()["detail"]
        assert Dependency.objects.get().status == "requested"
        assert not DependencyMove.objects.exists()

    @pytest.mark.parametrize(
        ("body", "says"),
        [
            ({"status": "delivered", "delivered_at": "2099-01-01"}, "future"),
            ({"status": "delivered", "delivered_at": "1999-01-01"}, "2000"),
            ({"status": "delivered", "delivered_at": "not a day"}, "format"),
            ({"status": "committed", "delivered_at": "2026-11-19"}, "only with a move"),
        ],
    )
    def test_bad_delivery_dates_are_400s(self, ops, seam, body, says):
        made = self.create(ops, seam, created_at=at(2, 9)).json()
        response = self.move(ops, made["id"], **body)
        assert response.status_code == 400
        assert says.lower() in str(response.json()["errors"]["delivered_at"]).lower()
        assert Dependency.objects.get().status == "requested"

    def test_owners_giving_past_dates_are_refused(self, owner, seam):
        body = {"owner": "owner"}
        assert self.create(owner, seam, created_at=at(2, 9), **body).status_code == 403
        made = self.create(owner, seam, **body).json()
        response = self.move(owner, made["id"], status="delivered", delivered_at="2026-11-19")
        assert response.status_code == 403
        assert "Only leaders and ops" in response.json()["detail"]
        today = self.move(owner, made["id"], status="delivered")
        assert today.json()["delivered_at"] == f"{timezone.localdate():%Y-%m-%d}"

    def test_created_at_is_not_moved_afterwards(self, ops, seam):
        made = self.create(ops, seam).json()
        response = api(ops).patch(
            f"/api/v1/dependencies/{made['id']}/", {"created_at": at(2, 9)}, format="json"
        )
        assert response.status_code == 400
        assert "created_at" in response.json()["errors"]
