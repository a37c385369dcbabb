"""The reviews API's commands: root causes, corrective actions, closing, and an action's
status. Each goes through metrics.reviews, so the same rules give the same answers as the
review pages, and a refused command writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from metrics import reviews
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review, RootCause
from seams import permissions
from tests.audit.helpers import entries_for, token_client
from tests.factories import UserFactory
from tests.metrics.test_review_api import ACTIONS, MONTH, URL, action_body, api, due, rows

pytestmark = pytest.mark.usefixtures("seam")


@pytest.fixture
def review(leader):
    return reviews.start_review(month=MONTH, contract=None, by=leader)


@pytest.fixture
def action(review, seam, owner, leader):
    return reviews.add_action(
        review=review,
        seam=seam,
        title="Require the payload",
        owner=owner,
        due_on=dt.date.today() + dt.timedelta(days=7),
        metric="queue_time_p85_hours",
        by=leader,
    )


# --- Root causes ----------------------------------------------------------------------------


class TestRootCauses:
    def test_a_leader_records_one_per_seam_and_again_replaces_it(self, leader, review, seam):
        url = f"{URL}{review.pk}/root-causes/"
        first = api(leader).post(url, {"seam": seam.slug, "text": "No payload"}, format="json")
        assert first.status_code == 200, first.json()
        assert (first.json()["seam"], first.json()["text"]) == (seam.slug, "No payload")
        api(leader).post(url, {"seam": seam.slug, "text": "  Skips the DoR "}, format="json")
        cause = RootCause.objects.get()
        assert (cause.review, cause.seam, cause.text, cause.recorded_by) == (
            review,
            seam,
            "Skips the DoR",
            leader,
        )

    @pytest.mark.parametrize(
        ("body", "field", "says"),
        [
            ({"text": "   "}, "text", "Say what the root cause is."),
            ({"text": ""}, "text", "Say what the root cause is."),
            ({"text": "x" * 501}, "text", "no more than 500"),
            ({"text": ["why"]}, "text", "valid string"),
            ({"text": {"why": "because"}}, "text", "valid string"),
            ({"text": None}, "text", "null"),
            ({"seam": "nope"}, "seam", "does not exist"),
            ({"seam": 12}, "seam", "does not exist"),
            ({"seam": ["x"]}, "seam", ""),
        ],
    )
    def test_bad_input_is_refused_and_writes_nothing(self, leader, review, seam, body, field, says):
        response = api(leader).post(
            f"{URL}{review.pk}/root-causes/",
            {"seam": seam.slug, "text": "Why"} | body,
            format="json",
        )
        assert response.status_code == 400, response.json()
        assert list(response.json()["errors"]) == [field]
        assert says in str(response.json()["errors"][field])
        assert not RootCause.objects.exists()

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer"])
    def test_only_leaders_record_them(self, request, role, review, seam):
        response = api(request.getfixturevalue(role)).post(
            f"{URL}{review.pk}/root-causes/", {"seam": seam.slug, "text": "Why"}, format="json"
        )
        assert response.status_code == 403
        assert not RootCause.objects.exists()

    def test_a_closed_review_takes_none(self, leader, review, seam):
        reviews.close_review(review=review, by=leader)
        response = api(leader).post(
            f"{URL}{review.pk}/root-causes/", {"seam": seam.slug, "text": "Why"}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["detail"] == "This review is closed."
        assert not RootCause.objects.exists()

    def test_a_review_closed_meanwhile_is_a_conflict(self, leader, review, seam, monkeypatch):
        record = reviews.record_root_cause

        def closed_first(**kwargs):  # another leader closes it between the check and the write
            Review.objects.filter(pk=review.pk).update(status="closed")
            kwargs["review"].refresh_from_db()
            return record(**kwargs)

        monkeypatch.setattr(reviews, "record_root_cause", closed_first)
        response = api(leader).post(
            f"{URL}{review.pk}/root-causes/", {"seam": seam.slug, "text": "Why"}, format="json"
        )
        assert response.status_code == 409
        assert not RootCause.objects.exists()

    def test_the_page_and_the_api_record_the_same(self, leader, leader_client, review, seam):
        url = reverse("metrics:review-root-cause", args=[review.pk, seam.slug])
        leader_client.post(url, {"text": "Intake skips the checklist"})
        by_page = rows()
        RootCause.objects.all().delete()
        api(leader).post(
            f"{URL}{review.pk}/root-causes/",
            {"seam": seam.slug, "text": "Intake skips the checklist"},
            format="json",
        )
        assert rows() == by_page


# --- Corrective actions agreed in a review ----------------------------------------------------


class TestAddAction:
    def test_a_leader_adds_one_which_keeps_its_metric_when_agreed(
        self, leader, owner, review, seam
    ):
        MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, rework_rate=Decimal("0.25"))
        response = api(leader).post(
            f"{URL}{review.pk}/actions/", action_body(seam, owner), format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        made = CorrectiveAction.objects.get()
        assert body["id"] == made.pk
        assert (made.review, made.seam, made.owner, made.created_by) == (
            review,
            seam,
            owner,
            leader,
        )
        assert (made.title, made.metric, made.baseline) == (
            "Pair on intake",
            "rework_rate",
            Decimal("0.25"),
        )
        assert (body["value_when_agreed"], body["verdict"], body["status"]) == (
            "0.2500",
            "too early",
            "open",
        )

    def test_the_same_action_again_is_not_added_twice(self, leader, owner, review, seam):
        url = f"{URL}{review.pk}/actions/"
        first = api(leader).post(url, action_body(seam, owner), format="json")
        again = api(leader).post(url, action_body(seam, owner), format="json")
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"]
        other = api(leader).post(url, action_body(seam, owner, due_on=due(20)), format="json")
        assert other.status_code == 201
        assert CorrectiveAction.objects.count() == 2

    @pytest.mark.parametrize(
        ("change", "field", "says"),
        [
            ({"due_on": "2000-01-01"}, "due_on", "before the review that agreed it"),
            ({"due_on": "soon"}, "due_on", "Give the due date as YYYY-MM-DD."),
            ({"due_on": "2026-02-30"}, "due_on", "YYYY-MM-DD"),
            ({"due_on": "99999-01-01"}, "due_on", "YYYY-MM-DD"),
            ({"due_on": "0000-01-01"}, "due_on", "YYYY-MM-DD"),
            ({"due_on": 20261201}, "due_on", "YYYY-MM-DD"),
            ({"metric": "happiness"}, "metric", "Choose the seam metric this action should move."),
            ({"metric": "lead_time_by_approval_type"}, "metric", "Choose the seam metric"),
            ({"owner": "nobody"}, "owner", "does not exist"),
            ({"owner": "viewer"}, "owner", "can't be named here"),
            ({"owner": "unrelated_owner"}, "owner", "can't be named here"),
            ({"owner": {"username": "owner"}}, "owner", ""),
            ({"title": "x" * 201}, "title", "no more than 200"),
            ({"title": ""}, "title", "blank"),
            ({"title": True}, "title", "valid string"),
            ({"seam": "nope"}, "seam", "does not exist"),
        ],
    )
    def test_bad_input_is_refused_on_its_field_and_writes_nothing(
        self, leader, owner, viewer, unrelated_owner, review, seam, change, field, says
    ):
        response = api(leader).post(
            f"{URL}{review.pk}/actions/", action_body(seam, owner) | change, format="json"
        )
        assert response.status_code == 400, response.json()
        assert list(response.json()["errors"]) == [field]
        assert says in str(response.json()["errors"][field])
        assert not CorrectiveAction.objects.exists()

    def test_the_audit_log_names_the_tokens_owner(self, leader, owner, review, seam):
        response = token_client(leader).post(
            f"{URL}{review.pk}/actions/", action_body(seam, owner), format="json"
        )
        assert response.status_code == 201
        [entry] = entries_for(CorrectiveAction.objects.get())
        assert entry.actor == leader
        assert entry.changes["title"] == ["None", "Pair on intake"]

    def test_a_missing_field_is_named(self, leader, review):
        response = api(leader).post(f"{URL}{review.pk}/actions/", {}, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"seam", "title", "owner", "due_on", "metric"}

    def test_an_owner_no_longer_active_cannot_be_named(self, leader, review, seam):
        gone = UserFactory(username="gone", is_active=False)
        response = api(leader).post(
            f"{URL}{review.pk}/actions/", action_body(seam, gone), format="json"
        )
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["owner"]

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer", "other_owner"])
    def test_only_leaders_add_them(self, request, role, owner, review, seam):
        response = api(request.getfixturevalue(role)).post(
            f"{URL}{review.pk}/actions/", action_body(seam, owner), format="json"
        )
        assert response.status_code == 403
        assert response.json()["detail"] == "Only leaders hold reviews."
        assert not CorrectiveAction.objects.exists()

    def test_a_closed_review_takes_none_and_an_unknown_one_is_404(
        self, leader, owner, review, seam
    ):
        reviews.close_review(review=review, by=leader)
        url = f"{URL}{review.pk}/actions/"
        assert api(leader).post(url, action_body(seam, owner), format="json").status_code == 409
        missing = f"{URL}{review.pk + 1}/actions/"
        assert api(leader).post(missing, action_body(seam, owner), format="json").status_code == 404
        assert not CorrectiveAction.objects.exists()

    def test_the_page_and_the_api_add_the_same_action(
        self, leader, leader_client, owner, review, seam
    ):
        MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, rework_rate=Decimal("0.2"))
        body = action_body(seam, owner)
        leader_client.post(
            reverse("metrics:review-add-action", args=[review.pk, seam.slug]),
            body | {"owner": owner.pk},
        )
        fields = ("review", "seam", "title", "owner", "due_on", "metric", "baseline", "status")
        by_page = list(CorrectiveAction.objects.values(*fields))
        CorrectiveAction.objects.all().delete()
        assert (
            api(leader).post(f"{URL}{review.pk}/actions/", body, format="json").status_code == 201
        )
        assert list(CorrectiveAction.objects.values(*fields)) == by_page

    def test_the_page_and_the_api_refuse_the_same_due_date(
        self, leader, leader_client, owner, review, seam
    ):
        body = action_body(seam, owner, due_on="2000-01-01")
        page = leader_client.post(
            reverse("metrics:review-add-action", args=[review.pk, seam.slug]),
            body | {"owner": owner.pk},
        )
        response = api(leader).post(f"{URL}{review.pk}/actions/", body, format="json")
        assert (page.status_code, response.status_code) == (400, 400)
        message = response.json()["errors"]["due_on"][0]
        assert message in page.content.decode().replace("&#x27;", "'")
        assert not CorrectiveAction.objects.exists()


# --- Closing ---------------------------------------------------------------------------------


class TestClose:
    def test_a_leader_closes_it_with_notes_once(self, leader, review):
        url = f"{URL}{review.pk}/close/"
        response = api(leader).post(url, {"notes": " Payload first. "}, format="json")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["notes"]) == ("closed", "Payload first.")
        review.refresh_from_db()
        assert (review.status, review.notes) == ("closed", "Payload first.")
        closed_at = review.closed_at
        again = api(leader).post(url, {"notes": "Changed"}, format="json")
        assert again.status_code == 409
        review.refresh_from_db()
        assert (review.notes, review.closed_at) == ("Payload first.", closed_at)

    def test_it_closes_without_notes(self, leader, review):
        assert api(leader).post(f"{URL}{review.pk}/close/", {}, format="json").status_code == 200
        assert Review.objects.get().status == "closed"

    @pytest.mark.parametrize(
        ("notes", "says"),
        [("x" * 10_001, "no more than 10000"), ({"a": 1}, "valid string"), (None, "null")],
    )
    def test_bad_notes_leave_it_open(self, leader, review, notes, says):
        response = api(leader).post(f"{URL}{review.pk}/close/", {"notes": notes}, format="json")
        assert response.status_code == 400
        assert says in response.json()["errors"]["notes"][0]
        assert Review.objects.get().status == "open"

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer"])
    def test_only_leaders_close_it(self, request, role, review):
        response = api(request.getfixturevalue(role)).post(
            f"{URL}{review.pk}/close/", {"notes": "x"}, format="json"
        )
        assert response.status_code == 403
        assert Review.objects.get().status == "open"

    def test_the_page_and_the_api_close_the_same(self, leader, leader_client, review):
        leader_client.post(reverse("metrics:review-close", args=[review.pk]), {"notes": "Done"})
        by_page = rows()
        Review.objects.filter(pk=review.pk).update(status="open", notes="", closed_at=None)
        api(leader).post(f"{URL}{review.pk}/close/", {"notes": "Done"}, format="json")
        assert rows() == by_page


# --- The actions list and an action's status ----------------------------------------------------


class TestActions:
    def test_it_filters_by_status_owner_seam_and_review(
        self, viewer, leader, owner, review, seam, action
    ):
        done = reviews.add_action(
            review=review,
            seam=seam,
            title="Done already",
            owner=leader,
            due_on=dt.date.today(),
            metric="rework_rate",
            by=leader,
        )
        reviews.update_action(action=done, status="done", by=leader)

        def ids(query: str) -> list[int]:
            response = api(viewer).get(ACTIONS + query)
            assert response.status_code == 200, response.json()
            return [a["id"] for a in response.json()["results"]]

        assert ids("") == [done.pk, action.pk]  # soonest due first
        assert ids("?status=open") == [action.pk]
        assert ids("?owner=owner") == [action.pk]
        assert ids(f"?seam={seam.slug}&status=done") == [done.pk]
        assert ids(f"?review={review.pk}") == [done.pk, action.pk]
        assert ids(f"?review={review.pk + 1}") == []
        assert ids("?owner=nobody") == []

    @pytest.mark.parametrize(
        "query",
        [
            "?status=late",
            "?review=abc",
            "?review=0",
            "?review=1.5",
            f"?review={'9' * 30}",
            "?owner=a%00b",
            "?seam=%00",
        ],
    )
    def test_bad_filters_are_refused(self, viewer, action, query):
        response = api(viewer).get(ACTIONS + query)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    @pytest.mark.parametrize("day", [1, 3, 28])
    def test_overdue_means_open_and_past_its_due_date(self, viewer, leader, owner, seam, day):
        today = dt.date(2026, 3, day)
        with time_machine.travel(dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC), tick=False):
            review = reviews.start_review(month=dt.date(2026, 2, 1), contract=None, by=leader)
            made = {}
            for name, days, status in [
                ("yesterday", -1, "open"),
                ("today", 0, "open"),
                ("done late", -2, "done"),
            ]:
                made[name] = CorrectiveAction.objects.create(
                    review=review,
                    seam=seam,
                    title=name,
                    owner=owner,
                    due_on=today + dt.timedelta(days=days),
                    metric="rework_rate",
                    status=status,
                    created_by=leader,
                )
            late = api(viewer).get(ACTIONS + "?overdue=true").json()["results"]
            fine = api(viewer).get(ACTIONS + "?overdue=false").json()["results"]
            listed = api(viewer).get(ACTIONS).json()["results"]
        assert [a["title"] for a in late] == ["yesterday"]
        assert sorted(a["title"] for a in fine) == ["done late", "today"]
        assert {a["title"]: a["overdue"] for a in listed} == {
            "yesterday": True,
            "today": False,
            "done late": False,
        }

    def test_its_owner_marks_it_done_and_others_may_not(
        self, owner, other_owner, ops, viewer, action
    ):
        for person in (other_owner, ops, viewer):
            response = api(person).patch(
                f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json"
            )
            assert response.status_code == 403
            assert response.json()["detail"] == "Only its owner or a leader updates an action."
        assert CorrectiveAction.objects.get().status == "open"
        response = api(owner).patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["done_on"]) == (
            "done",
            timezone.localdate().isoformat(),
        )
        again = api(owner).patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
        assert again.json() == response.json()
        action.refresh_from_db()
        assert (action.status, action.done_on) == ("done", timezone.localdate())

    def test_a_leader_drops_or_reopens_any(self, leader, action):
        api(leader).patch(f"{ACTIONS}{action.pk}/", {"status": "dropped"}, format="json")
        assert CorrectiveAction.objects.get().status == "dropped"
        api(leader).patch(f"{ACTIONS}{action.pk}/", {"status": "open"}, format="json")
        assert CorrectiveAction.objects.values_list("status", "done_on").get() == ("open", None)

    def test_an_owner_whose_rights_were_taken_away_may_not(self, owner, action):
        owner.memberships.all().delete()
        permissions.forget_access(owner)
        response = api(owner).patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
        assert response.status_code == 403
        assert CorrectiveAction.objects.get().status == "open"

    @pytest.mark.parametrize(
        "body",
        [{"status": "finished"}, {"status": None}, {"status": ["done"]}, {"title": "Renamed"}, {}],
    )
    def test_only_a_known_status_is_taken(self, owner, action, body):
        response = api(owner).patch(f"{ACTIONS}{action.pk}/", body, format="json")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["status"]
        assert CorrectiveAction.objects.values_list("status", "title").get() == (
            "open",
            "Require the payload",
        )

    def test_other_methods_and_unknown_actions(self, leader, action):
        client = api(leader)
        assert (
            client.put(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json").status_code
            == 405
        )
        assert client.delete(f"{ACTIONS}{action.pk}/").status_code == 405
        assert client.post(ACTIONS, {"status": "done"}, format="json").status_code == 405
        assert (
            client.patch(
                f"{ACTIONS}{action.pk + 1}/", {"status": "done"}, format="json"
            ).status_code
            == 404
        )
        assert CorrectiveAction.objects.get().status == "open"

    def test_anonymous_callers_change_nothing(self, action):
        response = api().patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
        assert response.status_code == 401
        assert CorrectiveAction.objects.get().status == "open"

    def test_the_page_and_the_api_update_the_same(self, owner, owner_client, action):
        owner_client.post(reverse("metrics:actions"), {"action": action.pk, "status": "done"})
        by_page = CorrectiveAction.objects.values_list("status", "done_on").get()
        CorrectiveAction.objects.update(status="open", done_on=None)
        api(owner).patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
        assert CorrectiveAction.objects.values_list("status", "done_on").get() == by_page
        assert by_page == ("done", timezone.localdate())
