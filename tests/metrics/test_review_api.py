"""The reviews API (/api/v1/reviews/, /api/v1/actions/): reads for everyone signed in, the
review's commands for leaders only, an action's status for its owner or a leader; every write
through metrics.reviews, so the API and the review pages give the same results."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.models import Contract, ContractSeam, MetricTarget
from metrics import engine, reviews
from metrics.models import CorrectiveAction, MonthlySeamMetrics, Review, RootCause
from tests.factories import SeamFactory

MONTH = engine.previous_month(engine.current_month())
EARLIER = engine.previous_month(MONTH)
URL = "/api/v1/reviews/"
ACTIONS = "/api/v1/actions/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def due(days: int = 14) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def contract(leader, seam):
    contract = Contract.objects.create(
        slug="launch", title="Launch", scope="The launch", leader=leader, status="active"
    )
    ContractSeam.objects.create(contract=contract, seam=seam)
    MetricTarget.objects.create(
        contract=contract, seam=seam, metric="sla_breach_rate", target=Decimal(10)
    )
    return contract


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


def action_body(seam, owner, **changes) -> dict:
    return {
        "seam": seam.slug,
        "title": "Pair on intake",
        "owner": owner.username,
        "due_on": due(),
        "metric": "rework_rate",
    } | changes


def rows() -> tuple:
    """Every row the reviews API may write, as comparable values."""
    return (
        list(Review.objects.values_list("month", "contract_id", "status", "notes")),
        list(RootCause.objects.values_list("review_id", "seam_id", "text")),
        list(
            CorrectiveAction.objects.values_list(
                "review_id", "seam_id", "title", "owner_id", "due_on", "metric", "status"
            )
        ),
    )


# --- Reading ------------------------------------------------------------------------------


class TestRead:
    def test_it_lists_reviews_with_their_causes_and_judged_actions(
        self, viewer, leader, owner, seam, contract
    ):
        review = reviews.start_review(month=EARLIER, contract=contract, by=leader)
        MonthlySeamMetrics.objects.create(seam=seam, month=EARLIER, sla_breach_rate=Decimal("0.31"))
        reviews.record_root_cause(review=review, seam=seam, text="No triage rota", by=leader)
        reviews.add_action(
            review=review,
            seam=seam,
            title="Triage rota",
            owner=owner,
            due_on=dt.date.today() + dt.timedelta(days=3),
            metric="sla_breach_rate",
            by=leader,
        )
        MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, sla_breach_rate=Decimal("0.15"))

        body = api(viewer).get(URL).json()

        assert body["count"] == 1
        [found] = body["results"]
        assert (found["month"], found["contract"], found["scope"]) == (
            f"{EARLIER:%Y-%m}",
            "launch",
            "Launch",
        )
        assert (found["status"], found["started_by"]) == ("open", "leader")
        assert found["root_causes"] == [
            {
                "seam": seam.slug,
                "text": "No triage rota",
                "recorded_by": "leader",
                "recorded_at": found["root_causes"][0]["recorded_at"],
            }
        ]
        [agreed] = found["actions"]
        # 31 % to 15 % against a 10 % target: more than half the gap closed (as the pages say).
        assert {
            k: agreed[k]
            for k in ("seam", "owner", "metric", "value_when_agreed", "target", "latest", "verdict")
        } == {
            "seam": seam.slug,
            "owner": "owner",
            "metric": "sla_breach_rate",
            "value_when_agreed": "0.3100",
            "target": "0.1000",
            "latest": "0.1500",
            "verdict": "moved",
        }
        assert (agreed["status"], agreed["overdue"], agreed["due_on"]) == ("open", False, due(3))

    def test_the_verdicts_are_the_pages_verdicts(
        self, viewer, viewer_client, leader, owner, seam, contract
    ):
        earlier = reviews.start_review(month=EARLIER, contract=None, by=leader)
        MonthlySeamMetrics.objects.create(seam=seam, month=EARLIER, sla_breach_rate=Decimal("0.31"))
        made = reviews.add_action(
            review=earlier,
            seam=seam,
            title="Triage rota",
            owner=owner,
            due_on=dt.date.today(),
            metric="sla_breach_rate",
            by=leader,
        )
        MonthlySeamMetrics.objects.create(seam=seam, month=MONTH, sla_breach_rate=Decimal("0.29"))
        later = reviews.start_review(month=MONTH, contract=None, by=leader)
        page = viewer_client.get(reverse("metrics:review-record", args=[later.pk]))
        shown = next(a for a in page.context["earlier"] if a.pk == made.pk)
        body = api(viewer).get(f"{ACTIONS}{made.pk}/").json()
        assert (body["verdict"], body["latest"]) == (shown.verdict, f"{shown.latest:.4f}")
        assert body["verdict"] == "partly"

    def test_it_filters_reviews_by_month_contract_and_status(self, viewer, leader, contract):
        everything = reviews.start_review(month=MONTH, contract=None, by=leader)
        launch = reviews.start_review(month=MONTH, contract=contract, by=leader)
        old = reviews.start_review(month=EARLIER, contract=contract, by=leader)
        reviews.close_review(review=old, by=leader)

        def ids(query: str) -> list[int]:
            response = api(viewer).get(URL + query)
            assert response.status_code == 200, response.json()
            return [r["id"] for r in response.json()["results"]]

        assert ids("") == [everything.pk, launch.pk, old.pk]  # newest month first
        assert ids(f"?month={MONTH:%Y-%m}") == [everything.pk, launch.pk]
        assert ids("?contract=launch") == [launch.pk, old.pk]
        assert ids("?status=closed") == [old.pk]
        assert ids("?status=open&contract=launch") == [launch.pk]
        assert ids("?contract=nope") == []
        assert ids("?month=2999-12") == []

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("?month=2026-13", "month"),
            ("?month=26-1", "month"),
            ("?month=1999-12", "month"),
            ("?month=3000-01", "month"),
            ("?month=%00", "month"),
            ("?status=maybe", "status"),
            ("?contract=a%00b", "contract"),
        ],
    )
    def test_bad_filters_are_refused_and_say_which(self, viewer, review, query, field):
        response = api(viewer).get(URL + query)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert field in response.json()["errors"]

    def test_it_shows_one_review_and_answers_404_for_none(self, viewer, review, action):
        body = api(viewer).get(f"{URL}{review.pk}/").json()
        assert body["id"] == review.pk
        assert [a["title"] for a in body["actions"]] == ["Require the payload"]
        for missing in (review.pk + 1, "abc", "9" * 30, -1):
            response = api(viewer).get(f"{URL}{missing}/")
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"

    def test_reading_takes_a_bounded_number_of_queries(
        self, viewer, leader, owner, seam, contract, django_assert_max_num_queries
    ):
        other = SeamFactory(from_team=seam.from_team, to_team=seam.to_team)
        for month in (MONTH, EARLIER, engine.previous_month(EARLIER)):
            for scope in (None, contract):
                review = reviews.start_review(month=month, contract=scope, by=leader)
                for place in (seam, other):
                    reviews.record_root_cause(review=review, seam=place, text="Why", by=leader)
                    reviews.add_action(
                        review=review,
                        seam=place,
                        title=f"Fix {place.slug}",
                        owner=owner if place == seam else leader,
                        due_on=dt.date.today(),
                        metric="rework_rate",
                        by=leader,
                    )
        client = api(viewer)
        # The session's user, count, page, causes, actions, snapshots, targets.
        with django_assert_max_num_queries(8):
            assert len(client.get(URL).json()["results"]) == 6
        with django_assert_max_num_queries(8):
            assert len(client.get(f"{URL}{review.pk}/").json()["actions"]) == 2
        with django_assert_max_num_queries(6):
            assert client.get(ACTIONS).json()["count"] == 12

    def test_anonymous_callers_are_asked_to_sign_in_and_tokens_work(self, viewer, review):
        for url in (URL, f"{URL}{review.pk}/", ACTIONS):
            response = api().get(url)
            assert response.status_code == 401
            assert response.json()["code"] == "not_authenticated"
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=viewer).key}")
        assert client.get(URL).json()["results"][0]["id"] == review.pk


# --- Starting a review --------------------------------------------------------------------


class TestStart:
    def test_a_leader_starts_one_and_the_same_again_answers_the_same(self, leader, contract):
        first = api(leader).post(URL, {"month": f"{MONTH:%Y-%m}", "contract": "launch"})
        assert first.status_code == 201, first.json()
        again = api(leader).post(
            URL, {"month": f"{MONTH:%Y-%m}", "contract": "launch"}, format="json"
        )
        assert again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        review = Review.objects.get()
        assert (review.month, review.contract, review.started_by) == (MONTH, contract, leader)

    def test_starting_a_closed_one_again_answers_it_closed(self, leader, review):
        reviews.close_review(review=review, by=leader)
        # Filters in the query string are no part of a command.
        response = api(leader).post(
            URL + "?status=open", {"month": f"{MONTH:%Y-%m}", "contract": None}, format="json"
        )
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["status"]) == (review.pk, "closed")
        assert Review.objects.count() == 1

    def test_it_reviews_the_month_under_review_of_all_seams_by_default(self, leader):
        response = api(leader).post(URL, {}, format="json")
        assert response.status_code == 201
        assert (response.json()["month"], response.json()["contract"]) == (
            f"{engine.month_under_review():%Y-%m}",
            None,
        )
        assert Review.objects.get().contract is None

    def test_it_works_with_a_token(self, leader):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
        assert client.post(URL, {"contract": None}, format="json").status_code == 201
        assert Review.objects.count() == 1

    @pytest.mark.parametrize("role", ["owner", "ops", "viewer", "other_owner"])
    def test_only_leaders_hold_reviews(self, request, role, seam):
        response = api(request.getfixturevalue(role)).post(URL, {}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "Only leaders hold reviews."
        assert not Review.objects.exists()

    def test_anonymous_callers_start_nothing(self, db):
        assert api().post(URL, {}, format="json").status_code == 401
        assert not Review.objects.exists()

    @pytest.mark.parametrize(
        ("body", "field", "says"),
        [
            ({"month": f"{engine.current_month():%Y}-13"}, "month", "YYYY-MM"),
            (
                {"month": engine.next_month(engine.current_month()).strftime("%Y-%m")},
                "month",
                "hasn't started yet",
            ),
            ({"month": "1999-12"}, "month", "YYYY-MM"),
            ({"month": "2026-1"}, "month", "YYYY-MM"),
            ({"month": " 2026-10"}, "month", "YYYY-MM"),
            ({"month": "\u0662\u0660\u0662\u0666-\u0661\u0660"}, "month", "YYYY-MM"),
            ({"month": 202610}, "month", "YYYY-MM"),
            ({"month": {"year": 2026}}, "month", "valid string"),
            ({"month": ["2026-10"]}, "month", "valid string"),
            ({"month": "2026-10" * 10_000}, "month", "YYYY-MM"),
            ({"contract": "nope"}, "contract", "No contract in force is called “nope”."),
            ({"contract": "draft"}, "contract", "No contract in force"),
            ({"contract": ""}, "contract", "blank"),
            ({"contract": {"slug": "launch"}}, "contract", ""),
            ({"contract": 7}, "contract", ""),
        ],
    )
    def test_bad_input_is_refused_on_its_field_and_writes_nothing(
        self, leader, contract, body, field, says
    ):
        Contract.objects.create(slug="draft", title="Draft", scope="Later", leader=leader)
        response = api(leader).post(URL, body, format="json")
        assert response.status_code == 400, response.json()
        assert list(response.json()["errors"]) == [field]
        assert says in response.json()["errors"][field][0]
        assert not Review.objects.exists()

    @pytest.mark.parametrize(
        "raw",
        ['{"month": "2026-10\\u0000"}', '{"month": ', '{"month": ' + "[" * 40 + "]" * 40 + "}"],
    )
    def test_unreadable_bodies_are_refused(self, leader, raw):
        response = api(leader).post(URL, raw, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
        assert not Review.objects.exists()

    def test_a_body_that_is_not_an_object_is_refused(self, leader):
        response = api(leader).post(URL, [{"month": "2026-10"}], format="json")
        assert response.status_code == 400
        assert "Expected a dictionary" in response.json()["errors"]["non_field_errors"][0]
        assert not Review.objects.exists()

    def test_a_body_too_large_is_refused(self, leader, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = api(leader).post(URL, {"month": "2026-10", "x": "y" * 1000}, format="json")
        assert response.status_code == 413
        assert response.json()["code"] == "too_large"
        assert not Review.objects.exists()

    def test_a_form_body_is_not_the_api(self, leader):
        response = api(leader).post(URL, "month=2026-10", content_type="text/plain")
        assert response.status_code == 415
        assert not Review.objects.exists()

    def test_the_page_and_the_api_start_the_same_review(self, leader, leader_client, contract):
        leader_client.post(reverse("metrics:review-start"), {"month": f"{MONTH:%Y-%m}"})
        by_page = rows()
        Review.objects.all().delete()
        api(leader).post(URL, {"month": f"{MONTH:%Y-%m}"}, format="json")
        assert rows() == by_page
